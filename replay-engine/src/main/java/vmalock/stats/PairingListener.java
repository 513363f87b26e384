package vmalock.stats;

import vmalock.event.Event;

/**
 * What {@link LockPairing} finds, as records: lock waits, lock holds and classified user page faults.
 * {@link ObservedStats} aggregates them; the DuckDB stage turns them into table rows; the replay engine
 * runs the same pairing over replayed events. Every method has an empty default.
 */
public interface PairingListener {
    /**
     * An {@code acquire_returned} paired with its pending {@code start_locking} (rule 3).
     *
     * @param acquire the acquire_returned event (reused by the caller: copy what you keep)
     * @param startTs timestamp of the consumed start_locking
     */
    default void lockWait(Event acquire, long startTs) {
    }

    /**
     * A {@code released} paired with the task's pending successful acquisition (rule 4).
     *
     * @param release the released event (reused by the caller)
     * @param acquireTs timestamp of the acquire_returned that started the hold
     */
    default void lockHold(Event release, long acquireTs) {
    }

    /**
     * A wait pair with lost events between its start_locking and acquire_returned: paired (the start is
     * consumed) but not a sample.
     */
    default void lockWaitAcrossLost(Event acquire, long startTs) {
    }

    /** A hold pair with lost events between its acquire_returned and released: paired but not a sample. */
    default void lockHoldAcrossLost(Event release, long acquireTs) {
    }

    /** A user page fault, once both fallback rules have decided about it (or the task faulted again / the source ended). */
    default void fault(FaultRecord fault) {
    }

    /**
     * A {@code page_fault_user} and how the two fallback rules classified it. The instance is reused:
     * copy what you keep.
     */
    final class FaultRecord {
        public int source;
        public long line;
        public long ts;
        public int tid;
        public String comm;
        public long address;
        /** The fault's ip and error_code (for the DuckDB faults table). */
        public long ip;
        public long errorCode;
        /** Rule 1: matched by the task's next successful read acquisition before its next fault. */
        public boolean fallbackLoose;
        /** Rule 2 (the tool's fallback): as rule 1, with a pending read start_locking, no write acquisition in between. */
        public boolean fallbackStrict;
        /** ts of the acquire_returned that made it a fallback (rule 2 if strict, else rule 1), or -1. */
        public long fallbackAcquireTs = -1;
        /** mm of that acquisition (page_fault_user itself carries no mm), or 0. */
        public long fallbackMm;
    }
}
