package vmalock.db;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import vmalock.event.Event;

/** {@code tasks}: one row per thread id — its tgid when known, last comm, every comm seen, event span. */
final class TasksTable implements RunHandler {
    private static final class Task {
        int tgid = Event.UNKNOWN;
        String comm;
        final List<String> comms = new ArrayList<>(1);
        long events;
        long firstTs;
        long lastTs;
    }

    private final RowSink rows;
    private final String run;
    private final Map<Integer, Task> tasks = new LinkedHashMap<>();
    private int lastTid = Integer.MIN_VALUE;
    private Task last;

    TasksTable(RowSink rows, String run) {
        this.rows = rows;
        this.run = run;
    }

    @Override
    public void event(long seq, Event e) {
        Task t;
        if (e.tid == lastTid) {
            t = last;
        } else {
            t = tasks.get(e.tid);
            if (t == null) {
                t = new Task();
                t.firstTs = e.ts;
                tasks.put(e.tid, t);
            }
            lastTid = e.tid;
            last = t;
        }
        t.events++;
        t.lastTs = e.ts;
        if (e.tgid != Event.UNKNOWN) {
            t.tgid = e.tgid;
        }
        String c = e.comm;
        if (c != null && !c.equals(t.comm)) {
            t.comm = c;
            if (!t.comms.contains(c)) {
                t.comms.add(c);
            }
        }
    }

    @Override
    public void finish() throws SQLException {
        for (Map.Entry<Integer, Task> en : tasks.entrySet()) {
            Task t = en.getValue();
            rows.begin().str(run).i32(en.getKey()).i32(t.tgid, t.tgid != Event.UNKNOWN).str(t.comm).list(t.comms)
                    .i64(t.events).i64(t.firstTs).i64(t.lastTs);
            rows.end();
        }
    }
}
