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
        com.fasterxml.jackson.databind.node.ObjectNode o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
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
     * half the heap for the millions of samples of a large trace. Held in chunks of {@link #CHUNK}: the first
     * grows from 16 (a replay has three Samples per address space, most of them empty or small), every later
     * one is allocated whole. No array is ever copied to a larger one, and none is large enough to be a
     * humongous object of the G1 collector: a contiguous array of millions of samples doubled at each growth
     * (three times its size for the copy) and needed that many contiguous free regions, which a compare of a
     * 1.1 GB trace in a 256 MB heap could not find ({@code OutOfMemoryError} with 156 MB live).
     */
    static final int CHUNK_BITS = 15;
    static final int CHUNK = 1 << CHUNK_BITS;
    /** The int chunks, every one but the last full; null once a sample did not fit in an int. */
    private int[][] ic = new int[1][];
    /** The long chunks, non-null once a sample did not fit in an int ({@link #ic} is then dropped). */
    private long[][] lc;
    private int n;
    /** Every chunk is in ascending order (then min, max and percentiles need no sort). */
    private boolean sorted = true;

    private long at(int i) {
        return lc != null ? lc[i >>> CHUNK_BITS][i & (CHUNK - 1)] : ic[i >>> CHUNK_BITS][i & (CHUNK - 1)];
    }

    private int chunks() {
        return n == 0 ? 0 : ((n - 1) >>> CHUNK_BITS) + 1;
    }

    /** Samples in chunk {@code c}. */
    private int size(int c) {
        return c < chunks() - 1 ? CHUNK : n - (c << CHUNK_BITS);
    }

    public void add(long x) {
        int off = n & (CHUNK - 1);
        if (off > 0 && x < at(n - 1)) {
            sorted = false;
        }
        int c = n >>> CHUNK_BITS;
        if (lc == null && x == (int) x) {
            if (c == ic.length) {
                ic = Arrays.copyOf(ic, c * 2);
            }
            int[] a = ic[c];
            if (a == null || off == a.length) { // the first chunk grows from 16, the others are allocated whole
                a = a == null ? new int[c == 0 ? 16 : CHUNK] : Arrays.copyOf(a, Math.min(CHUNK, off * 2));
                ic[c] = a;
            }
            a[off] = (int) x;
            n++;
            return;
        }
        if (lc == null) {
            lc = new long[ic.length][];
            for (int k = 0; k < chunks(); k++) {
                int[] a = ic[k];
                long[] l = new long[a.length];
                for (int i = 0; i < size(k); i++) {
                    l[i] = a[i];
                }
                lc[k] = l;
                ic[k] = null; // freed as it goes
            }
            ic = null;
        }
        if (c == lc.length) {
            lc = Arrays.copyOf(lc, c * 2);
        }
        long[] a = lc[c];
        if (a == null || off == a.length) {
            a = a == null ? new long[c == 0 ? 16 : CHUNK] : Arrays.copyOf(a, Math.min(CHUNK, off * 2));
            lc[c] = a;
        }
        a[off] = x;
        n++;
    }

    /** Adds every sample of {@code o}. */
    public void addAll(Samples o) {
        for (int i = 0; i < o.n; i++) add(o.at(i));
    }

    /** For tests: the samples are held as ints (4 bytes each), not longs. */
    boolean compact() {
        return lc == null;
    }

    /** For tests: the length of the longest array held. */
    int longestArray() {
        int m = 0;
        for (int k = 0; k < chunks(); k++) {
            m = Math.max(m, lc != null ? lc[k].length : ic[k].length);
        }
        return Math.max(m, lc != null ? lc.length : ic.length);
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
            for (int k = 0; k < chunks(); k++) {
                if (lc != null) {
                    Arrays.sort(lc[k], 0, size(k));
                } else {
                    Arrays.sort(ic[k], 0, size(k));
                }
            }
            sorted = true;
        }
    }

    public long min() {
        return rank(1);
    }

    public long max() {
        return rank(n);
    }

    /**
     * The sample of 1-based rank {@code r} in ascending order (as if all were sorted into one array): with one
     * chunk its element; with several (each sorted), the smallest value v with at least r samples ≤ v, found by
     * halving the value range — exactly the element a sort of all the samples puts at r.
     */
    private long rank(long r) {
        sort();
        int k = chunks();
        if (k == 1) {
            return at((int) r - 1);
        }
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (int c = 0; c < k; c++) {
            lo = Math.min(lo, at(c << CHUNK_BITS));
            hi = Math.max(hi, at((c << CHUNK_BITS) + size(c) - 1));
        }
        while (lo < hi) { // invariant: the answer is in [lo, hi]
            long mid = (lo >> 1) + (hi >> 1) + (lo & hi & 1); // floor((lo + hi) / 2) without overflow
            if (atMost(mid) >= r) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** The number of samples ≤ v (every chunk sorted). */
    private long atMost(long v) {
        long m = 0;
        for (int c = 0; c < chunks(); c++) {
            int a = 0;
            int b = size(c); // first index in [a, b) whose sample is > v
            while (a < b) {
                int h = (a + b) >>> 1;
                long x = lc != null ? lc[c][h] : ic[c][h];
                if (x <= v) {
                    a = h + 1;
                } else {
                    b = h;
                }
            }
            m += a;
        }
        return m;
    }

    /** Nearest-rank percentile in tenths of a percent ({@code 999} = p99.9); requires count() > 0. */
    public long permille(int pm) {
        long rank = ((long) pm * n + 999) / 1000;
        if (rank < 1) {
            rank = 1;
        }
        return rank(rank);
    }

    /** Nearest-rank percentile, {@code 0 < pct <= 100}; requires count() > 0. */
    public long percentile(int pct) {
        long rank = ((long) pct * n + 99) / 100; // ceil(pct/100 * n) in integers
        if (rank < 1) {
            rank = 1;
        }
        return rank(rank);
    }
}
