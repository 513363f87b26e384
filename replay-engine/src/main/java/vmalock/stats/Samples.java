package vmalock.stats;

import java.util.Arrays;

/**
 * A growable primitive array of samples (ns or ticks) with the summary the truth files use:
 * count, sum, min, nearest-rank p50/p90/p99 (rule 5: v[ceil(X/100·n)], 1-based), max and the number of
 * negative samples (timestamps that went backwards between CPUs).
 */
public final class Samples {
    /**
     * The latency summary of the replay's own figures (fault_latency_us, syscall_latency_us): count,
     * sum, min, nearest-rank p50/p90/p99/p999 and max, in µs (ns / 1000, exact to three decimals).
     */
    public com.fasterxml.jackson.databind.node.ObjectNode latencyJson() {
        com.fasterxml.jackson.databind.node.ObjectNode o = StatsJson.JSON.createObjectNode();
        o.put("count", n);
        o.put("sum", sum() / 1000.0);
        if (n == 0) {
            for (String k : new String[] {"min", "p50", "p90", "p99", "p999", "max"}) o.putNull(k);
            return o;
        }
        o.put("min", min() / 1000.0);
        o.put("p50", permille(500) / 1000.0);
        o.put("p90", permille(900) / 1000.0);
        o.put("p99", permille(990) / 1000.0);
        o.put("p999", permille(999) / 1000.0);
        o.put("max", max() / 1000.0);
        return o;
    }

    private long[] v = new long[1024];
    private int n;
    private boolean sorted = true;

    public void add(long x) {
        if (n == v.length) {
            v = Arrays.copyOf(v, n * 2);
        }
        if (n > 0 && x < v[n - 1]) {
            sorted = false;
        }
        v[n++] = x;
    }

    /** Adds every sample of {@code o}. */
    public void addAll(Samples o) {
        for (int i = 0; i < o.n; i++) add(o.v[i]);
    }

    public int count() {
        return n;
    }

    public long sum() {
        long s = 0;
        for (int i = 0; i < n; i++) {
            s += v[i];
        }
        return s;
    }

    public long negatives() {
        long c = 0;
        for (int i = 0; i < n; i++) {
            if (v[i] < 0) {
                c++;
            }
        }
        return c;
    }

    private void sort() {
        if (!sorted) {
            Arrays.sort(v, 0, n);
            sorted = true;
        }
    }

    public long min() {
        sort();
        return v[0];
    }

    public long max() {
        sort();
        return v[n - 1];
    }

    /** Nearest-rank percentile in tenths of a percent ({@code 999} = p99.9); requires count() > 0. */
    public long permille(int pm) {
        sort();
        long rank = ((long) pm * n + 999) / 1000;
        if (rank < 1) {
            rank = 1;
        }
        return v[(int) rank - 1];
    }

    /** Nearest-rank percentile, {@code 0 < pct <= 100}; requires count() > 0. */
    public long percentile(int pct) {
        sort();
        long rank = ((long) pct * n + 99) / 100; // ceil(pct/100 * n) in integers
        if (rank < 1) {
            rank = 1;
        }
        return v[(int) rank - 1];
    }
}
