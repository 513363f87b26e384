package vmalock.lock;

/**
 * The x86 page fault path (arch/x86/mm/fault.c, spec §5) with the VMA acquisition of a {@link Policy}:
 * <ol>
 * <li>{@code exceptions:page_fault_user} (or {@code page_fault_kernel});</li>
 * <li>kernel-mode faults go straight to the mmap path (x86 never tries the VMA lock for them);</li>
 * <li>lock_vma_under_rcu (or the policy's strategy); NULL → mmap path; access error → vma_end_read,
 *     mmap path, no counter;</li>
 * <li>handle_mm_fault under the VMA lock; a VMA without anon_vma runs vmf_anon_prepare's
 *     mmap_read_trylock while holding the VMA lock (RETRY if it fails); no RETRY → SUCCESS; RETRY →
 *     RETRY, FAULT_FLAG_TRIED if MAJOR, return if a signal is pending, else the mmap path;</li>
 * <li>mmap path (lock_mm_and_find_vma): mmap_read_trylock, else mmap_read_lock_killable (a kernel
 *     fault without an exception-table entry gives up); find_vma; below a VM_GROWSDOWN VMA: read
 *     unlock, mmap_write_lock_killable, look up again, expand (vma_start_write), downgrade;</li>
 * <li>access error → SIGSEGV; handle_mm_fault under mmap_lock: RETRY → back to the mmap path, else
 *     mmap_read_unlock.</li>
 * </ol>
 * Result {@link Task#ret}: one of the outcome constants below.
 */
public final class UserFault extends Op {
    /** Handled under the per-VMA lock (vma_lock_success). */
    public static final int HANDLED_VMA = 0;
    /** Handled under mmap_lock (the fallback / mmap path). */
    public static final int HANDLED_MMAP = 1;
    /** Bad address or access error. */
    public static final int SIGSEGV = 2;
    /** A killable mmap_lock wait was interrupted. */
    public static final int EINTR = 3;
    /** Returned after VM_FAULT_RETRY to deliver a pending signal. */
    public static final int SIGNAL = 4;
    /** Kernel-mode fault with no exception-table entry when mmap_read_trylock failed. */
    public static final int OOPS = 5;

    private static final String[] OUTCOMES = {"vma", "mmap", "sigsegv", "eintr", "signal", "oops"};
    private static final long PAGE_MASK = ~4095L;

    private final LockVmaUnderRcu lookup = new LockVmaUnderRcu();
    private final LockVmaUnderRcuWait rcuWait = new LockVmaUnderRcuWait();
    private final VmaStartReadUnlocked unlocked = new VmaStartReadUnlocked();
    private final MmapLock.ReadLock readLock = new MmapLock.ReadLock();
    private final MmapLock.WriteLock writeLock = new MmapLock.WriteLock();
    private final VmaLock.StartWrite startWrite = new VmaLock.StartWrite();

    private Mm mm;
    private Fault f;
    private Policy policy;
    private Vma vma;
    private int mmapRetriesLeft;
    // what happened (read after the op finished)
    private boolean triedVmaLock, vmaRetry, tried;
    private int mmapPasses;

    public static String outcomeName(long outcome) {
        return outcome >= 0 && outcome < OUTCOMES.length ? OUTCOMES[(int) outcome] : "outcome" + outcome;
    }

    public UserFault init(Mm mm, Fault fault, Policy policy) {
        this.mm = mm;
        this.f = fault;
        this.policy = policy;
        this.vma = null;
        this.mmapRetriesLeft = fault.mmapRetries;
        this.triedVmaLock = false;
        this.vmaRetry = false;
        this.tried = false;
        this.mmapPasses = 0;
        pc = 0;
        return this;
    }

    /** The per-VMA path was attempted. */
    public boolean triedVmaLock() {
        return triedVmaLock;
    }

    /** handle_mm_fault returned VM_FAULT_RETRY under the VMA lock (counted vma_lock_retry). */
    public boolean vmaRetry() {
        return vmaRetry;
    }

    /** How many times the mmap path ran (0: handled under the VMA lock). */
    public int mmapPasses() {
        return mmapPasses;
    }

    /** The lookup strategy's retry loop count (lock_vma_under_rcu_wait). */
    public int rcuWaitRetries() {
        return rcuWait.retries();
    }

    @Override
    public String name() {
        return "do_user_addr_fault";
    }

