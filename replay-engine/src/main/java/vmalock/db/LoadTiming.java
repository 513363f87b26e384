package vmalock.db;

/**
 * Where a database load spends its time, printed to stderr phase by phase when the JVM runs with
 * {@code -Dvmalock.db.timing=true} (e.g. {@code VMALOCK_JAVA_OPTS=-Dvmalock.db.timing=true ./vmalock stats …});
 * silent otherwise. For finding the slow step, not for tests (never timed assertions).
 */
final class LoadTiming {
    private static final boolean ON = Boolean.getBoolean("vmalock.db.timing");

    private final String what;
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    private long last = System.nanoTime();
    private long lastCpu = ON ? THREADS.getCurrentThreadCpuTime() : 0;

    LoadTiming(String what) {
        this.what = what;
    }

    /** Prints the wall time and this thread's CPU time since the previous phase (or since construction). */
    void phase(String name) {
        if (ON) {
            long now = System.nanoTime();
            long cpu = THREADS.getCurrentThreadCpuTime();
            System.err.printf("vmalock: db: %s: %s %.0f ms wall, %.0f ms cpu of this thread, %.0f ms waiting for the writer%n",
                    what, name, (now - last) / 1e6, (cpu - lastCpu) / 1e6, Rows.BLOCKED_NS.getAndSet(0) / 1e6);
            last = now;
            lastCpu = cpu;
        }
    }
}
