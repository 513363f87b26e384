package vmalock.db;

import java.sql.SQLException;

/**
 * Writes {@code faults}: one row per user page fault with its observed path, as the pairing state
 * machine of {@code vmalock.stats} (rules 1–2) decides it.
 */
public final class FaultRows {
    /** The observed path of a fault: the values of {@code faults.path}. */
    public enum Path {
        /** no mmap_lock read acquisition of the task before its next fault: handled under the per-VMA lock. */
        VMA_LOCK,
        /** took mmap_lock for read: a fallback by rule 2 (the tool's definition). */
        MMAP_LOCK,
        /** a fallback by the looser rule 1 only (e.g. matched by the read acquisition of a downgrade). */
        MMAP_LOCK_RULE1_ONLY;

        final String column = name().toLowerCase(java.util.Locale.ROOT);

        public String column() {
            return column;
        }
    }

    private final Rows rows;
    private final String run;
    private long next;
    /** fault_counts: (tid, comm, fallback, fallback_loose, trylock_failed) → faults, in first-seen order. */
    private final java.util.Map<Key, long[]> counts = new java.util.LinkedHashMap<>();
    private Key lastKey;
    private long[] lastCount;

    private record Key(int tid, String comm, boolean fallback, boolean loose, boolean trylockFailed) {
    }

    /** @param rows the faults appender, or null to keep only the fault_counts roll-up (faults rows load lazily) */
    FaultRows(Rows rows, String run) {
        this.rows = rows;
        this.run = run;
    }

    /**
     * One fault, in fault order; {@code comm} is the comm printed on the fault's line. {@code span} is the id of the lock_spans row it matched (the read
     * acquisition of a fallback), or {@link LockSpanRows#NONE}. Returns the fault's id.
     */
    public long fault(int tid, String comm, long ts, long address, long ip, long errorCode, Path path, boolean fallback,
                      boolean fallbackLoose, boolean trylockFailed, long span) {
        long id = next++;
        Key k = lastKey;
        if (k == null || k.tid != tid || k.fallback != fallback || k.loose != fallbackLoose
                || k.trylockFailed != trylockFailed || !java.util.Objects.equals(k.comm, comm)) {
            k = new Key(tid, comm, fallback, fallbackLoose, trylockFailed);
            lastCount = counts.computeIfAbsent(k, x -> new long[1]);
            lastKey = k;
        }
        lastCount[0]++;
        if (rows == null) {
            return id;
        }
        try {
            rows.begin().str(run).i64(id).i32(tid).str(comm).i64(ts).i64(address).i64(ip).i64(errorCode).str(path.column)
                    .bool(fallback).bool(fallbackLoose).bool(trylockFailed).i64(span, span != LockSpanRows.NONE);
            rows.end();
        } catch (SQLException e) {
            throw new DbException("cannot append to faults: " + DbException.firstLine(e), e);
        }
        return id;
    }

    /** Writes the fault_counts roll-up of the run. */
    void writeCounts(Rows out) throws SQLException {
        for (java.util.Map.Entry<Key, long[]> en : counts.entrySet()) {
            Key k = en.getKey();
            out.begin().str(run).i32(k.tid).str(k.comm).bool(k.fallback).bool(k.loose).bool(k.trylockFailed)
                    .i64(en.getValue()[0]);
            out.end();
        }
    }
}
