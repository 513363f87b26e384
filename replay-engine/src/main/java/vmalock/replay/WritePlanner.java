package vmalock.replay;

import java.util.ArrayList;
import java.util.List;
import vmalock.lock.Mm;
import vmalock.lock.Task;
import vmalock.lock.WriteSection;

/**
 * Turns a replayed write section's syscall into a {@link WriteSection.Spec} for the locks package:
 * it runs the syscall on the replay's {@link AddressSpace} (once the section holds mmap_lock for
 * write, so the model advances in lock order) and records which VMAs the kernel would
 * {@code vma_start_write}, which it inserts (locked before insertion) and which it detaches, plus
 * the range/flag changes applied to the lock model's VMAs under those locks.
 */
final class WritePlanner implements AddressSpace.Listener {
    private final Mm mm;
    private final AddressSpace as;
    private final List<vmalock.lock.Vma> lock = new ArrayList<>();
    private final List<Vma> inserted = new ArrayList<>();
    private final List<vmalock.lock.Vma> detach = new ArrayList<>();
    private final List<Vma> changed = new ArrayList<>();
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
        spec.mutate = (Task task) -> {
            for (Vma v : ch) {
                vmalock.lock.Vma lv = (vmalock.lock.Vma) v.lock;
                mm.setRange(task, lv, v.start, v.end);
                sync(lv, v);
            }
            spec.holdNs = Math.max(0, hold - (task.now() - acquiredAt));
        };
    }

    /** Creates the lock model's VMA for a planner VMA present at the start of the replay. */
    static vmalock.lock.Vma seed(Mm mm, Vma v) {
        vmalock.lock.Vma lv = mm.addVma(v.start, v.end);
        sync(lv, v);
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
}
