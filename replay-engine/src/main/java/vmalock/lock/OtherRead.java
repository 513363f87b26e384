package vmalock.lock;

/**
 * A reader that is neither a fault nor remote access — madvise read mode, binder page reclaim, tcp
 * zerocopy, KSM — holding a VMA (or mmap_lock) for {@code holdNs} under a {@link Policy.ReaderStrategy}.
 * Result {@link Task#ret}: {@link #DONE_OK}, {@link #SKIPPED} (LRU_SKIP), {@link #NO_VMA} or -EINTR;
 * {@link Task#reason} says why.
 */
public final class OtherRead extends Op {
    public static final int DONE_OK = 0, SKIPPED = 1, NO_VMA = 2;

    private final LockVmaUnderRcu lookup = new LockVmaUnderRcu();
    private final LockVmaUnderRcuWait rcuWait = new LockVmaUnderRcuWait();
    private final VmaStartReadUnlocked unlocked = new VmaStartReadUnlocked();
    private final MmapLock.ReadLock readLock = new MmapLock.ReadLock();
    private Mm mm;
    private long addr, holdNs;
    private Policy.ReaderStrategy strategy;
    private boolean tracedGuard;
    private Vma vma;
    /** 1: holding the VMA read lock; 2: holding mmap read. */
    private int holding;

    public OtherRead init(Mm mm, long addr, long holdNs, Policy policy) {
        return init(mm, addr, holdNs, policy.reader, policy.tracedGuard);
    }

    public OtherRead init(Mm mm, long addr, long holdNs, Policy.ReaderStrategy strategy, boolean tracedGuard) {
        this.mm = mm;
        this.addr = addr;
        this.holdNs = holdNs;
        this.strategy = strategy;
        this.tracedGuard = tracedGuard;
        this.holding = 0;
        this.vma = null;
        pc = 0;
        return this;
    }

    @Override
    public String name() {
        return "reader(" + strategy + ")";
    }

    @Override
    public int step(Task t) {
        switch (pc) {
            case 0:
                switch (strategy) {
                    case MMAP_READ_LOCK:
                        pc = 5;
                        return t.call(readLock.init(mm, true, true));
                    case MMAP_TRYLOCK_SKIP:
                        pc = 4;
                        return RUN;
                    case RCU_WAIT:
                        pc = 1;
                        return t.call(rcuWait.init(mm, addr));
                    case START_READ_UNLOCKED:
                    case START_READ_UNLOCKED_V2:
                        pc = 1;
                        return t.call(unlocked.init(mm, addr, strategy == Policy.ReaderStrategy.START_READ_UNLOCKED_V2,
                                tracedGuard));
                    default:
                        pc = 1;
                        return t.call(lookup.init(mm, addr));
                }
            case 1: { // result of a VMA lookup strategy
                Vma v = (Vma) t.retObj;
                if (v != null) {
                    vma = v;
                    holding = 1;
                    return hold(t);
                }
                switch (strategy) {
                    case VMA_LOCK_FALLBACK:
                        pc = 5;
                        return t.call(readLock.init(mm, true, true));
                    case VMA_THEN_MMAP_TRYLOCK_SKIP:
                        pc = 4;
                        return RUN;
                    case TRYLOCK_SKIP:
                        return end(t, SKIPPED, t.reason);
                    default:
                        return end(t, NO_VMA, t.reason);
                }
            }
            case 4: // mmap_read_trylock + vma_lookup, else skip
                if (!mm.mmapLock.readTrylock(t)) return end(t, SKIPPED, Reason.MMAP_TRYLOCK_FAILED);
                if (mm.vmaLookup(addr) == null) {
                    mm.mmapLock.readUnlock(t);
                    return end(t, SKIPPED, Reason.NO_VMA);
                }
                holding = 2;
                return hold(t);
            case 5: // after a blocking mmap_read_lock_killable
                if (t.ret != 0) return end(t, -Trace.EINTR, Reason.EINTR);
                holding = 2;
                return hold(t);
            case 6: // release whichever lock was taken
                if (holding == 1) VmaLock.endRead(t, vma);
                else mm.mmapLock.readUnlock(t);
                holding = 0;
                return end(t, DONE_OK, Reason.OK);
            default:
                throw new IllegalStateException(name() + " pc=" + pc);
        }
    }

    private int hold(Task t) {
        InvariantChecker ck = t.driver.checker();
        if (ck != null) {
            Vma v = holding == 1 ? vma : mm.vmaLookup(addr);
            if (v != null) ck.stabilised(t, v);
        }
        pc = 6;
        t.delay = holdNs;
        return holdNs > 0 ? DELAY : RUN;
    }

    private int end(Task t, long ret, int reason) {
        InvariantChecker ck = t.driver.checker();
        if (ck != null) ck.returnToUser(t, "reader");
        t.ret = ret;
        t.reason = reason;
        t.retObj = null;
        return DONE;
    }
}
