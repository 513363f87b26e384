package vmalock.db;

import java.sql.SQLException;
import java.util.List;
import vmalock.event.Event;
import vmalock.event.EventKind;

/**
 * {@code lost}: every lost-events marker (kind {@code marker}; count NULL when the marker has no
 * number), and per source the entries a {@code trace} file's header says the ring buffer overwrote
 * (kind {@code overwritten}: entries-written − entries-in-buffer).
 */
final class LostTable implements RunHandler {
    private final RowSink rows;
    private final String run;
    private final java.util.function.Supplier<List<SourceRow>> sources;

    /** @param sources the run's sources, asked for at {@link #finish} */
    LostTable(RowSink rows, String run, java.util.function.Supplier<List<SourceRow>> sources) {
        this.rows = rows;
        this.run = run;
        this.sources = sources;
    }

    @Override
    public void event(long seq, Event e) throws SQLException {
        if (e.kind != EventKind.LOST) {
            return;
        }
        rows.begin().str(run).i32(e.source).i64(e.line).i64(e.ts, e.ts != 0).i32(e.cpu, e.cpu != Event.UNKNOWN)
                .i64(e.count, e.count >= 0).str("marker");
        rows.end();
    }

    @Override
    public void finish() throws SQLException {
        for (SourceRow s : sources.get()) {
            long n = s.headerOverwritten();
            if (n > 0) {
                rows.begin().str(run).i32(s.source()).nul().nul().nul().i64(n).str("overwritten");
                rows.end();
            }
        }
    }
}
