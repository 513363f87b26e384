package vmalock.fleet;

import java.io.Serializable;
import java.util.List;

/**
 * The replay of some address spaces of one trace under one policy (a {@code --fanout mm} task): the events they
 * emitted (unrounded timestamps, event blocks) and their {@link vmalock.replay.ReplayResult} in serializable form,
 * for the trace's merge task — or why it failed.
 */
public final class MmPart implements Serializable {
    private static final long serialVersionUID = 1L;
    public TraceInput input;
    public String policy;
    public int order;
    /** The address spaces replayed ({@code MmWork.index}), ascending; the merge's tie-break is the first. */
    public int[] mms;
    public String error;
    public List<byte[]> events;
    /** {@link vmalock.replay.ReplayCounters}, Kryo-encoded (it holds latency samples; it is not Serializable). */
    public byte[] counters;
    /** The findings, each {invariant, timeNs, tid, comm, mm, vmaStart, detail}. */
    public List<Object[]> findings;
    public long defects, violations, firstNs, lastNs, eventCount, operations, wallNs, replayMs;
    public int workloadMms;
}
