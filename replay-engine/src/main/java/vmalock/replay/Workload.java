package vmalock.replay;

import java.util.List;

/**
 * A trace turned into work: one {@link MmWork} per address space, plus how the service-time
 * estimates were chosen and what could not be attributed.
 */
public final class Workload {
    public final List<MmWork> mms;
    /** Service time of a fault handled under the per-VMA lock (the trace shows no end for it), ns. */
    public final long faultCostNs;
    /** Where {@link #faultCostNs} came from: {@code option}, {@code trace-fallback-median}, {@code spec-default}. */
    public final String faultCostSource;
    /** Samples behind a trace-calibrated fault cost. */
    public final long faultCostSamples;
    /** Mean uncontended start_locking→acquire_returned time of the trace (≤2 µs samples), ns. */
    public final long acquireCostNs;
    public final long acquireCostSamples;
    /** Faults of tasks whose address space never became known (no mm-bearing event, no known VMA). */
    public final long unattributedFaults;
    /** mmap_lock events that did not pair (acquire without start, release without acquire, …). */
    public final long unpairedEvents;
    /** Lost-event markers in the input (the replay cannot reproduce what was not recorded). */
    public final long lostEvents;
    /** Time resolution of the input timestamps (ns): 1000 for µs-printing tools. */
    public final long resolutionNs;

    Workload(List<MmWork> mms, long faultCostNs, String faultCostSource, long faultCostSamples, long acquireCostNs,
             long acquireCostSamples, long unattributedFaults, long unpairedEvents, long lostEvents, long resolutionNs) {
        this.mms = mms;
        this.faultCostNs = faultCostNs;
        this.faultCostSource = faultCostSource;
        this.faultCostSamples = faultCostSamples;
        this.acquireCostNs = acquireCostNs;
        this.acquireCostSamples = acquireCostSamples;
        this.unattributedFaults = unattributedFaults;
        this.unpairedEvents = unpairedEvents;
        this.lostEvents = lostEvents;
        this.resolutionNs = resolutionNs;
    }

    public long operations() {
        long n = 0;
        for (MmWork m : mms) n += m.operations();
        return n;
    }

    public long faultsKnown() {
        long n = 0;
        for (MmWork m : mms) n += m.faultsKnown;
        return n;
    }

    public long faultsInferred() {
        long n = 0;
        for (MmWork m : mms) n += m.faultsInferred;
        return n;
    }
}
