package vmalock.db;

import java.sql.SQLException;
import vmalock.event.Event;

/** Builds one derived table of a run while the run's events stream past, in order. */
interface RunHandler {
    /** The event at 0-based position {@code seq} of the run; {@code e} is reused after this returns. */
    void event(long seq, Event e) throws SQLException;

    /** The stream ended: write what is still open (unpaired rows, per-entity summaries). */
    void finish() throws SQLException;
}
