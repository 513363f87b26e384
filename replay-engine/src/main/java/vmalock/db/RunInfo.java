package vmalock.db;

/**
 * One row of the {@code runs} table: what a set of derived rows describes.
 *
 * @param run        the run id, the key of every derived table ({@link #OBSERVED} for the trace itself)
 * @param policy     {@code observed}, or the replay policy's name
 * @param parameters the policy parameters / replay options as text (JSON for replays), or null
 * @param seed       the replay seed, or null for the observed run
 * @param timeUnit   {@code ns}, or {@code ticks} for counter clocks
 */
public record RunInfo(String run, String policy, String parameters, Long seed, String timeUnit) {
    public static final String OBSERVED = "observed";

    public RunInfo {
        if (run == null || run.isEmpty()) {
            throw new IllegalArgumentException("run id must not be empty");
        }
        if (policy == null) {
            policy = OBSERVED;
        }
        if (timeUnit == null) {
            timeUnit = "ns";
        }
    }

    /** The observed trace (time unit ns or ticks). */
    public static RunInfo observed(String timeUnit) {
        return new RunInfo(OBSERVED, OBSERVED, null, null, timeUnit);
    }

    /** A replay run. */
    public static RunInfo replay(String run, String policy, String parameters, long seed) {
        return new RunInfo(run, policy, parameters, seed, "ns");
    }

    /** The {@code runs.description} of the run. */
    public String description() {
        return OBSERVED.equals(policy) ? "the trace as captured" : "replay under " + policy;
    }
}
