package vmalock.lock;

/**
 * A reader that is neither a fault nor remote access — madvise read mode, binder page reclaim, tcp
 * zerocopy, KSM — holding a VMA (or mmap_lock) for {@code holdNs} under a {@link Policy.ReaderStrategy}.
 * Result {@link Task#ret}: {@link #DONE_OK}, {@link #SKIPPED} (LRU_SKIP), {@link #NO_VMA} or -EINTR;
 * {@link Task#reason} says why.
 *
 * <p><b>Binder shrinker</b> ({@code binder_alloc_free_page}; strategies (f) TRYLOCK_SKIP and (g)
 * VMA_THEN_MMAP_TRYLOCK_SKIP): after it got
 * the VMA lock or mmap_lock, {@code mutex_trylock(&alloc->mutex)} ({@link Mm#binderAllocMutex}); failure
 * releases whichever lock was taken and returns LRU_SKIP ({@link Reason#MUTEX_TRYLOCK_FAILED}). The
 * zap runs holding both; {@code mutex_unlock} comes before the VMA/mmap unlock. With the mmap_lock
 * fallback a missing VMA does not skip: the kernel page is still freed, with nothing to zap
 * ({@code if (vma) zap_page_range_single(...)}). Checked against the kernel source (search-index
 * copies of drivers/android/binder_alloc.c): commit 95bc2d4 "binder: use per-vma lock in page
 * reclaiming" (Nov 2024) puts {@code lock_vma_under_rcu}, else {@code mmap_read_trylock} +
 * {@code vma_lookup}, before {@code mutex_trylock}, and its error path does {@code mmap_read_unlock}
 * or {@code vma_end_read} after {@code err_get_alloc_mutex_failed:}; the 6.x code before it
 * ({@code binder_set_installed_page} era) already had {@code mmap_read_trylock} then
 * {@code mutex_trylock}; torvalds/linux drivers/android/binder_alloc.c@6696f76c32ff (an older tree)
 * has no per-VMA lock there. [P2]'s "binder: Make shrinker rely solely on per-VMA lock" keeps the
 * {@code mutex_trylock} and drops the mmap fallback.
 */
public final class OtherRead extends Op {
    public static final int DONE_OK = 0, SKIPPED = 1, NO_VMA = 2;

    private final LockVmaUnderRcu lookup = new LockVmaUnderRcu();
    private final LockVmaUnderRcuWait rcuWait = new LockVmaUnderRcuWait();
    private final VmaStartReadUnlocked unlocked = new VmaStartReadUnlocked();
    private final MmapLock.ReadLock readLock = new MmapLock.ReadLock();
    private Mm mm;
    private long addr, holdNs;
    /**
     * Kernel work after the VMA read lock is dropped (madvise's tlb_finish_mmu: the TLB flush and the freeing of the
     * zapped pages come after vma_end_read); under the mmap_lock fallback it is inside the hold (madvise_unlock
     * comes after madvise_finish_tlb).
     */
    private long tailNs;
    private Policy.ReaderStrategy strategy;
    private boolean tracedGuard;
    private Vma vma;
    /** 1: holding the VMA read lock; 2: holding mmap read. */
    private int holding;
    /** Holding binder's alloc->mutex. */
    private boolean mutexHeld;

    public OtherRead init(Mm mm, long addr, long holdNs, Policy policy) {
        return init(mm, addr, holdNs, policy.reader, policy.tracedGuard);
    }

    public OtherRead init(Mm mm, long addr, long holdNs, Policy.ReaderStrategy strategy, boolean tracedGuard) {
        this.mm = mm;
        this.addr = addr;
        this.holdNs = holdNs;
        this.strategy = strategy;
        this.tracedGuard = tracedGuard;
        this.tailNs = 0;
        this.holding = 0;
        this.mutexHeld = false;
        this.vma = null;
        pc = 0;
        return this;
    }

    /** {@link #init} with {@code tailNs} of work after the VMA read lock is dropped (see {@link #tailNs}). */
    public OtherRead initWithTail(Mm mm, long addr, long holdNs, long tailNs, Policy.ReaderStrategy strategy) {
        init(mm, addr, holdNs, strategy, false);
        this.tailNs = Math.max(0, tailNs);
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
                vma = mm.vmaLookup(addr);
                holding = 2;
                if (vma == null && !binder()) return release(t, SKIPPED, Reason.NO_VMA);
                return hold(t); // binder: a NULL vma still frees the page, without a zap
            case 5: // after a blocking mmap_read_lock_killable
                if (t.ret != 0) return end(t, -Trace.EINTR, Reason.EINTR);
                holding = 2;
                return hold(t);
            case 6: // release whichever lock was taken
                if (mutexHeld) {
                    mm.binderAllocMutex.unlock(t);
                    mutexHeld = false;
                }
                if (holding == 1 && tailNs > 0) { // vma_end_read, then tlb_finish_mmu outside the lock
                    VmaLock.endRead(t, vma);
                    holding = 0;
                    pc = 7;
                    t.delay = tailNs;
                    return DELAY;
                }
                return release(t, DONE_OK, holding == 2 && vma == null && binder() ? Reason.NO_VMA : Reason.OK);
            case 7:
                return end(t, DONE_OK, Reason.OK);
            default:
                throw new IllegalStateException(name() + " pc=" + pc);
        }
    }

    /**
     * The binder shrinker's strategies, (f) and (g). {@link Policy.ReaderStrategy#MMAP_TRYLOCK_SKIP} is
     * also the replay's generic "a traced trylock that gave up", so it takes no binder mutex.
     */
    private boolean binder() {
        return strategy == Policy.ReaderStrategy.TRYLOCK_SKIP || strategy == Policy.ReaderStrategy.VMA_THEN_MMAP_TRYLOCK_SKIP;
    }

    private int release(Task t, long ret, int reason) {
        if (holding == 1) VmaLock.endRead(t, vma);
        else mm.mmapLock.readUnlock(t);
        holding = 0;
        return end(t, ret, reason);
    }

    private int hold(Task t) {
        if (binder()) { // mutex_trylock(&alloc->mutex), else release and LRU_SKIP
            if (!mm.binderAllocMutex.trylock(t)) return release(t, SKIPPED, Reason.MUTEX_TRYLOCK_FAILED);
            mutexHeld = true;
        }
        InvariantChecker ck = t.driver.checker();
        if (ck != null) {
            Vma v = holding == 1 ? vma : mm.vmaLookup(addr);
            if (v != null) ck.stabilised(t, v);
        }
        pc = 6;
        long h = holdNs + (holding == 2 ? tailNs : 0);
        t.delay = h;
        return h > 0 ? DELAY : RUN;
    }

    private int end(Task t, long ret, int reason) {
        return returnToUser(t, "reader", ret, reason);
    }
}
