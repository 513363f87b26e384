package vmalock.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A per-mm VMA tree (the maple tree reduced to a {@link TreeMap} by start address) with the write-side
 * operations of spec §4: each operation tells its {@link Listener} which VMAs it write-locks
 * ({@code vma_start_write}), attaches and detaches, in the kernel's order. The same code builds the
 * address space while a trace is read and re-executes it during a replay, so the VMAs a replayed write
 * section locks are the ones the kernel would have locked in the replayed order.
 *
 * <p>Modelling rules (also in the README): splits write-lock the VMA being split and the new piece
 * (locked before insertion); a flag change that does not change the flags locks nothing
 * ({@code mprotect_fixup}/{@code madvise_update_vma} return early); adjacent private anonymous VMAs
 * with equal flags merge, write-locking both; file mappings never merge (the file is unknown).
 */
public final class AddressSpace {
    public static final long PAGE = 4096;
    /** Gap within which an uncovered address extends an inferred region instead of starting a new one. */
    public static final long INFER_GAP = 1L << 20;

    // mmap flags / prot (uapi)
    public static final int MAP_SHARED = 0x1;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_GROWSDOWN = 0x100;

    /** What an operation does to VMAs, in order. All callbacks default to no-ops. */
    public interface Listener {
        default void writeLock(Vma v) {}
        default void attach(Vma v) {}
        default void detach(Vma v) {}
        /** v's range, protection or flags changed (after {@link #writeLock} of it). */
        default void changed(Vma v) {}
        /** The pages of [start, end) are unmapped (their presence ends with them). */
        default void zap(long start, long end) {}
        /** mremap moves the pages of [from, from + len) to [to, to + len) (move_page_tables). */
        default void move(long from, long to, long len) {}
    }

    public static final Listener NONE = new Listener() {};

    private final TreeMap<Long, Vma> vmas = new TreeMap<>();
    /** Extraction only: every range {@link #touch} inferred, as {start, end} pairs. */
    final List<long[]> inferredPieces = new ArrayList<>();
    private int nextId;
    private long brk = -1;

    public int size() {
        return vmas.size();
    }

    public Iterable<Vma> vmas() {
        return vmas.values();
    }

    /** The VMA containing {@code addr} (maple walk to the entry containing it), or null for a gap. */
    public Vma find(long addr) {
        Map.Entry<Long, Vma> e = vmas.floorEntry(addr);
        if (e == null) return null;
        Vma v = e.getValue();
        return addr < v.end ? v : null;
    }

    /** The {@code k}-th VMA in address order (0-based), or null. */
    public Vma get(int k) {
        if (k < 0 || k >= vmas.size()) return null;
        for (Vma v : vmas.values()) {
            if (k-- == 0) return v;
        }
        return null;
    }

    /** Inserts a VMA known before the replay starts (maps snapshot, inferred region) without locking. */
    public Vma seed(long start, long end, int prot, int flags, boolean anon, Vma.Origin origin) {
        Vma v = new Vma(nextId++, start, end, prot, flags, anon, origin);
        v.hasAnonVma = origin != Vma.Origin.SYSCALL; // pre-existing memory: assume it has faulted before
        vmas.put(start, v);
        return v;
    }

    /**
     * A write fault at {@code addr} completed: its VMA has an anon_vma from now on. Returns whether it was a
     * known private anonymous VMA without one, i.e. the fault ran {@code vmf_anon_prepare()} (an mmap_lock
     * trylock section around {@code anon_vma_prepare()} on a kernel with per-VMA locks).
     */
    public boolean prepareAnon(long addr) {
        Vma v = find(addr);
        if (v == null || v.origin == Vma.Origin.INFERRED) return false;
        boolean fresh = v.anon && !v.hasAnonVma;
        v.hasAnonVma = true;
        return fresh;
    }

    /**
     * Extraction only: makes sure [addr, addr+len) is covered, extending or creating inferred VMAs.
     * Returns true when the address was already covered by a VMA that is not inferred.
     */
    public boolean touch(long addr, long len) {
        long s = addr & -PAGE;
        long e = Math.max(s + PAGE, (addr + Math.max(len, 1) + PAGE - 1) & -PAGE);
        Vma v = find(addr);
        if (v != null && v.origin != Vma.Origin.INFERRED && e <= v.end) return true;
        if (v != null && e <= v.end) return false;
        // extend a neighbouring inferred region within INFER_GAP, without overlapping other VMAs
        Map.Entry<Long, Vma> le = vmas.floorEntry(addr);
        Vma prev = le == null ? null : le.getValue();
        Map.Entry<Long, Vma> he = vmas.higherEntry(s);
        Vma next = he == null ? null : he.getValue();
        long lo = s;
        long hi = e;
        if (prev != null && prev.end > lo) lo = prev.end; // partially covered: infer only the remainder
        if (next != null && hi > next.start) hi = next.start;
        if (lo >= hi) return false;
        inferredPieces.add(new long[] {lo, hi});
        if (prev != null && prev.origin == Vma.Origin.INFERRED && lo - prev.end <= INFER_GAP) {
            prev.end = hi;
            return false;
        }
        if (next != null && next.origin == Vma.Origin.INFERRED && next.start - hi <= INFER_GAP) {
            vmas.remove(next.start);
            next.start = lo;
            vmas.put(lo, next);
            return false;
        }
        seed(lo, hi, 3, 0, true, Vma.Origin.INFERRED);
        return false;
    }

