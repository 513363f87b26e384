package vmalock.lock;

/**
 * A locking policy: a per-VMA lock design plus one acquisition strategy per caller class (spec §6).
 * Immutable; build one with {@link #of} or take a preset. The replay composes its named presets from
 * these parts.
 */
public final class Policy {
    /** How a user page fault gets its VMA (step 4 of spec §5). */
    public enum FaultStrategy {
        /** (a) CONFIG_PER_VMA_LOCK=n: always the mmap path. */
        MMAP_ONLY,
        /** (b)/(c) lock_vma_under_rcu, falling back to the mmap path. */
        VMA_LOCK_FALLBACK,
        /** (d) lock_vma_under_rcu_wait (v1, 2026-04-29): waits out writers with mmap_read_lock; unbounded loop. */
        RCU_WAIT,
        /** (e) vma_start_read_unlocked as fixed (v6 / linux-next 2026-09): lookup under mmap read. */
        START_READ_UNLOCKED,
        /** (e) vma_start_read_unlocked as posted in v2 (PR #12438): its slow path dereferences a NULL vma. */
        START_READ_UNLOCKED_V2
    }

    /** How remote access (/proc/pid/mem, ptrace, process_vm_readv) reads another mm (spec §6 h). */
    public enum RemoteStrategy {
        /** __access_remote_vm: mmap_read_lock_killable for the whole transfer. */
        MMAP_READ_LOCK,
        /** van Riel's proposal: per page lock_vma_under_rcu when the range is in one VMA and present; else fall back. */
        VMA_LOCK_FAST_PATH
    }

    /** Other readers: madvise read mode, binder, tcp zerocopy, KSM… (spec §6 d–g). */
    public enum ReaderStrategy {
        /** mmap_read_lock_killable for the whole section. */
        MMAP_READ_LOCK,
        /** lock_vma_under_rcu, else mmap_read_lock (madvise DONTNEED ≈6.17, tcp before the series). */
        VMA_LOCK_FALLBACK,
        /** (f) binder shrinker after [P2]: lock_vma_under_rcu or LRU_SKIP; then mutex_trylock(&alloc->mutex) or LRU_SKIP. */
        TRYLOCK_SKIP,
        /**
         * (g) binder shrinker (95bc2d4, ≈6.14–2026): lock_vma_under_rcu, else mmap_read_trylock + vma_lookup,
         * else skip; then mutex_trylock(&alloc->mutex), else skip.
         */
        VMA_THEN_MMAP_TRYLOCK_SKIP,
        /**
         * mmap_read_trylock only, else skip (binder 6.1–6.13's lock shape; the replay's traced failed trylock).
         * Takes no binder mutex.
         */
        MMAP_TRYLOCK_SKIP,
        /** (d) lock_vma_under_rcu_wait. */
        RCU_WAIT,
        /** (e) vma_start_read_unlocked, fixed. */
        START_READ_UNLOCKED,
        /** (e) vma_start_read_unlocked, v2 (defect). */
        START_READ_UNLOCKED_V2
    }

    public final String name;
    public final VmaLockDesign design;
    public final FaultStrategy fault;
    public final RemoteStrategy remote;
    public final ReaderStrategy reader;
    /** Writers use mmap_write_lock_killable (most syscalls) rather than mmap_write_lock. */
    public final boolean writersKillable;
    /** The modelled kernel is SMP (per-VMA locks need SMP unless {@link #unconditional}). */
    public final boolean smp;
    /** (i) "mm: Make per-VMA locks available universally": no SMP / arch restriction. */
    public final boolean unconditional;
    /** vma_start_read_unlocked's slow path uses a traced mmap_read_lock instead of guard(rwsem_read) (unverified). */
    public final boolean tracedGuard;
    /** Which VMAs the fault path handles under the per-VMA lock (6.4, 6.6, 6.7+). */
    public final FaultPathEra era;

    private Policy(String name, VmaLockDesign design, FaultStrategy fault, RemoteStrategy remote, ReaderStrategy reader,
                   boolean writersKillable, boolean smp, boolean unconditional, boolean tracedGuard, FaultPathEra era) {
        this.name = name;
        this.design = design;
        this.fault = fault;
        this.remote = remote;
        this.reader = reader;
        this.writersKillable = writersKillable;
        this.smp = smp;
        this.unconditional = unconditional;
        this.tracedGuard = tracedGuard;
        this.era = era;
    }

    public static Policy of(String name, VmaLockDesign design, FaultStrategy fault, RemoteStrategy remote,
                            ReaderStrategy reader) {
        return new Policy(name, design, fault, remote, reader, true, true, false, false, FaultPathEra.CURRENT);
    }

    public Policy withSmp(boolean smp) {
        return new Policy(name, design, fault, remote, reader, writersKillable, smp, unconditional, tracedGuard, era);
    }

    public Policy withUnconditional(boolean u) {
        return new Policy(name, design, fault, remote, reader, writersKillable, smp, u, tracedGuard, era);
    }

    public Policy withTracedGuard(boolean traced) {
        return new Policy(name, design, fault, remote, reader, writersKillable, smp, unconditional, traced, era);
    }

    public Policy withWritersKillable(boolean k) {
        return new Policy(name, design, fault, remote, reader, k, smp, unconditional, tracedGuard, era);
    }

    public Policy withEra(FaultPathEra e) {
        return new Policy(name, design, fault, remote, reader, writersKillable, smp, unconditional, tracedGuard, e);
    }

    public Policy named(String n) {
        return new Policy(n, design, fault, remote, reader, writersKillable, smp, unconditional, tracedGuard, era);
    }

