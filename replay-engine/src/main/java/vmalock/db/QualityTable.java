package vmalock.db;

import java.sql.SQLException;
import java.util.TreeMap;
import vmalock.event.Event;

/**
 * {@code quality}: per-source measurements of the stream itself: {@code out_of_order_ts} (events whose
 * timestamp is lower than the previous event's of the same source) and {@code max_backwards_ns}.
 * Lost-events markers are not events and carry no timestamp of their own: they are skipped.
 */
final class QualityTable implements RunHandler {
    private static final class Src {
        long lastTs = Long.MIN_VALUE;
        long outOfOrder;
        long maxBack;
    }

    private final RowSink rows;
    private final String run;
    private final TreeMap<Integer, Src> bySource = new TreeMap<>();
    private int lastSource = -1;
    private Src cur;

    QualityTable(RowSink rows, String run) {
        this.rows = rows;
        this.run = run;
    }

    @Override
    public void event(long seq, Event e) {
        if (e.kind == vmalock.event.EventKind.LOST) {
            return;
        }
        if (e.source != lastSource || cur == null) {
            cur = bySource.computeIfAbsent(e.source, s -> new Src());
            lastSource = e.source;
        }
        Src s = cur;
        if (e.ts < s.lastTs) {
            s.outOfOrder++;
            s.maxBack = Math.max(s.maxBack, s.lastTs - e.ts);
        } else {
            s.lastTs = e.ts;
        }
    }

    @Override
    public void finish() throws SQLException {
        for (var en : bySource.entrySet()) {
            rows.begin().str(run).i32(en.getKey()).str("out_of_order_ts").i64(en.getValue().outOfOrder);
            rows.end();
            rows.begin().str(run).i32(en.getKey()).str("max_backwards_ns").i64(en.getValue().maxBack);
            rows.end();
        }
    }
}
