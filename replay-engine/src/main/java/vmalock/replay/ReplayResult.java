package vmalock.replay;

import java.util.List;
import vmalock.lock.Finding;

/** What one replay run produced besides its events. */
public final class ReplayResult {
    public final String policy;
    public final ReplayOptions options;
    public final ReplayCounters counters;
    /** Modelled defects (e.g. the v2 NULL dereference) and invariant violations, in time order. */
    public final List<Finding> findings;
    public final long defects;
    public final long violations;
    public final long firstNs;
    public final long lastNs;
    public final long events;
    public final int mms;
    public final long operations;
    public final long wallNs;

    public ReplayResult(String policy, ReplayOptions options, ReplayCounters counters, List<Finding> findings, long defects,
                 long violations, long firstNs, long lastNs, long events, int mms, long operations, long wallNs) {
        this.policy = policy;
        this.options = options;
        this.counters = counters;
        this.findings = findings;
        this.defects = defects;
        this.violations = violations;
        this.firstNs = firstNs;
        this.lastNs = lastNs;
        this.events = events;
        this.mms = mms;
        this.operations = operations;
        this.wallNs = wallNs;
    }

    /** Simulated time from the first operation's start to the last task's end. */
    public long makespanNs() {
        return lastNs > firstNs ? lastNs - firstNs : 0;
    }
}
