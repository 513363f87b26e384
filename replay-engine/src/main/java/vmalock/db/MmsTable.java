package vmalock.db;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import vmalock.event.Event;

/**
 * {@code mms}: one row per mm address seen in mmap_lock events — its events, tasks and comms. An
 * address reused by a later process is one row here (the replay separates processes by exec/exit).
 */
final class MmsTable implements RunHandler {
    private static final class Mm {
        long events;
        final Set<Integer> tids = new HashSet<>();
        final List<String> comms = new ArrayList<>(2);
        long firstTs;
        long lastTs;
        boolean hashed;
        // the last task and comm added: most events repeat them (no boxing, no list scan)
        int lastTid = Integer.MIN_VALUE;
        String lastComm;
    }

    private final RowSink rows;
    private final String run;
    private final java.util.function.IntPredicate hashedPointers;
    private final Map<Long, Mm> mms = new LinkedHashMap<>();
    private long lastMm;
    private Mm last;

    /** @param hashedPointers whether a source prints {@code %p} hashed (raw ftrace): 16 hex digits without 0x */
    MmsTable(RowSink rows, String run, java.util.function.IntPredicate hashedPointers) {
        this.rows = rows;
        this.run = run;
        this.hashedPointers = hashedPointers;
    }

    @Override
    public void event(long seq, Event e) {
        if (!e.kind.isMmapLock()) {
            return;
        }
        Mm m = last;
        if (m == null || lastMm != e.mm) {
            m = mms.get(e.mm);
            if (m == null) {
                m = new Mm();
                m.firstTs = e.ts;
                m.hashed = hashedPointers.test(e.source);
                mms.put(e.mm, m);
            }
            last = m;
            lastMm = e.mm;
        }
        m.events++;
        m.lastTs = e.ts;
        if (e.tid != m.lastTid) {
            m.tids.add(e.tid);
            m.lastTid = e.tid;
        }
        if (e.comm != null && e.comm != m.lastComm) {
            if (!m.comms.contains(e.comm)) {
                m.comms.add(e.comm);
            }
            m.lastComm = e.comm;
        }
    }

    /** The mm as the tool prints it: {@code 000000005f3681c8} (hashed %p) or {@code 0xffff8881056e3200}. */
    static String hex(long mm, boolean hashed) {
        if (hashed) {
            String h = Long.toHexString(mm);
            return "0".repeat(16 - h.length()) + h;
        }
        return "0x" + Long.toHexString(mm);
    }

    @Override
    public void finish() throws SQLException {
        // as `stats` spells them: 16 bare digits when every source prints hashed %p, or when every mm is
        // below 2^32 (ftrace's hashes are 32-bit; no kernel address is that low) — e.g. a CSV re-ingest
        boolean bare = !mms.isEmpty();
        boolean low = !mms.isEmpty();
        for (Map.Entry<Long, Mm> en : mms.entrySet()) {
            bare &= en.getValue().hashed;
            low &= (en.getKey() >>> 32) == 0;
        }
        for (Map.Entry<Long, Mm> en : mms.entrySet()) {
            Mm m = en.getValue();
            rows.begin().str(run).i64(en.getKey()).str(hex(en.getKey(), bare || low)).i64(m.events)
                    .i64(m.tids.size()).list(m.comms).i64(m.firstTs).i64(m.lastTs);
            rows.end();
        }
    }
}
