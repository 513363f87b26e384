package vmalock.lock;

import java.util.Arrays;

/**
 * The present pages of one VMA (what {@code folio_walk_start} would find mapped), as a sorted set of
 * disjoint page-aligned address ranges {@code [start, end)} in one primitive array: a VMA of many GB
 * costs 16 bytes per run of present pages, not a bit per page — memory that predates the trace is one
 * range, and pages faulted one after another coalesce. Addresses are absolute (not relative to
 * {@code vm_start}), so a split restricts, a merge unions and a move shifts without renumbering.
 * Methods are synchronized: under {@code --live} faults on several threads add to the same VMA's set.
 */
public final class Pages {
    public static final long PAGE = 4096;
    private static final long MASK = ~(PAGE - 1);

    /** start0, end0, start1, end1, … sorted, disjoint and non-adjacent. */
    private long[] r = new long[4];
    private int n;

    /** The pages of {@code [start, end)} (rounded out to pages), all present. */
    public static Pages of(long start, long end) {
        Pages p = new Pages();
        p.addRange(start, end);
        return p;
    }

    /** Marks the page containing {@code addr} present (a completed fault). */
    public synchronized void add(long addr) {
        long p = addr & MASK;
        addRange(p, p + PAGE);
    }

    /** Marks every page of {@code [start, end)} present. */
    public synchronized void addRange(long start, long end) {
        long s = start & MASK;
        long e = (end + PAGE - 1) & MASK;
        if (s >= e) return;
        int i = firstEndAtLeast(s); // first range that touches or follows s
        int j = i;
        while (j < n && r[2 * j] <= e) j++; // ranges touching [s, e]
        if (i < j) {
            s = Math.min(s, r[2 * i]);
            e = Math.max(e, r[2 * j - 1]);
        }
        replace(i, j, s, e, 0, 0, 1);
    }

    /** Marks every page of {@code [start, end)} not present (zap: MADV_DONTNEED, munmap). */
    public synchronized void remove(long start, long end) {
        long s = start & MASK;
        long e = (end + PAGE - 1) & MASK;
        if (s >= e) return;
        int i = firstEndAbove(s);
        int j = i;
        while (j < n && r[2 * j] < e) j++; // ranges overlapping [s, e)
        if (i == j) return;
        long leftStart = r[2 * i];
        long rightEnd = r[2 * j - 1];
        boolean left = leftStart < s;
        boolean right = rightEnd > e;
        if (left && right) replace(i, j, leftStart, s, e, rightEnd, 2);
        else if (left) replace(i, j, leftStart, s, 0, 0, 1);
        else if (right) replace(i, j, e, rightEnd, 0, 0, 1);
        else replace(i, j, 0, 0, 0, 0, 0);
    }

    /** Whether the page containing {@code addr} is present. */
    public synchronized boolean contains(long addr) {
        int i = firstEndAbove(addr);
        return i < n && r[2 * i] <= addr;
    }

    public synchronized boolean isEmpty() {
        return n == 0;
    }

    /** Number of present pages. */
    public synchronized long count() {
        long c = 0;
        for (int k = 0; k < n; k++) c += (r[2 * k + 1] - r[2 * k]) / PAGE;
        return c;
    }

    /** Adds every page of {@code o} shifted by {@code delta} bytes (0: a union). */
    public void addAll(Pages o, long delta) {
        long[] copy;
        int m;
        synchronized (o) {
            copy = Arrays.copyOf(o.r, 2 * o.n);
            m = o.n;
        }
        synchronized (this) {
            for (int k = 0; k < m; k++) addRange(copy[2 * k] + delta, copy[2 * k + 1] + delta);
        }
    }

    /** The present pages of {@code [start, end)}, as a new set. */
    public synchronized Pages restrict(long start, long end) {
        Pages p = new Pages();
        for (int k = firstEndAbove(start); k < n && r[2 * k] < end; k++) {
            p.addRange(Math.max(start, r[2 * k]), Math.min(end, r[2 * k + 1]));
        }
        return p;
    }

    /** First range whose end is > x. */
    private int firstEndAbove(long x) {
        int lo = 0, hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (r[2 * mid + 1] > x) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    /** First range whose end is ≥ x (touching x counts: adjacent ranges coalesce). */
    private int firstEndAtLeast(long x) {
        int lo = 0, hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (r[2 * mid + 1] >= x) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    /** Replaces ranges {@code [i, j)} with {@code k} (0–2) ranges {@code [a, b)}, {@code [c, d)}. */
    private void replace(int i, int j, long a, long b, long c, long d, int k) {
        int newN = n - (j - i) + k;
        if (2 * newN > r.length) r = Arrays.copyOf(r, Math.max(2 * newN, 2 * r.length));
        System.arraycopy(r, 2 * j, r, 2 * (i + k), 2 * (n - j));
        if (k >= 1) {
            r[2 * i] = a;
            r[2 * i + 1] = b;
        }
        if (k == 2) {
            r[2 * i + 2] = c;
            r[2 * i + 3] = d;
        }
        n = newN;
    }

    @Override
    public synchronized String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int k = 0; k < n; k++) {
            if (k > 0) sb.append(", ");
            sb.append(Long.toHexString(r[2 * k])).append('-').append(Long.toHexString(r[2 * k + 1]));
        }
        return sb.append(']').toString();
    }
}
