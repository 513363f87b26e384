package vmalock.db;

import vmalock.event.Event;

/**
 * The per-run mmap_lock / fault pairing (rules 1–4 of {@code shared/traces/README.md}) as the loader
 * drives it: it sees every event in order and writes {@code lock_spans} and {@code faults} rows.
 */
public interface PairingSink {
    /** The event at position {@code seq} of the run. */
    void event(long seq, Event e);

    /**
     * The stream ended: close what is still open (never-released holds, open faults). Returns the
     * pairing's own counters (unpaired events), stored in {@code counters} as {@code pairing.NAME}.
     */
    java.util.Map<String, Long> finish();

    /** Creates the pairing for one run, writing into the run's two tables. */
    @FunctionalInterface
    interface Factory {
        PairingSink create(LockSpanRows spans, FaultRows faults);
    }
}