    // ---------------------------------------------------------------------------------------------
    // write-side operations (caller holds mmap_write_lock)

    /** mmap returned {@code addr}: unmap what it overlaps, then insert (or merge into) the new VMA. */
    public void mmap(long addr, long len, int prot, int mapFlags, Listener l) {
        long end = addr + pageAlign(len);
        long at = tracedAt;
        tracedAt = Long.MAX_VALUE; // the kernel returned this range: whatever the model still has there goes
        unmap(addr, end, l);
        tracedAt = at;
        boolean anon = (mapFlags & MAP_ANONYMOUS) != 0 && (mapFlags & MAP_SHARED) == 0;
        int flags = (mapFlags & MAP_GROWSDOWN) != 0 ? Vma.VM_GROWSDOWN : 0;
        Vma prev = find(addr - 1);
        if (prev != null && prev.end == addr && anon && prev.anon && prev.prot == prot && prev.flags == flags
                && prev.origin != Vma.Origin.INFERRED) {
            l.writeLock(prev); // vma_expand of the merge partner
            prev.end = end;
            l.changed(prev);
            return;
        }
        Vma v = new Vma(nextId++, addr, end, prot, flags, anon, Vma.Origin.SYSCALL);
        v.mappedAt = at;
        l.writeLock(v); // new VMA locked before insertion (refcnt 0: only the seq is set)
        vmas.put(addr, v);
        l.attach(v);
    }

    /**
     * Traced start of the syscall being applied (ns), Long.MAX_VALUE when none is ({@link SyscallEffect#apply} sets
     * it): a munmap leaves alone what a syscall traced after it mapped. Two threads of a process can have the
     * kernel hand one's munmapped range to the other's mmap while the munmap is still finishing; the closed-loop
     * replay may then run the mmap first — its own unmap of the overlap takes the old mapping away, and the
     * munmap, replayed after, must not take the new one.
     */
    long tracedAt = Long.MAX_VALUE;
    /** munmaps that found part of their range mapped by a syscall traced after them (replayed out of order). */
    long unmapsOfLaterMappings;

    /** munmap / the unmapping part of mremap and brk shrink: split the edges, lock and detach. */
    public void unmap(long start, long end, Listener l) {
        for (Vma v : overlapping(start, end)) {
            if (v.mappedAt > tracedAt) { // mapped by a syscall traced later: unmap only around it
                unmapsOfLaterMappings++;
                if (start < v.start) unmap(start, v.start, l);
                if (v.end < end) unmap(v.end, end, l);
                return;
            }
        }
        splitAt(start, l);
        splitAt(end, l);
        List<Vma> in = overlapping(start, end);
        for (Vma v : in) {
            l.writeLock(v);
        }
        for (Vma v : in) {
            vmas.remove(v.start);
            l.detach(v);
        }
        l.zap(start, end);
    }

    /** mprotect: every VMA in range whose protection changes is split out, locked, updated, merged. */
    public void mprotect(long start, long len, int prot, Listener l) {
        changeRange(start, start + pageAlign(len), l, v -> v.prot != prot, v -> v.prot = prot);
    }

    /**
     * madvise: write-mode behaviours change vm_flags on the range (and lock what they change);
     * read-mode behaviours change nothing here.
     */
    public void madvise(long start, long len, int behavior, Listener l) {
        int set = madviseSet(behavior);
        int clear = madviseClear(behavior);
        if (set == 0 && clear == 0) return;
        changeRange(start, start + pageAlign(len), l, v -> ((v.flags | set) & ~clear) != v.flags,
                v -> v.flags = (v.flags | set) & ~clear);
    }

    /** mremap: shrink, grow in place, or move ({@code ret} is the new address). */
    public void mremap(long addr, long oldLen, long newLen, long ret, Listener l) {
        oldLen = pageAlign(oldLen);
        newLen = pageAlign(newLen);
        Vma src = find(addr);
        if (ret == addr) {
            if (newLen < oldLen) {
                unmap(addr + newLen, addr + oldLen, l);
            } else if (newLen > oldLen && src != null) {
                l.writeLock(src);
                long newEnd = addr + newLen;
                Vma next = vmas.higherEntry(src.start) == null ? null : vmas.higherEntry(src.start).getValue();
                src.end = next != null ? Math.min(newEnd, next.start) : newEnd;
                l.changed(src);
            }
            return;
        }
        int prot = src != null ? src.prot : 3;
        int flags = src != null ? src.flags : 0;
        boolean anon = src == null || src.anon;
        unmap(ret, ret + newLen, l);
        Vma v = new Vma(nextId++, ret, ret + newLen, prot, flags, anon, Vma.Origin.SYSCALL);
        v.hasAnonVma = src != null && src.hasAnonVma;
        l.writeLock(v);
        vmas.put(ret, v);
        l.attach(v);
        l.move(addr, ret, Math.min(oldLen, newLen));
        unmap(addr, addr + oldLen, l);
    }

