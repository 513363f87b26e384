package vmalock.lock;

/**
 * lock_vma_under_rcu_wait, v1 ([P0] D. Hansen, 2026-04-29): loop { lock_vma_under_rcu → success
 * returns; mmap_read_lock; vma_lookup; mmap_read_unlock; no VMA → NULL }. mmap_lock is only used to
 * wait out writers (it queues behind queued writers) and is never held on return. Every pass counts
 * its ABORT/MISS; the loop is unbounded ("possible but highly unlikely" to spin forever) — {@link
 * #retries()} counts the passes that went round again.
 */
public final class LockVmaUnderRcuWait extends Op {
    private final LockVmaUnderRcu lookup = new LockVmaUnderRcu();
    private final MmapLock.ReadLock readLock = new MmapLock.ReadLock();
    private Mm mm;
    private long addr;
    private int retries;

    public LockVmaUnderRcuWait init(Mm mm, long addr) {
        this.mm = mm;
        this.addr = addr;
        this.retries = 0;
        pc = 0;
        return this;
    }

    public int retries() {
        return retries;
    }

    @Override
    public String name() {
        return "lock_vma_under_rcu_wait";
    }

    @Override
    public int step(Task t) {
        switch (pc) {
            case 0:
                pc = 1;
                return t.call(lookup.init(mm, addr));
            case 1:
                if (t.retObj != null) return DONE;
                pc = 2;
                return t.call(readLock.init(mm, false, true));
            case 2: {
                Vma v = mm.vmaLookup(addr);
                mm.mmapLock.readUnlock(t);
                if (v == null) {
                    t.retObj = null;
                    t.ret = -1;
                    t.reason = Reason.NO_VMA;
                    return DONE;
                }
                retries++;
                pc = 0;
                return RUN;
            }
            default:
                throw new IllegalStateException(name() + " pc=" + pc);
        }
    }
}