    /**
     * The design the kernel actually runs: CONFIG_PER_VMA_LOCK depends on SMP (and arch support)
     * until (i) removed that restriction; without it every fault takes the mmap path. Build the
     * {@link Mm} with this.
     */
    /**
     * Whether /proc/PID/maps readers hold mmap_read_lock for each read() under this policy: without per-VMA
     * locks ({@code lock_vma_range}'s #else) and in the rw_semaphore era (before 6.17); with vm_refcnt the
     * policy stands for the 6.17+ {@code lock_next_vma} path. Call on the policy with its SMP setting applied.
     */
    public boolean mapsReadersUnderMmapLock() {
        VmaLockDesign d = effectiveDesign();
        return d == VmaLockDesign.NONE || d == VmaLockDesign.RWSEM;
    }

    public VmaLockDesign effectiveDesign() {
        if (!smp && !unconditional) return VmaLockDesign.NONE;
        return design;
    }

    // ---- presets (the replay's table) ------------------------------------------------------------
    public static Policy noVmaLock() {
        return of("no-vma-lock", VmaLockDesign.NONE, FaultStrategy.MMAP_ONLY, RemoteStrategy.MMAP_READ_LOCK,
                ReaderStrategy.MMAP_READ_LOCK);
    }

    public static Policy vmaRwsem() {
        return of("vma-rwsem", VmaLockDesign.RWSEM, FaultStrategy.VMA_LOCK_FALLBACK, RemoteStrategy.MMAP_READ_LOCK,
                ReaderStrategy.MMAP_READ_LOCK);
    }

    /** vma-rwsem with the 6.4–6.5 fault path: anonymous VMAs with an anon_vma only. */
    public static Policy vmaRwsem64() {
        return vmaRwsem().named("vma-rwsem-6.4").withEra(FaultPathEra.V6_4);
    }

    /** vma-rwsem with the 6.6 fault path: file-backed faults return VM_FAULT_RETRY under the VMA lock. */
    public static Policy vmaRwsem66() {
        return vmaRwsem().named("vma-rwsem-6.6").withEra(FaultPathEra.V6_6);
    }

    public static Policy vmaRefcount() {
        return of("vma-refcount", VmaLockDesign.REFCOUNT, FaultStrategy.VMA_LOCK_FALLBACK,
                RemoteStrategy.MMAP_READ_LOCK, ReaderStrategy.MMAP_READ_LOCK);
    }

    /**
     * The capture kernel (6.15+ vm_refcnt) with one change: every user page fault takes the mmap path
     * ({@code lock_mm_and_find_vma}), as x86 {@code do_user_addr_fault} does for a fault taken in kernel
     * mode on a user address. madvise, remote access and writers stay as in {@link #vmaRefcount}: the
     * what-if that a kernel-mode-fault capture of the same work ({@code cf.c} mode k) answers for real.
     */
    public static Policy faultsOnMmapLock() {
        return of("faults-on-mmap-lock", VmaLockDesign.REFCOUNT, FaultStrategy.MMAP_ONLY,
                RemoteStrategy.MMAP_READ_LOCK, ReaderStrategy.MMAP_READ_LOCK);
    }

    /**
     * [P0] lock_vma_under_rcu_wait: the series adds the helper for callers that must not fall back to
     * mmap_lock (tcp zerocopy's find_tcp_vma, binder); it does not touch the x86 fault path. Its callers
     * are the replay's "other" readers.
     */
    public static Policy rcuWait() {
        return of("rcu-wait", VmaLockDesign.REFCOUNT, FaultStrategy.VMA_LOCK_FALLBACK, RemoteStrategy.MMAP_READ_LOCK,
                ReaderStrategy.RCU_WAIT);
    }

    /** [P2] vma_start_read_unlocked (fixed): converts binder and tcp (find_tcp_vma), not page faults. */
    public static Policy startReadUnlocked() {
        return of("start-read-unlocked", VmaLockDesign.REFCOUNT, FaultStrategy.VMA_LOCK_FALLBACK,
                RemoteStrategy.MMAP_READ_LOCK, ReaderStrategy.START_READ_UNLOCKED);
    }

    /** [P2] v2 as posted, on the callers it converts; its slow path dereferences a NULL vma. */
    public static Policy startReadUnlockedV2() {
        return of("start-read-unlocked-v2", VmaLockDesign.REFCOUNT, FaultStrategy.VMA_LOCK_FALLBACK,
                RemoteStrategy.MMAP_READ_LOCK, ReaderStrategy.START_READ_UNLOCKED_V2);
    }

    /**
     * A what-if no patch proposes: the x86 fault path using one of the helpers instead of
     * lock_vma_under_rcu → lock_mm_and_find_vma. Named {@code hypothetical-fault-…}, never after the patch.
     */
    public static Policy hypotheticalFault(FaultStrategy f) {
        String n = "hypothetical-fault-" + f.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        return of(n, VmaLockDesign.REFCOUNT, f, RemoteStrategy.MMAP_READ_LOCK, ReaderStrategy.MMAP_READ_LOCK);
    }

    public static Policy remoteVmaLock() {
        return of("remote-vma-lock", VmaLockDesign.REFCOUNT, FaultStrategy.VMA_LOCK_FALLBACK,
                RemoteStrategy.VMA_LOCK_FAST_PATH, ReaderStrategy.MMAP_READ_LOCK);
    }

    public static Policy unconditionalPerVma() {
        return vmaRefcount().named("unconditional").withUnconditional(true);
    }

    @Override
    public String toString() {
        return name + " (lock=" + design.name().toLowerCase(java.util.Locale.ROOT) + ", fault=" + fault + ", remote="
                + remote + ", reader=" + reader + (smp ? "" : ", UP") + (unconditional ? ", unconditional" : "")
                + (era == FaultPathEra.CURRENT ? "" : ", fault path " + era.kernels) + ")";
    }
}
