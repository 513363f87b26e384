package vmalock.lock;

/**
 * lock_vma_under_rcu(mm, addr) step by step (spec §3; mm/mmap_lock.c), counting the vm events where
 * the kernel does:
 * <ol>
 * <li>RCU read lock; maple walk to the entry containing addr;</li>
 * <li>no VMA → ABORT (not MISS); with the 6.4/6.6 fault path ({@link Mm#era}) a VMA kind it does not
 *     handle → ABORT too;</li>
 * <li>vma_start_read NULL (write-locked at either check, flag set, overflow, vm_mm mismatch) → ABORT;</li>
 * <li>-EAGAIN (detached after the lookup) → MISS and retry from the walk (unbounded, each pass counts);
 *     in the rwsem design the {@code detached} check after locking does the same;</li>
 * <li>RCU unlock; addr outside [vm_start, vm_end) → vma_end_read, ABORT;</li>
 * <li>return the VMA read-locked.</li>
 * </ol>
 * With {@link VmaLockDesign#NONE} it is the stub: NULL, nothing counted.
 * Result: {@link Task#retObj} = VMA or null, {@link Task#reason}; {@link #misses()} for this call.
 */
public final class LockVmaUnderRcu extends Op {
    private final VmaLock.StartRead startRead = new VmaLock.StartRead();
    private Mm mm;
    private long addr;
    private Vma vma;
    private int misses;

    public LockVmaUnderRcu init(Mm mm, long addr) {
        this.mm = mm;
        this.addr = addr;
        this.misses = 0;
        pc = 0;
        return this;
    }

    /** MISS passes of the last call. */
    public int misses() {
        return misses;
    }

    @Override
    public String name() {
        return "lock_vma_under_rcu";
    }

    private int abort(Task t, int reason) {
        mm.vmEvents.countAbort();
        t.retObj = null;
        t.ret = -1;
        t.reason = reason;
        return DONE;
    }

    @Override
    public int step(Task t) {
        switch (pc) {
            case 0: {
                if (mm.design == VmaLockDesign.NONE) {
                    t.retObj = null;
                    t.ret = -1;
                    t.reason = Reason.NO_VMA_LOCK;
                    return DONE;
                }
                Vma v = mm.walk(addr); // mas_walk under rcu_read_lock
                if (v == null) return abort(t, Reason.NO_VMA);
                // 6.4–6.6: "Only anonymous vmas are supported for now" (6.4) and "find_mergeable_anon_vma
                // uses adjacent vmas which are not locked" (6.4, 6.6) — checked before vma_start_read
                if (mm.era == FaultPathEra.V6_4 && !v.anonymous) return abort(t, Reason.UNSUPPORTED_VMA);
                if (mm.era != FaultPathEra.CURRENT && v.anonymous && !v.hasAnonVma) {
                    return abort(t, Reason.UNSUPPORTED_VMA);
                }
                vma = v;
                pc = 1;
                return t.call(startRead.init(mm, v));
            }
            case 1: {
                if (t.retObj == null) {
                    if (t.ret == -VmaLock.EAGAIN) { // detached after we found it: the area was replaced
                        mm.vmEvents.countMiss();
                        misses++;
                        pc = 0;
                        return RUN;
                    }
                    return abort(t, t.reason);
                }
                if (mm.design == VmaLockDesign.RWSEM && vma.detached) { // 6.4–6.14: checked after locking
                    VmaLock.endRead(t, vma);
                    mm.vmEvents.countMiss();
                    misses++;
                    pc = 0;
                    return RUN;
                }
                pc = 2;
                return RUN;
            }
            case 2: { // rcu_read_unlock; is it still the right VMA?
                Vma v = vma;
                if (addr < v.vmStart || addr >= v.vmEnd) {
                    VmaLock.endRead(t, v);
                    return abort(t, Reason.RANGE);
                }
                InvariantChecker ck = t.driver.checker();
                if (ck != null) ck.lockedForAddress(t, v, addr);
                t.retObj = v;
                t.ret = 0;
                t.reason = Reason.OK;
                return DONE;
            }
            default:
                throw new IllegalStateException(name() + " pc=" + pc);
        }
    }
}
