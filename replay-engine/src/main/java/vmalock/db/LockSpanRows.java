package vmalock.db;

import java.sql.SQLException;

/**
 * Writes {@code lock_spans}: one row per mmap_lock acquisition attempt, as the pairing state machine of
 * {@code vmalock.stats} (rules 3–4 of {@code shared/traces/README.md}) closes it. Timestamps and
 * sequence numbers that the span lacks are {@link #NONE}.
 */
public final class LockSpanRows {
    /** An absent timestamp / sequence number. */
    public static final long NONE = Long.MIN_VALUE;

    /** How a span ended: the values of {@code lock_spans.ending}. */
    public enum Ending {
        /** mmap_lock_released closed it: hold measured. */
        RELEASED,
        /** a write hold the task downgraded (mmap_write_downgrade): its release is never traced (rule 4). */
        DOWNGRADED,
        /** acquired, then the trace ended without a release. */
        NEVER_RELEASED,
        /** acquired, then replaced by another acquisition of the same (task, mm, write) before a release (also flagged {@code replaced}). */
        REPLACED,
        /** acquire_returned with success=false (a failed trylock). */
        FAILED,
        /** start_locking never followed by acquire_returned. */
        NEVER_ACQUIRED,
        /** mmap_lock_released with no pending acquisition. */
        RELEASE_WITHOUT_ACQUIRE;

        final String column = name().toLowerCase(java.util.Locale.ROOT);

        public String column() {
            return column;
        }
    }

    private final RowSink rows;
    private final String run;

    /** @param rows the lock_spans appender, or null to discard the spans (a lazy load of faults only) */
    LockSpanRows(RowSink rows, String run) {
        this.rows = rows;
        this.run = run;
    }

    /**
     * One span. {@code id} is the span's number within the run (the pairing numbers acquisitions in
     * order; {@code faults.span} refers to it); {@code comm} is printed on the acquire_returned line.
     * {@code replaced}: a later acquisition of the same task, mm and mode replaced this unreleased one
     * (rule 4). {@code success} is meaningful only when {@code acquireTs != NONE}.
     */
    public void span(long id, int tid, String comm, long mm, boolean write, long startTs, long acquireTs,
                     long releaseTs, boolean success, Ending ending, boolean replaced, long acquireSeq,
                     long releaseSeq) {
        span(id, tid, comm, mm, write, startTs, acquireTs, releaseTs, success, ending, replaced, acquireSeq, releaseSeq,
                false, false);
    }

    /**
     * As above; {@code waitAcrossLost} / {@code holdAcrossLost}: lost events came between the span's
     * start and acquisition / acquisition and release, so {@code wait_ns} / {@code hold_ns} are NULL (not
     * samples) while the timestamps stay.
     */
    public void span(long id, int tid, String comm, long mm, boolean write, long startTs, long acquireTs,
                     long releaseTs, boolean success, Ending ending, boolean replaced, long acquireSeq,
                     long releaseSeq, boolean waitAcrossLost, boolean holdAcrossLost) {
        if (rows == null) {
            return;
        }
        boolean s = startTs != NONE;
        boolean a = acquireTs != NONE;
        boolean r = releaseTs != NONE;
        try {
            rows.begin().str(run).i64(id).i32(tid).str(comm).i64(mm).bool(write).i64(startTs, s).i64(acquireTs, a)
                    .i64(releaseTs, r).i64(acquireTs - startTs, s && a && !waitAcrossLost)
                    .i64(releaseTs - acquireTs, a && r && ending == Ending.RELEASED && !holdAcrossLost).bool(success, a)
                    .str(ending.column).bool(replaced).i64(acquireSeq, acquireSeq != NONE)
                    .i64(releaseSeq, releaseSeq != NONE);
            rows.end();
        } catch (SQLException e) {
            throw new DbException("cannot append to lock_spans: " + DbException.firstLine(e), e);
        }
    }
}
