package vmalock.lock;

import java.util.Arrays;

/**
 * The mm's maple tree, as an immutable sorted snapshot: writers (under mmap write) publish a new
 * snapshot; RCU readers walk whichever snapshot they loaded, so they can find a VMA that has just been
 * detached — exactly the race lock_vma_under_rcu must handle. Ranges are the tree's own (they may
 * differ from a VMA's vm_start/vm_end while a writer is changing it).
 */
final class VmaTree {
    static final VmaTree EMPTY = new VmaTree(new long[0], new long[0], new Vma[0]);
    final long[] starts;
    final long[] ends;
    final Vma[] vmas;

    VmaTree(long[] starts, long[] ends, Vma[] vmas) {
        this.starts = starts;
        this.ends = ends;
        this.vmas = vmas;
    }

    int size() {
        return vmas.length;
    }

    /** mas_walk: the entry containing addr, or null. */
    Vma walk(long addr) {
        int i = floor(addr);
        return i >= 0 && addr < ends[i] ? vmas[i] : null;
    }

    /** find_vma: the first VMA ending above addr, or null. */
    Vma findVma(long addr) {
        int i = floor(addr);
        if (i >= 0 && addr < ends[i]) return vmas[i];
        int j = i + 1;
        return j < vmas.length ? vmas[j] : null;
    }

    /** Index of the last entry with start ≤ addr, or -1. */
    private int floor(long addr) {
        int lo = 0, hi = starts.length - 1, r = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] <= addr) {
                r = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return r;
    }

    int indexOf(Vma v) {
        int i = floor(v.vmStart); // where its tree range starts, unless a writer is changing it
        if (i >= 0 && vmas[i] == v) return i;
        for (i = 0; i < vmas.length; i++) if (vmas[i] == v) return i;
        return -1;
    }

    /**
     * A copy with entry {@code i} stored for [start, end) — {@code without(v).with(v, start, end)} in one copy of
     * the bounds when the entry keeps its place in the order (the VMA array is shared: snapshots are immutable).
     */
    VmaTree withRange(int i, long start, long end) {
        int n = vmas.length;
        if ((i > 0 && starts[i - 1] >= start) || (i + 1 < n && starts[i + 1] <= start)) {
            return without(vmas[i]).with(vmas[i], start, end);
        }
        long[] s = starts.clone(), e = ends.clone();
        s[i] = start;
        e[i] = end;
        return new VmaTree(s, e, vmas);
    }

    /** A copy with v stored for [start, end); overlapping entries must have been removed. */
    VmaTree with(Vma v, long start, long end) {
        int n = vmas.length;
        int pos = start == Long.MIN_VALUE ? 0 : floor(start - 1) + 1; // the first entry with start ≥ start
        long[] s = new long[n + 1], e = new long[n + 1];
        Vma[] a = new Vma[n + 1];
        System.arraycopy(starts, 0, s, 0, pos);
        System.arraycopy(ends, 0, e, 0, pos);
        System.arraycopy(vmas, 0, a, 0, pos);
        s[pos] = start;
        e[pos] = end;
        a[pos] = v;
        System.arraycopy(starts, pos, s, pos + 1, n - pos);
        System.arraycopy(ends, pos, e, pos + 1, n - pos);
        System.arraycopy(vmas, pos, a, pos + 1, n - pos);
        return new VmaTree(s, e, a);
    }

    VmaTree without(Vma v) {
        int i = indexOf(v);
        if (i < 0) return this;
        int n = vmas.length;
        long[] s = new long[n - 1], e = new long[n - 1];
        Vma[] a = new Vma[n - 1];
        System.arraycopy(starts, 0, s, 0, i);
        System.arraycopy(ends, 0, e, 0, i);
        System.arraycopy(vmas, 0, a, 0, i);
        System.arraycopy(starts, i + 1, s, i, n - i - 1);
        System.arraycopy(ends, i + 1, e, i, n - i - 1);
        System.arraycopy(vmas, i + 1, a, i, n - i - 1);
        return new VmaTree(s, e, a);
    }

    Vma[] toArray() {
        return Arrays.copyOf(vmas, vmas.length);
    }
}