    private int finish(Task t, int outcome) {
        InvariantChecker ck = t.driver.checker();
        if (ck != null) ck.returnToUser(t, "page fault");
        t.ret = outcome;
        return DONE;
    }

    @Override
    public int step(Task t) {
        Fault f = this.f;
        switch (pc) {
            case 0: // exc_page_fault → do_user_addr_fault
                Trace.pageFault(t, mm, f.user, f.address, f.ip, f.errorCode);
                if (!f.user || mm.design == VmaLockDesign.NONE) {
                    pc = 10; // lock_vma_under_rcu stub / kernel fault: nothing counted
                    return RUN;
                }
                triedVmaLock = true;
                pc = 1;
                switch (policy.fault) {
                    case MMAP_ONLY:
                        pc = 10;
                        return RUN;
                    case RCU_WAIT:
                        return t.call(rcuWait.init(mm, f.address));
                    case START_READ_UNLOCKED:
                        return t.call(unlocked.init(mm, f.address, false, policy.tracedGuard));
                    case START_READ_UNLOCKED_V2:
                        return t.call(unlocked.init(mm, f.address, true, false));
                    default:
                        return t.call(lookup.init(mm, f.address));
                }
            case 1: { // got a VMA?
                Vma v = (Vma) t.retObj;
                if (v == null) {
                    pc = 10;
                    return RUN;
                }
                if (accessError(v)) { // no counter
                    VmaLock.endRead(t, v);
                    pc = 10;
                    return RUN;
                }
                vma = v;
                InvariantChecker ck = t.driver.checker();
                if (ck != null) ck.stabilised(t, v);
                if (mm.era == FaultPathEra.V6_6 && !v.anonymous) {
                    // 6.6: do_read_fault/do_cow_fault/do_shared_fault return VM_FAULT_RETRY under the VMA lock
                    VmaLock.endRead(t, v);
                    return vmaRetried(t);
                }
                // vmf_anon_prepare (do_anonymous_page, do_cow_fault, wp_page_copy): a write fault needs the
                // anon_vma — mmap_read_trylock under the VMA lock; a read fault maps the zero page without it
                if (v.anonymous && !v.hasAnonVma && f.write()) {
                    if (mm.mmapLock.acquireCostNs > 0) {
                        // the traced kernel's cost between the trylock's start_locking and acquire_returned
                        mm.mmapLock.readTrylockBegin(t);
                        pc = 32;
                        t.delay = mm.mmapLock.acquireCost(t);
                        return DELAY;
                    }
                    if (!mm.mmapLock.readTrylock(t)) {
                        VmaLock.endRead(t, v); // the handler drops the VMA lock with VM_FAULT_RETRY
                        return vmaRetried(t);
                    }
                    return anonVmaPrepared(t, v);
                }
                pc = 2;
                t.delay = f.serviceNs;
                return f.serviceNs > 0 ? DELAY : RUN;
            }
            case 32: // vmf_anon_prepare's mmap_read_trylock, after its acquire cost
                if (!mm.mmapLock.readTrylockEnd(t)) {
                    VmaLock.endRead(t, vma);
                    return vmaRetried(t);
                }
                return anonVmaPrepared(t, vma);
            case 2: // handle_mm_fault(FAULT_FLAG_VMA_LOCK) returned
                if (f.underVmaLock != Fault.RETRY) {
                    // the faulted page is mapped before the VMA lock is dropped (remote access's fast-path
                    // rule: per page for a traced address)
                    vma.populated = true;
                    vma.pages.add(f.address);
                }
                VmaLock.endRead(t, vma); // released by the handler (RETRY/COMPLETED) or by the caller
                if (f.underVmaLock == Fault.RETRY) return vmaRetried(t);
                mm.vmEvents.countSuccess();
                return finish(t, HANDLED_VMA);

            // ---- the mmap path: lock_mm_and_find_vma --------------------------------------------
            case 10:
                mmapPasses++;
                if (mm.mmapLock.acquireCostNs > 0) {
                    // get_mmap_lock_carefully's mmap_read_trylock, with the traced kernel's cost of the
                    // transition between its start_locking and acquire_returned
                    mm.mmapLock.readTrylockBegin(t);
                    pc = 30;
                    t.delay = mm.mmapLock.acquireCost(t);
                    return DELAY;
                }
                if (mm.mmapLock.readTrylock(t)) {
                    pc = 12;
                    return RUN;
                }
                return readLockSlow(t);
            case 30:
                if (mm.mmapLock.readTrylockEnd(t)) {
                    pc = 12;
                    return RUN;
                }
                return readLockSlow(t);
            case 11:
                if (t.ret != 0) return finish(t, EINTR);
                pc = 12;
                return RUN;
            case 12: {
                Vma v = mm.findVma(f.address);
                if (v == null || (v.vmStart > f.address && !v.growsDown)) {
                    mm.mmapLock.readUnlock(t);
                    return finish(t, SIGSEGV);
                }
                if (v.vmStart <= f.address) {
                    vma = v;
                    pc = 20;
                    return RUN;
                }
                // below a VM_GROWSDOWN VMA: upgrade carefully
                mm.mmapLock.readUnlock(t);
                pc = 13;
                return t.call(writeLock.init(mm, true));
            }
            case 13: {
                if (t.ret != 0) return finish(t, EINTR);
                Vma v = mm.findVma(f.address);
                if (v == null || (v.vmStart > f.address && !v.growsDown)) {
                    mm.mmapLock.writeUnlock(t);
                    return finish(t, SIGSEGV);
                }
                vma = v;
                if (v.vmStart <= f.address) {
                    pc = 15;
                    return RUN;
                }
                pc = 14;
                return t.call(startWrite.init(v, false)); // expand_downwards → vma_start_write
            }
            case 14:
                mm.setRange(t, vma, f.address & PAGE_MASK, vma.vmEnd);
                pc = 15;
                return RUN;
            case 15:
                mm.mmapLock.writeDowngrade(t);
                pc = 20;
                return RUN;
            case 20: { // access check, then handle_mm_fault under mmap_lock
                if (accessError(vma)) {
                    mm.mmapLock.readUnlock(t);
                    return finish(t, SIGSEGV);
                }
                InvariantChecker ck = t.driver.checker();
                if (ck != null) ck.stabilised(t, vma);
                if (vma.anonymous && !vma.hasAnonVma && f.write()) vma.hasAnonVma = true;
                vma.populated = true; // the VMA-level rule of remote reads without a traced address
                pc = 21;
                t.delay = f.mmapServiceNs;
                return f.mmapServiceNs > 0 ? DELAY : RUN;
            }
            case 21:
                // handle_mm_fault completed (not RETRY): its page is mapped, still under mmap_lock
                if (mmapRetriesLeft == 0) vma.pages.add(f.address);
                mm.mmapLock.readUnlock(t); // on RETRY the handler dropped it; otherwise we do
                if (mmapRetriesLeft > 0) {
                    mmapRetriesLeft--;
                    tried = true;
                    if (f.signalPending) return finish(t, SIGNAL);
                    pc = 10;
                    return RUN;
                }
                if (mm.mmapLock.acquireCostNs > 0) {
                    // the released tracepoint's cost before the fault returns (the trylock's is above)
                    pc = 31;
                    t.delay = mm.mmapLock.acquireCost(t);
                    return DELAY;
                }
                return finish(t, HANDLED_MMAP);
            case 31:
                return finish(t, HANDLED_MMAP);
            default:
                throw new IllegalStateException(name() + " pc=" + pc);
        }
    }

    /** get_mmap_lock_carefully after a failed trylock: mmap_read_lock_killable (user) or oops. */
    private int readLockSlow(Task t) {
        if (!f.user && !f.kernelFixup) return finish(t, OOPS);
        pc = 11;
        return t.call(readLock.init(mm, true, true));
    }

    /** anon_vma_prepare under the trylocked mmap_lock, unlock, then handle_mm_fault's service under the VMA lock. */
    private int anonVmaPrepared(Task t, Vma v) {
        v.hasAnonVma = true;
        mm.mmapLock.readUnlock(t);
        pc = 2;
        t.delay = f.serviceNs;
        return f.serviceNs > 0 ? DELAY : RUN;
    }

    private int vmaRetried(Task t) {
        mm.vmEvents.countRetry();
        vmaRetry = true;
        if (f.major) tried = true;
        if (f.signalPending) return finish(t, SIGNAL);
        pc = 10;
        return RUN;
    }

    private boolean accessError(Vma v) {
        if (f.write()) return !v.writable;
        if (f.instruction()) return !v.exec;
        return !v.readable;
    }
}
