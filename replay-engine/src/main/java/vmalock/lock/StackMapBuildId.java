package vmalock.lock;

/**
 * BPF stack build-id collection, sleepable path ({@code kernel/bpf/stackmap.c}:
 * {@code stack_map_lock_vma} / {@code stack_map_unlock_vma}, used by
 * {@code stack_map_get_build_id_offset_sleepable}) for one user IP — the caller the review bot
 * flagged in [P2] (spec §6 i).
 *
 * <p>{@code stack_map_lock_vma}: {@code lock_vma_under_rcu(mm, ip)} (the stub under
 * CONFIG_PER_VMA_LOCK=n); success → the VMA read-locked. Else {@code mmap_read_trylock} (never a
 * blocking mmap_read_lock: the BPF program may already hold it) — failure → NULL (the entry falls
 * back to the raw IP); {@code vma_lookup} — none → unlock, NULL. Then, <em>only</em>
 * {@code #ifdef CONFIG_PER_VMA_LOCK}: {@code vma_start_read_locked} (failure → unlock, NULL) and
 * {@code mmap_read_unlock}, so the VMA lock is what is held; otherwise mmap_lock stays held.
 * {@code stack_map_unlock_vma}: {@code #ifdef CONFIG_PER_VMA_LOCK vma_end_read #else
 * mmap_read_unlock}.
 *
 * <p>"Mm: Make per-VMA locks available universally" removes the CONFIG_PER_VMA_LOCK symbol while
 * stackmap.c keeps its {@code #ifdef}s: {@code lock_vma_under_rcu} is real and succeeds, then the
 * unlock takes the {@code #else} branch — {@code mmap_read_unlock} on an mmap_lock nobody took, and
 * the VMA read lock is never dropped. Modelled as a {@link Findings#DEFECT} finding ("mmap_read_unlock
 * without mmap_lock held …; VMA read lock leaked") with task and time, plus the unmatched
 * mmap_lock_released event the kernel's tracepoint emits; the model does not corrupt the rwsem count
 * (the kernel's would go negative), but it does leak the VMA reference, so a later
 * {@code vma_start_write} / detach of that VMA waits forever, as the bot said.
 *
 * <p>Source: the stack_map_lock_vma/stack_map_unlock_vma text above is read from a bpf-next-era
 * kernel/bpf/stackmap.c in the search index (file id 54760976304; its repository and commit are not
 * shown by the index) and matches the bot's quote in [P2]; kernel-patches/bpf
 * kernel/bpf/stackmap.c@00fa3c8462c5 (an older tree) still used only mmap_read_trylock + find_vma
 * under {@code bpf_mmap_unlock_mm} there.
 *
 * <p>Result: {@link Task#ret} 0 (build id read under a lock) or -1 (fell back to the IP);
 * {@link Task#reason}.
 */
public final class StackMapBuildId extends Op {
    public static final String DEFECT_TEXT = "mmap_read_unlock without mmap_lock held";
    private final LockVmaUnderRcu lookup = new LockVmaUnderRcu();
    private Mm mm;
    private long ip, holdNs;
    private boolean configPerVmaLock;
    private Vma vma;
    /** 1: holding the VMA read lock; 2: holding mmap read. */
    private int holding;

    /**
     * @param configPerVmaLock whether {@code #ifdef CONFIG_PER_VMA_LOCK} is true when stackmap.c is
     *                         compiled: {@link #configPerVmaLock(Policy)} for a policy; {@code true}
     *                         also models a stackmap.c whose #ifdefs were removed with the series
     * @param holdNs           time spent reading the VMA's fields under the lock
     */
    public StackMapBuildId init(Mm mm, long ip, boolean configPerVmaLock, long holdNs) {
        this.mm = mm;
        this.ip = ip;
        this.configPerVmaLock = configPerVmaLock;
        this.holdNs = holdNs;
        this.vma = null;
        this.holding = 0;
        pc = 0;
        return this;
    }

    /**
     * The #ifdef as compiled for a policy: CONFIG_PER_VMA_LOCK=y when per-VMA locks are on
     * (SMP, arch support), and undefined once (i) removed the symbol ({@link Policy#unconditional}).
     */
    public static boolean configPerVmaLock(Policy p) {
        return !p.unconditional && p.effectiveDesign() != VmaLockDesign.NONE;
    }

    @Override
    public String name() {
        return "stack_map_get_build_id_offset";
    }

    @Override
    public int step(Task t) {
        switch (pc) {
            case 0:
                pc = 1;
                return t.call(lookup.init(mm, ip));
            case 1: {
                if (t.retObj != null) {
                    vma = (Vma) t.retObj;
                    holding = 1;
                    return hold(t);
                }
                if (!mm.mmapLock.readTrylock(t)) return end(t, -1, Reason.MMAP_TRYLOCK_FAILED);
                Vma v = mm.vmaLookup(ip);
                if (v == null) {
                    mm.mmapLock.readUnlock(t);
                    return end(t, -1, Reason.NO_VMA);
                }
                if (configPerVmaLock) {
                    if (!VmaLock.startReadLocked(t, v)) {
                        mm.mmapLock.readUnlock(t);
                        return end(t, -1, Reason.OVERFLOW);
                    }
                    mm.mmapLock.readUnlock(t);
                    holding = 1;
                } else {
                    holding = 2;
                }
                vma = v;
                return hold(t);
            }
            case 2: // stack_map_unlock_vma
                if (configPerVmaLock) {
                    VmaLock.endRead(t, vma);
                } else if (holding == 2) {
                    mm.mmapLock.readUnlock(t);
                } else {
                    // #else branch after a real lock_vma_under_rcu: mmap_read_unlock of a lock never taken. Its
                    // mmap_lock_released tracepoint still fires (an unmatched release in the trace).
                    Trace.released(t, mm, false);
                    t.driver.findings().report(Findings.DEFECT, t, mm, vma, DEFECT_TEXT
                            + " in stack_map_unlock_vma (CONFIG_PER_VMA_LOCK removed, #ifdef kept): the VMA read lock"
                            + " from lock_vma_under_rcu is leaked, ip 0x" + Long.toHexString(ip));
                }
                holding = 0;
                return end(t, 0, Reason.OK);
            default:
                throw new IllegalStateException(name() + " pc=" + pc);
        }
    }

    private int hold(Task t) {
        InvariantChecker ck = t.driver.checker();
        if (ck != null) ck.stabilised(t, vma); // vm_pgoff, vm_start, vm_end, vm_file are read here
        pc = 2;
        t.delay = holdNs;
        return holdNs > 0 ? DELAY : RUN;
    }

    private int end(Task t, long ret, int reason) {
        return returnToUser(t, "bpf stackmap build id", ret, reason);
    }
}
