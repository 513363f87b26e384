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

    private final RowSink rows;
    private final String run;
    private long next;
    /** fault_counts: (tid, comm, fallback, fallback_loose, trylock_failed) → faults, in first-seen order. */
    private final java.util.Map<Key, long[]> counts = new java.util.LinkedHashMap<>();
    // per task (direct-mapped by tid): its comm and the counters of its 8 flag combinations, so a fault
    // costs no key allocation or hash lookup once its (tid, comm, flags) has been seen
    private static final int CACHE = 1024;
    private final int[] cacheTid = new int[CACHE];
    private final String[] cacheComm = new String[CACHE];
    private final long[][][] cacheCounts = new long[CACHE][][];

    private record Key(int tid, String comm, boolean fallback, boolean loose, boolean trylockFailed) {
    }

    /** @param rows the faults appender, or null to keep only the fault_counts roll-up (faults rows load lazily) */
    FaultRows(RowSink rows, String run) {
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
        int slot = tid & (CACHE - 1);
        long[][] byFlags = cacheCounts[slot];
        if (byFlags == null || cacheTid[slot] != tid || !java.util.Objects.equals(cacheComm[slot], comm)) {
            byFlags = new long[8][];
            cacheCounts[slot] = byFlags;
            cacheTid[slot] = tid;
            cacheComm[slot] = comm;
        }
        int flags = (fallback ? 1 : 0) | (fallbackLoose ? 2 : 0) | (trylockFailed ? 4 : 0);
        long[] c = byFlags[flags];
        if (c == null) {
            c = counts.computeIfAbsent(new Key(tid, comm, fallback, fallbackLoose, trylockFailed), x -> new long[1]);
            byFlags[flags] = c;
        }
        c[0]++;
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
    void writeCounts(RowSink out) throws SQLException {
        for (java.util.Map.Entry<Key, long[]> en : counts.entrySet()) {
            Key k = en.getKey();
            out.begin().str(run).i32(k.tid).str(k.comm).bool(k.fallback).bool(k.loose).bool(k.trylockFailed)
                    .i64(en.getValue()[0]);
            out.end();
        }
    }
}
