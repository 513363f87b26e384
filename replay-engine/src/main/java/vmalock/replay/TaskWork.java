package vmalock.replay;

import java.util.Arrays;

/**
 * What one task did on one mm: its operations in trace order. While the trace is read, finished
 * operations may be spilled to the workload's {@link Spill} file ({@link #ops} then holds only the
 * unspilled tail); {@link #replayOps()} gives them all back, derived, in order.
 */
public final class TaskWork {
    public final int tid;
    public String comm;
    /** Operations not spilled (all of them when the workload never spilled). */
    public final Ops ops = new Ops();
    /** Spilled chunks: (file offset, operation count) pairs. */
    long[] chunks = new long[0];
    int nChunks;
    int spilled;
    /** Set when spilled: the class of READ operations (remote/other), the fault-cost estimate, the file. */
    int readClass = Ops.CLASS_OTHER;
    long faultCostNs;
    /** How a per-VMA-lock fault's cost follows its traced gap: see {@link Ops#finish(long, double, long, long)}. */
    double faultGapScale;
    long faultGapTail, faultGapBody;
    /** Spilled work: the per-page zap bound for madvise ({@link Ops#finish(long, double, long, long, long)}). */
    long zapNsPerPage;
    Spill spill;
    /** The task's off-CPU timeline (null when the trace has no sched_switch events). */
    SchedTimeline timeline;
    /** The CPU of the task's event that began this work (-1: not in the trace): its first CPU in the replay. */
    int firstCpu = -1;

    TaskWork(int tid, String comm) {
        this.tid = tid;
        this.comm = comm;
    }

    /** Start of the first operation (trace clock), MAX_VALUE without operations. */
    long firstStart() {
        return spilled > 0 ? spilledFirstStart : ops.n > 0 ? ops.start[0] : Long.MAX_VALUE;
    }

    long spilledFirstStart;

    void addChunk(long offset, int count) {
        if (2 * nChunks == chunks.length) chunks = Arrays.copyOf(chunks, Math.max(8, 2 * chunks.length));
        chunks[2 * nChunks] = offset;
        chunks[2 * nChunks + 1] = count;
        nChunks++;
        spilled += count;
    }

    /** Operations of the task on this mm, spilled or not. */
    public int size() {
        return spilled + ops.n;
    }

    /**
     * The operations, derived (think and service times), for one replay: the in-memory {@link #ops}
     * when nothing was spilled, else a fresh streaming view over the spill file (one per replay).
     */
    public Ops replayOps() {
        if (spilled == 0) return ops;
        Ops o = Ops.streaming(spill.reader(this), spilled, faultCostNs, faultGapScale, faultGapTail, faultGapBody, readClass, zapNsPerPage);
        o.timeline = timeline;
        return o;
    }
}
