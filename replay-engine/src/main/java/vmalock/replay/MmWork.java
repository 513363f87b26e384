package vmalock.replay;

import java.util.ArrayList;
import java.util.List;

/**
 * One address space (one {@code struct mm_struct} lifetime): a trace's mm key split by exec/fork
 * evidence into distinct instances, its tasks' work, and the VMAs that existed when it started
 * (maps snapshot and inferred regions) for the replay to start from.
 */
public final class MmWork {
    /** Dense index in the workload (creation order: deterministic). */
    public final int index;
    /** The mm value as printed (hashed by raw ftrace). */
    public final long key;
    /** 1 for the first address space seen under {@link #key}, 2 for the next one reusing it, … */
    public final int instance;
    public long firstTs = Long.MAX_VALUE;
    public long lastTs = Long.MIN_VALUE;
    final List<TaskWork> tasks = new ArrayList<>();
    /**
     * The address space was created by an exec seen in the trace: its VMAs have no anon_vma yet, so
     * the first write fault in each one runs vmf_anon_prepare's mmap_read_trylock.
     */
    boolean freshExec;
    /** Extraction only: the process whose own address space this is (WorkBuilder.Proc), or null. */
    Object owner;
    /** Time of the maps snapshot the address space was seeded from, or -1. */
    long snapshotTs = -1;

    /**
     * With a maps snapshot: a fault counts as in a known VMA when the snapshot or a syscall-created
     * VMA of the final traced model covers its address (approximate: the layout changes over time).
     */
    void recountCoverage() {
        AddressSpace snap = new AddressSpace();
        for (long[] m : seedMaps) snap.seed(m[0], m[1], (int) m[2], (int) m[3], m[4] != 0, Vma.Origin.MAPS);
        long known = 0;
        long inferred = 0;
        for (TaskWork t : tasks) {
            Ops o = t.replayOps();
            for (int i = 0; i < o.size(); i++) {
                if (o.kind[i] != Ops.FAULT) continue;
                Vma v = traced.find(o.addr[i]);
                if (snap.find(o.addr[i]) != null || v != null && v.origin != Vma.Origin.INFERRED) known++;
                else inferred++;
            }
        }
        faultsKnown = known;
        faultsInferred = inferred;
    }

    /** Extraction only: the last mmap_lock release (or downgrade) seen on this mm. */
    long lastReleaseTs = Long.MIN_VALUE;
    /** The task of the last mmap_lock release (WorkBuilder: hot and cold acquisition costs). */
    int lastReleaseTid = -1;
    /** Extraction only: the last hand-over point (a release or a downgrade), its task, and the CPUs idle then (bit c: CPU c). */
    long handoverTs = Long.MIN_VALUE;
    int handoverTid = -1;
    long handoverIdleCpus;
    /** The model built while reading the trace (ends in the trace's final layout); null once compacted. */
    AddressSpace traced = new AddressSpace();
    /** After {@link #compact}: the inferred pieces (start, end pairs, by start) the replay seeds from. */
    private long[] inferred;
    /** VMAs of the traced model when it was compacted. */
    int tracedVmas;

    private long[] sortedPieces() {
        java.util.List<long[]> pieces = new ArrayList<>(traced.inferredPieces);
        pieces.sort((x, y) -> Long.compare(x[0], y[0]));
        long[] flat = new long[2 * pieces.size()];
        for (int k = 0; k < pieces.size(); k++) {
            flat[2 * k] = pieces.get(k)[0];
            flat[2 * k + 1] = pieces.get(k)[1];
        }
        return flat;
    }

    /**
     * Keeps only what the replay needs from the traced model (its inferred regions, flat): the VMA
     * tree of every address space of the trace would otherwise stay in memory for the whole replay.
     */
    void compact() {
        if (traced == null) return;
        inferred = sortedPieces();
        int n = 0;
        for (Vma v : traced.vmas()) n++;
        tracedVmas = n;
        traced = null;
    }
    /** VMAs present at the start: from a maps snapshot (origin MAPS). */
    final List<long[]> seedMaps = new ArrayList<>();
    // address-space coverage
    long faultsKnown;
    long faultsInferred;
    long rangesKnown;
    long rangesInferred;

    MmWork(int index, long key, int instance) {
        this.index = index;
        this.key = key;
        this.instance = instance;
    }

    /** {@code 000000005f3681c8} (first instance) or {@code 000000005f3681c8#2} (reused key). */
    public String label() {
        String hex = String.format("%016x", key);
        return instance == 1 ? hex : hex + "#" + instance;
    }

    public List<TaskWork> tasks() {
        return tasks;
    }

    private long firstStart = Long.MIN_VALUE;

    /** Start of the earliest operation of its tasks (trace clock), MAX_VALUE without any. */
    public long firstStart() {
        if (firstStart == Long.MIN_VALUE) {
            long f = Long.MAX_VALUE;
            for (TaskWork t : tasks) f = Math.min(f, t.firstStart());
            firstStart = f;
        }
        return firstStart;
    }

    public long operations() {
        long n = 0;
        for (TaskWork t : tasks) n += t.size();
        return n;
    }

    public long faultsKnown() { return faultsKnown; }
    public long faultsInferred() { return faultsInferred; }
    public long rangesKnown() { return rangesKnown; }
    public long rangesInferred() { return rangesInferred; }

    /**
     * A fresh address space for a replay: the maps snapshot, plus the inferred regions of the traced
     * model (pre-existing memory the trace only touched), without locking anything.
     */
    public AddressSpace initialAddressSpace() {
        AddressSpace as = new AddressSpace();
        for (long[] m : seedMaps) {
            if (as.find(m[0]) == null) as.seed(m[0], m[1], (int) m[2], (int) m[3], m[4] != 0, Vma.Origin.MAPS).hasAnonVma = !freshExec;
        }
        long[] pieces = traced != null ? sortedPieces() : inferred;
        long lo = -1;
        long hi = -1;
        for (int k = 0; k < pieces.length; k += 2) {
            long[] p = {pieces[k], pieces[k + 1]};
            if (lo >= 0 && p[0] - hi <= AddressSpace.INFER_GAP && !seededBetween(as, hi, p[0])) {
                hi = Math.max(hi, p[1]);
                continue;
            }
            if (lo >= 0) seedInferred(as, lo, hi);
            lo = p[0];
            hi = p[1];
        }
        if (lo >= 0) seedInferred(as, lo, hi);
        return as;
    }

    private static boolean seededBetween(AddressSpace as, long a, long b) {
        for (Vma v : as.vmas()) if (v.start < b && v.end > a) return true;
        return false;
    }

    private void seedInferred(AddressSpace as, long lo, long hi) {
        // never overlap a snapshot VMA: keep the uncovered pieces
        long s = lo;
        while (s < hi) {
            Vma v = as.find(s);
            if (v != null) { s = v.end; continue; }
            long e = hi;
            for (Vma w : as.vmas()) if (w.start > s && w.start < e) e = w.start;
            as.seed(s, e, 3, 0, true, Vma.Origin.INFERRED).hasAnonVma = !freshExec;
            s = e;
        }
    }
}
