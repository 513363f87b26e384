package vmalock.replay;

import java.util.ArrayList;
import java.util.List;
import vmalock.lock.Mm;
import vmalock.lock.Pages;
import vmalock.lock.Task;
import vmalock.lock.WriteSection;

/**
 * Turns a replayed write section's syscall into a {@link WriteSection.Spec} for the locks package:
 * it runs the syscall on the replay's {@link AddressSpace} (once the section holds mmap_lock for
 * write, so the model advances in lock order) and records which VMAs the kernel would
 * {@code vma_start_write}, which it inserts (locked before insertion) and which it detaches, plus
 * the range/flag changes applied to the lock model's VMAs under those locks, and carries the VMAs' present
 * pages ({@link vmalock.lock.Vma#pages}) through the section's splits, merges, moves and unmaps.
 */
final class WritePlanner implements AddressSpace.Listener {
    private final Mm mm;
    private final AddressSpace as;
    private final List<vmalock.lock.Vma> lock = new ArrayList<>();
    private final List<Vma> inserted = new ArrayList<>();
    private final List<vmalock.lock.Vma> detach = new ArrayList<>();
    private final List<Vma> changed = new ArrayList<>();
    /** The section's page operations in order: {ZAP, start, end} or {MOVE, from, to, len}. */
    private final List<long[]> pageOps = new ArrayList<>();
    private static final long ZAP = 0, MOVE = 1;
    /** VMAs write-locked by replayed sections (counted for the report). */
    long vmasLocked;

    WritePlanner(Mm mm, AddressSpace as) {
        this.mm = mm;
        this.as = as;
    }

    /**
     * Fills {@code spec}'s lock/insert/detach/mutate for WRITE op {@code i} of {@code ops}, at the time
     * the section got mmap_lock for write. The observed hold already contains any time the kernel spent
     * in vma_start_write waiting for readers, so the hold that follows the VMA locks is shortened by
     * the time the replay spent there.
     */
    void plan(WriteSection.Spec spec, Ops ops, int i, Task t) {
        long acquiredAt = t.now();
        long hold = ops.service(i);
        lock.clear();
        inserted.clear();
        detach.clear();
        changed.clear();
        pageOps.clear();
        synchronized (as) { // --live: readers pick VMAs from the model concurrently
            SyscallEffect.apply(as, ops, i, this);
        }
        vmalock.lock.Vma[] ins = new vmalock.lock.Vma[inserted.size()];
        for (int k = 0; k < ins.length; k++) {
            Vma v = inserted.get(k);
            vmalock.lock.Vma lv = (vmalock.lock.Vma) v.lock;
            lv.vmStart = v.start;
            lv.vmEnd = v.end;
            sync(lv, v);
            ins[k] = lv;
        }
        List<Vma> ch = new ArrayList<>();
        for (Vma v : changed) {
            if (v.lock != null && !inserted.contains(v) && as.find(v.start) == v && !ch.contains(v)) ch.add(v);
        }
        vmasLocked += lock.size() + ins.length;
        spec.lock = lock.toArray(new vmalock.lock.Vma[0]);
        spec.insert = ins;
        spec.detach = detach.toArray(new vmalock.lock.Vma[0]);
        vmalock.lock.Vma[] from = spec.lock;
        vmalock.lock.Vma[] gone = spec.detach;
        long[][] pops = pageOps.toArray(new long[0][]);
        spec.mutate = (Task task) -> {
            vmalock.lock.Vma[] to = java.util.Arrays.copyOf(ins, ins.length + ch.size());
            int k = ins.length;
            for (Vma v : ch) {
                vmalock.lock.Vma lv = (vmalock.lock.Vma) v.lock;
                mm.setRange(task, lv, v.start, v.end);
                sync(lv, v);
                to[k++] = lv;
            }
            carryPages(from, gone, pops, to);
            spec.holdNs = Math.max(0, hold - (task.now() - acquiredAt));
        };
    }

    /**
     * Gives each VMA the section created or changed ({@code to}, ranges final) the present pages of its range:
     * the pages of the VMAs the section write-locked or detached ({@code from}, {@code gone}), after the
     * section's zaps and moves. Run with those VMAs write-locked, so no fault adds a page meanwhile.
     */
    private static void carryPages(vmalock.lock.Vma[] from, vmalock.lock.Vma[] gone, long[][] ops, vmalock.lock.Vma[] to) {
        if (to.length == 0) return;
        Pages u = new Pages();
        for (vmalock.lock.Vma lv : from) u.addAll(lv.pages, 0);
        for (vmalock.lock.Vma lv : gone) u.addAll(lv.pages, 0);
        for (long[] op : ops) {
            if (op[0] == ZAP) {
                u.remove(op[1], op[2]);
            } else {
                u.addAll(u.restrict(op[1], op[1] + op[3]), op[2] - op[1]);
            }
        }
        for (vmalock.lock.Vma lv : to) lv.pages = u.restrict(lv.vmStart, lv.vmEnd);
    }

    /** Creates the lock model's VMA for a planner VMA present at the start of the replay. */
    static vmalock.lock.Vma seed(Mm mm, Vma v) {
        vmalock.lock.Vma lv = mm.addVma(v.start, v.end);
        sync(lv, v);
        // memory that predates the trace (maps snapshot, inferred region): every page taken to be present
        if (lv.populated) lv.pages = Pages.of(v.start, v.end);
        v.lock = lv;
        return lv;
    }

    static void sync(vmalock.lock.Vma lv, Vma v) {
        boolean inferred = v.origin == Vma.Origin.INFERRED;
        // inferred VMAs are permissive: the trace shows their faults succeeded
        lv.readable = inferred || (v.prot & 1) != 0;
        lv.writable = inferred || (v.prot & 2) != 0;
        lv.exec = inferred || (v.prot & 4) != 0;
        lv.anonymous = v.anon;
        lv.growsDown = (v.flags & Vma.VM_GROWSDOWN) != 0;
        lv.hasAnonVma = v.hasAnonVma || !v.anon;
        // memory that predates the trace is taken to be present; a VMA mapped during it is not until a fault
        // in it completes (or it took over an anon_vma, i.e. was faulted in before a split or merge)
        lv.populated = v.origin != Vma.Origin.SYSCALL || v.hasAnonVma || v.populated;
    }

    @Override
    public void writeLock(Vma v) {
        if (v.lock == null) return; // a new VMA: locked before insertion by the section
        vmalock.lock.Vma lv = (vmalock.lock.Vma) v.lock;
        v.hasAnonVma |= lv.hasAnonVma; // a fault may have prepared it (vmf_anon_prepare) since
        v.populated |= lv.populated;
        if (!lock.contains(lv)) lock.add(lv);
    }

    @Override
    public void attach(Vma v) {
        v.lock = new vmalock.lock.Vma(mm, v.start, v.end);
        inserted.add(v);
    }

    @Override
    public void detach(Vma v) {
        if (inserted.remove(v)) return; // created and merged away inside the same section
        vmalock.lock.Vma lv = (vmalock.lock.Vma) v.lock;
        if (lv != null) detach.add(lv);
        changed.remove(v);
    }

    @Override
    public void changed(Vma v) {
        changed.add(v);
    }

    @Override
    public void zap(long start, long end) {
        pageOps.add(new long[] {ZAP, start, end});
    }

    @Override
    public void move(long from, long to, long len) {
        pageOps.add(new long[] {MOVE, from, to, len});
    }
}
