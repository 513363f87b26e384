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

    /**
     * The samples as ints while every one fits (ns up to 2.1 s: nearly every wait and hold), else as longs:
     * half the heap for the millions of samples of a large trace (a compare of a 1.1 GB trace ran out of a
     * 256 MB heap here). Allocated with the first sample: a replay has three per address space, most of
     * them empty or small. Sorting and every figure are the same either way.
     */
    private int[] iv = new int[0];
    /** Non-null once a sample did not fit in an int ({@link #iv} is then dropped). */
    private long[] v;
    private int n;
    private boolean sorted = true;

    private long at(int i) {
        return v != null ? v[i] : iv[i];
    }

    public void add(long x) {
        if (n > 0 && x < at(n - 1)) {
            sorted = false;
        }
        if (v == null && x == (int) x) {
            if (n == iv.length) {
                iv = Arrays.copyOf(iv, Math.max(16, n * 2));
            }
            iv[n++] = (int) x;
            return;
        }
        if (v == null) {
            v = new long[Math.max(16, iv.length)];
            for (int i = 0; i < n; i++) {
                v[i] = iv[i];
            }
            iv = null;
        }
        if (n == v.length) {
            v = Arrays.copyOf(v, Math.max(16, n * 2));
        }
        v[n++] = x;
    }

    /** Adds every sample of {@code o}. */
    public void addAll(Samples o) {
        for (int i = 0; i < o.n; i++) add(o.at(i));
    }

    /** For tests: the samples are held as ints (4 bytes each), not longs. */
    boolean compact() {
        return v == null;
    }

    public int count() {
        return n;
    }

    public long sum() {
        long s = 0;
        for (int i = 0; i < n; i++) {
            s += at(i);
        }
        return s;
    }

    public long negatives() {
        long c = 0;
        for (int i = 0; i < n; i++) {
            if (at(i) < 0) {
                c++;
            }
        }
        return c;
    }

    private void sort() {
        if (!sorted) {
            if (v != null) {
                Arrays.sort(v, 0, n);
            } else {
                Arrays.sort(iv, 0, n);
            }
            sorted = true;
        }
    }

    public long min() {
        sort();
        return at(0);
    }

    public long max() {
        sort();
        return at(n - 1);
    }

    /** Nearest-rank percentile in tenths of a percent ({@code 999} = p99.9); requires count() > 0. */
    public long permille(int pm) {
        sort();
        long rank = ((long) pm * n + 999) / 1000;
        if (rank < 1) {
            rank = 1;
        }
        return at((int) rank - 1);
    }

    /** Nearest-rank percentile, {@code 0 < pct <= 100}; requires count() > 0. */
    public long percentile(int pct) {
        sort();
        long rank = ((long) pct * n + 99) / 100; // ceil(pct/100 * n) in integers
        if (rank < 1) {
            rank = 1;
        }
        return at((int) rank - 1);
    }
}