    /** brk returned {@code ret}; a first call (the query) only records the break. */
    public void brk(long ret, Listener l) {
        if (brk < 0 || ret == brk) {
            brk = ret;
            return;
        }
        if (ret < brk) {
            unmap(ret, brk, l);
        } else {
            Vma heap = find(brk - 1);
            if (heap != null && heap.end == brk && heap.anon && heap.origin != Vma.Origin.INFERRED) {
                l.writeLock(heap);
                heap.end = ret;
                l.changed(heap);
            } else if (find(brk) == null) {
                Vma v = new Vma(nextId++, brk, ret, 3, 0, true, Vma.Origin.SYSCALL);
                l.writeLock(v);
                vmas.put(brk, v);
                l.attach(v);
            }
        }
        brk = ret;
    }

    // ---------------------------------------------------------------------------------------------

    private interface Pred { boolean test(Vma v); }
    private interface Change { void apply(Vma v); }

    private void changeRange(long start, long end, Listener l, Pred changes, Change change) {
        List<Vma> in = overlapping(start, end);
        boolean any = false;
        for (Vma v : in) any |= changes.test(v);
        if (!any) return; // nothing to change: no split, no lock
        splitAt(start, l);
        splitAt(end, l);
        for (Vma v : overlapping(start, end)) {
            if (!changes.test(v)) continue;
            l.writeLock(v);
            change.apply(v);
            l.changed(v);
        }
        // merge the changed range with its neighbours (vma_merge_existing_range), left to right
        Vma first = find(start);
        Map.Entry<Long, Vma> pe = vmas.lowerEntry(start);
        Vma cur = pe != null && pe.getValue().end == start ? pe.getValue() : first;
        while (cur != null && cur.start < end) {
            Map.Entry<Long, Vma> ne = vmas.higherEntry(cur.start);
            Vma next = ne == null ? null : ne.getValue();
            if (next != null && next.start == cur.end && cur.mergeableWith(next)) {
                l.writeLock(cur);
                l.writeLock(next);
                vmas.remove(next.start);
                cur.end = next.end;
                cur.hasAnonVma |= next.hasAnonVma;
                cur.populated |= next.populated;
                l.detach(next);
                l.changed(cur);
            } else {
                cur = next;
            }
        }
    }

    /** __split_vma: the VMA containing {@code at} (strictly inside) is locked and split; the new piece is locked and attached. */
    private void splitAt(long at, Listener l) {
        Vma v = find(at);
        if (v == null || v.start == at) return;
        l.writeLock(v);
        Vma tail = new Vma(nextId++, at, v.end, v.prot, v.flags, v.anon, v.origin);
        tail.mappedAt = v.mappedAt;
        tail.hasAnonVma = v.hasAnonVma;
        tail.populated = v.populated;
        l.writeLock(tail);
        v.end = at;
        l.changed(v);
        vmas.put(at, tail);
        l.attach(tail);
    }

    private List<Vma> overlapping(long start, long end) {
        List<Vma> out = new ArrayList<>();
        Map.Entry<Long, Vma> fe = vmas.floorEntry(start);
        Long from = fe != null && fe.getValue().end > start ? fe.getKey() : Long.valueOf(start);
        for (Vma v : vmas.subMap(from, true, end, false).values()) {
            if (v.end > start) out.add(v);
        }
        return out;
    }

    static long pageAlign(long len) {
        return (len + PAGE - 1) & -PAGE;
    }

    /** vm_flags a write-mode madvise behaviour sets (include/uapi/asm-generic/mman-common.h values). */
    static int madviseSet(int b) {
        switch (b) {
            case 1: return Vma.VM_RAND_READ;
            case 2: return Vma.VM_SEQ_READ;
            case 10: return Vma.VM_DONTCOPY;
            case 12: return Vma.VM_MERGEABLE;
            case 14: return Vma.VM_HUGEPAGE;
            case 15: return Vma.VM_NOHUGEPAGE;
            case 16: return Vma.VM_DONTDUMP;
            case 18: return Vma.VM_WIPEONFORK;
            default: return 0;
        }
    }

    static int madviseClear(int b) {
        switch (b) {
            case 0: return Vma.VM_RAND_READ | Vma.VM_SEQ_READ;
            case 1: return Vma.VM_SEQ_READ;
            case 2: return Vma.VM_RAND_READ;
            case 11: return Vma.VM_DONTCOPY;
            case 13: return Vma.VM_MERGEABLE;
            case 14: return Vma.VM_NOHUGEPAGE;
            case 15: return Vma.VM_HUGEPAGE;
            case 17: return Vma.VM_DONTDUMP;
            case 19: return Vma.VM_WIPEONFORK;
            default: return 0;
        }
    }

    /** Whether a madvise behaviour runs in write mode (mmap_write_lock), per spec §4. */
    public static boolean madviseWrites(int b) {
        return madviseSet(b) != 0 || madviseClear(b) != 0;
    }
}
