package vmalock.db;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import vmalock.event.Event;
import vmalock.event.EventKind;

/**
 * {@code event_counts}: events counted by (source, tid, comm, event name, mm) — a small roll-up that
 * answers events_by_type, per-comm and per-mm counts without loading the big {@code events} table.
 */
final class EventCounts implements RunHandler {
    private static final class Key {
        final int source;
        final int tid;
        final String comm;
        final String name;
        final EventKind kind;
        final long mm;
        final boolean hasMm;
        final int hash;

        Key(int source, int tid, String comm, String name, EventKind kind, long mm, boolean hasMm) {
            this.source = source;
            this.tid = tid;
            this.comm = comm;
            this.name = name;
            this.kind = kind;
            this.mm = mm;
            this.hasMm = hasMm;
            this.hash = Objects.hash(source, tid, comm, name, mm);
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key)) {
                return false;
            }
            Key k = (Key) o;
            return source == k.source && tid == k.tid && mm == k.mm && hasMm == k.hasMm && kind == k.kind
                    && Objects.equals(comm, k.comm) && Objects.equals(name, k.name);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private static final class Acc {
        long events;
        long firstTs;
        long lastTs;
    }

    private final RowSink rows;
    private final String run;
    private final Map<Key, Acc> counts = new HashMap<>();
    private final List<Key> order = new ArrayList<>();
    // direct-mapped cache of recent keys: no allocation or boxing for the common (task, event) pairs;
    // names and comms come interned from the parsers, so == settles most comparisons
    private static final int CACHE = 256;
    private final Key[] cacheKey = new Key[CACHE];
    private final Acc[] cacheAcc = new Acc[CACHE];

    EventCounts(RowSink rows, String run) {
        this.rows = rows;
        this.run = run;
    }

    @Override
    public void event(long seq, Event e) {
        boolean hasMm = e.kind.isMmapLock();
        long mm = hasMm ? e.mm : 0;
        String name = e.name;
        int slot = (e.tid * 31 + (name == null ? 0 : name.hashCode()) + (int) (mm ^ (mm >>> 32))) & (CACHE - 1);
        Key lk = cacheKey[slot];
        Acc a;
        if (lk != null && lk.tid == e.tid && lk.source == e.source && lk.kind == e.kind && lk.mm == mm
                && lk.hasMm == hasMm && same(lk.comm, e.comm) && same(lk.name, name)) {
            a = cacheAcc[slot];
        } else {
            Key k = new Key(e.source, e.tid, e.comm, name, e.kind, mm, hasMm);
            a = counts.get(k);
            if (a == null) {
                a = new Acc();
                a.firstTs = e.ts;
                counts.put(k, a);
                order.add(k);
            }
            cacheKey[slot] = k;
            cacheAcc[slot] = a;
        }
        a.events++;
        a.lastTs = e.ts;
    }

    private static boolean same(String x, String y) {
        return x == y || (x != null && x.equals(y));
    }

    @Override
    public void finish() throws SQLException {
        for (Key k : order) {
            Acc a = counts.get(k);
            rows.begin().str(run).i32(k.source).i32(k.tid).str(k.comm).str(Names.kind(k.kind)).str(k.name)
                    .i64(k.mm, k.hasMm).i64(a.events).i64(a.firstTs).i64(a.lastTs);
            rows.end();
        }
    }
}
