package vmalock.db;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import vmalock.event.Event;
import vmalock.event.EventKind;

/**
 * {@code contention}: lock:contention_begin/end pairs of one task. A contention_end closes the most
 * recent open contention_begin of the same task on the same lock address; an end with no open begin,
 * and begins never ended, become rows with the missing side NULL (counted as unpaired by data_quality).
 */
final class ContentionPairs implements RunHandler {
    private static final class Open {
        long lockAddr;
        int flags;
        long ts;
        long seq;
    }

    private final RowSink rows;
    private final String run;
    private final Map<Integer, Deque<Open>> open = new HashMap<>();
    private final UnpairedCounts unpaired = new UnpairedCounts("contention_end_without_begin", "contention_begin_without_end");

    /** @param rows the contention appender, or null to count the unpaired events only (the rows load lazily) */
    ContentionPairs(RowSink rows, String run) {
        this.rows = rows;
        this.run = run;
    }

    @Override
    public void event(long seq, Event e) throws SQLException {
        if (e.kind == EventKind.CONTENTION_BEGIN) {
            Open o = new Open();
            o.lockAddr = e.lockAddr;
            o.flags = e.flags;
            o.ts = e.ts;
            o.seq = seq;
            open.computeIfAbsent(e.tid, t -> new ArrayDeque<>(2)).push(o);
        } else if (e.kind == EventKind.CONTENTION_END) {
            Deque<Open> d = open.get(e.tid);
            Open match = null;
            if (d != null) {
                for (Iterator<Open> it = d.iterator(); it.hasNext(); ) {
                    Open o = it.next();
                    if (o.lockAddr == e.lockAddr) {
                        match = o;
                        it.remove();
                        break;
                    }
                }
            }
            if (match == null) {
                row(e.tid, e.lockAddr, 0, false, 0, true, e.ts, e.ret, -1, seq);
            } else {
                row(e.tid, e.lockAddr, match.flags, true, match.ts, true, e.ts, e.ret, match.seq, seq);
            }
        }
    }

    private void row(int tid, long lock, int flags, boolean hasBegin, long beginTs, boolean hasEnd, long endTs,
                     long ret, long beginSeq, long endSeq) throws SQLException {
        unpaired.row(hasBegin, hasEnd);
        if (rows == null) {
            return;
        }
        rows.begin().str(run).i32(tid).i64(lock).i32(flags, hasBegin).i64(beginTs, hasBegin).i64(endTs, hasEnd)
                .i64(endTs - beginTs, hasBegin && hasEnd).i64(ret, hasEnd).i64(beginSeq, hasBegin)
                .i64(endSeq, hasEnd);
        rows.end();
    }

    /** The unpaired events, as {@code counters}: {@code unpaired.contention_end_without_begin}, {@code unpaired.contention_begin_without_end}. */
    Map<String, Long> unpaired() {
        return unpaired.asMap();
    }

    @Override
    public void finish() throws SQLException {
        List<Open> left = new ArrayList<>();
        Map<Long, Integer> tidOf = new HashMap<>();
        for (Map.Entry<Integer, Deque<Open>> en : open.entrySet()) {
            for (Open o : en.getValue()) {
                left.add(o);
                tidOf.put(o.seq, en.getKey());
            }
        }
        left.sort((a, b) -> Long.compare(a.seq, b.seq));   // deterministic order
        for (Open o : left) {
            row(tidOf.get(o.seq), o.lockAddr, o.flags, true, o.ts, false, 0, 0, o.seq, -1);
        }
    }
}
