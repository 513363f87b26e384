package vmalock.lock;

/** Why a VMA lookup / lock attempt ended the way it did ({@link Task#reason}). */
public final class Reason {
    public static final int OK = 0;
    /** No VMA contains the address (a gap, or below a VM_GROWSDOWN stack). */
    public static final int NO_VMA = 1;
    /** vm_lock_seq == mm_lock_seq at the early (lockless) check. */
    public static final int WRITE_LOCKED_EARLY = 2;
    /** vm_lock_seq == mm_lock_seq at the late (acquire) check, after the reference was taken. */
    public static final int WRITE_LOCKED_LATE = 3;
    /** The capped increment found the exclude-readers flag (a writer or detacher is draining readers). */
    public static final int EXCLUDED = 4;
    /** The capped increment hit VM_REFCNT_LIMIT with readers only. */
    public static final int OVERFLOW = 5;
    /** vm_mm != mm: the slab object was recycled for another mm. */
    public static final int MM_MISMATCH = 6;
    /** vm_refcnt was 0 (refcount design, -EAGAIN) or {@code detached} was set (rwsem design). */
    public static final int DETACHED = 7;
    /** The locked VMA no longer contains the address (it shrank or moved). */
    public static final int RANGE = 8;
    /** rwsem design: down_read_trylock failed (writer holds it or anyone is queued). */
    public static final int TRYLOCK_FAILED = 9;
    /** CONFIG_PER_VMA_LOCK=n: the lock_vma_under_rcu stub returns NULL. */
    public static final int NO_VMA_LOCK = 10;
    /** A modelled kernel defect stopped the operation (see {@link Findings#DEFECT}). */
    public static final int DEFECT = 11;
    /** The access is not permitted by the VMA (access error). */
    public static final int ACCESS_ERROR = 12;
    /** A killable wait was interrupted (-EINTR). */
    public static final int EINTR = 13;
    /** A trylock-only caller gave up (LRU_SKIP). */
    public static final int SKIP = 14;
    /** mmap_read_trylock failed. */
    public static final int MMAP_TRYLOCK_FAILED = 15;
    /** mutex_trylock (binder's alloc->mutex) failed. */
    public static final int MUTEX_TRYLOCK_FAILED = 16;
    /** 6.4–6.6 lock_vma_under_rcu: a VMA kind that fault path does not handle (file-backed, no anon_vma). */
    public static final int UNSUPPORTED_VMA = 17;

    private static final String[] NAMES = {"ok", "no_vma", "write_locked_early", "write_locked_late", "excluded",
        "overflow", "mm_mismatch", "detached", "range", "trylock_failed", "no_vma_lock", "defect", "access_error",
        "eintr", "skip", "mmap_trylock_failed", "mutex_trylock_failed", "unsupported_vma"};

    private Reason() {
    }

    public static String name(int reason) {
        return reason >= 0 && reason < NAMES.length ? NAMES[reason] : "reason" + reason;
    }
}
