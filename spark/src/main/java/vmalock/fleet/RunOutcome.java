package vmalock.fleet;

import java.io.Serializable;

/** One replay of one trace under one policy: its {@code compare --format json} run entry, or why it failed. */
public final class RunOutcome implements Serializable {
    private static final long serialVersionUID = 1L;
    public TraceInput input;
    public String policy;
    /** The policy's position in the compared list (compare's order of runs). */
    public int order;
    public String error;
    /** The policy of the kernel that produced the trace (compare's default baseline). */
    public String kernelPolicy;
    /** {"policy", "run", "stats", and Comparison.RUN_FIELDS}: compare's entry for this run. */
    public String entryJson;
    public long replayMs;
    /** The replay's workspace tables (lock_spans, …) under run {@code TRACE_ID/POLICY}. */
    public WsRows ws;
}
