package vmalock.lock;

/**
 * vma_start_read_unlocked ([P2] PR #12438), as posted in v2 and as fixed.
 * <ul>
 * <li>Fast path (both): lock_vma_under_rcu.</li>
 * <li>v2 slow path: {@code guard(rwsem_read)(&mm->mmap_lock)} (raw down_read: contention events but
 *     no mmap_lock events), then {@code vma_start_read_locked(vma)} with the fast path's NULL — the
 *     NULL dereference the review bot found. Modelled as a {@link Findings#DEFECT} finding "NULL
 *     dereference in the slow path" with time and task; the model then leaves the guard's scope
 *     (up_read) and returns NULL with reason {@link Reason#DEFECT} so the simulation can go on (the
 *     real kernel would oops with mmap_lock held).</li>
 * <li>Fixed slow path (bot's suggestion; Suren's v6 2026-08-13; linux-next 2026-09-03): under mmap
 *     read, vma_lookup (none → NULL); vma_start_read_locked (fails only on overflow); unlock; return
 *     the VMA read-locked. Never fails because of writers. Whether the final version's guard is
 *     traced is unverified: {@link Policy#tracedGuard} chooses.</li>
 * </ul>
 */
public final class VmaStartReadUnlocked extends Op {
    public static final String DEFECT_TEXT = "NULL dereference in the slow path";
    private final LockVmaUnderRcu lookup = new LockVmaUnderRcu();
    private final MmapLock.ReadLock readLock = new MmapLock.ReadLock();
    private Mm mm;
    private long addr;
    private boolean v2, traced;
    private boolean slowPath;

    public VmaStartReadUnlocked init(Mm mm, long addr, boolean v2, boolean tracedGuard) {
        this.mm = mm;
        this.addr = addr;
        this.v2 = v2;
        this.traced = !v2 && tracedGuard;
        this.slowPath = false;
        pc = 0;
        return this;
    }

    /** Whether the last call took the slow path. */
    public boolean slowPath() {
        return slowPath;
    }

    @Override
    public String name() {
        return v2 ? "vma_start_read_unlocked(v2)" : "vma_start_read_unlocked";
    }

    @Override
    public int step(Task t) {
        switch (pc) {
            case 0:
                pc = 1;
                return t.call(lookup.init(mm, addr));
            case 1:
                if (t.retObj != null) return DONE;
                slowPath = true;
                pc = 2;
                return t.call(readLock.init(mm, false, traced));
            case 2: {
                if (v2) {
                    // vma_start_read_locked(vma) with vma == NULL: the fast path's result, never looked up.
                    // the kernel oopses here with mmap_lock held for read (the guard's cleanup never runs): the
                    // task dies holding it and every later writer on the mm hangs — a driver that models it stops
                    t.driver.findings().report(Findings.DEFECT, t, mm, null,
                            DEFECT_TEXT + " of vma_start_read_unlocked (v2): vma_start_read_locked(NULL) at address 0x"
                                    + Long.toHexString(addr) + "; the kernel oopses with mmap_lock held for read");
                    mm.mmapLock.guardReadUnlock(t);
                    t.retObj = null;
                    t.ret = -1;
                    t.reason = Reason.DEFECT;
                    return DONE;
                }
                Vma v = mm.vmaLookup(addr);
                boolean ok = v != null && VmaLock.startReadLocked(t, v);
                if (traced) mm.mmapLock.readUnlock(t);
                else mm.mmapLock.guardReadUnlock(t);
                t.retObj = ok ? v : null;
                t.ret = ok ? 0 : -1;
                t.reason = ok ? Reason.OK : v == null ? Reason.NO_VMA : Reason.OVERFLOW;
                return DONE;
            }
            default:
                throw new IllegalStateException(name() + " pc=" + pc);
        }
    }
}
