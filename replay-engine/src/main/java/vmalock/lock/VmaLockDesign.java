package vmalock.lock;

/**
 * Which per-VMA lock the modelled kernel has, and what it costs per VMA.
 *
 * <p>Sizes from [P1] (S. Baghdasaryan, "mm: replace vm_lock and detached flag with a reference
 * count", 2025-01-10): a {@code struct rw_semaphore} is 40 bytes (x86-64, no lock debugging) and was
 * allocated separately as {@code struct vma_lock}; {@code vm_refcnt} is a 4-byte refcount_t inside the
 * VMA. {@code vm_area_struct} stayed 256 bytes until its members were regrouped into 3 cache lines
 * (192 bytes; D. Hildenbrand, linux-mm, Apr 2025).
 */
public enum VmaLockDesign {
    /** CONFIG_PER_VMA_LOCK=n: lock_vma_under_rcu is a stub returning NULL; vma_start_write is a no-op. */
    NONE(0, 0),
    /** 6.4–≈6.14: {@code vma->vm_lock} → separately allocated rw_semaphore, plus {@code bool detached}. */
    RWSEM(40, 256),
    /** ≈6.15+: {@code vm_refcnt}, exclude-readers flag 1<<30, {@code mm->vma_writer_wait}. */
    REFCOUNT(4, 192);

    /** Bytes of lock state per VMA. */
    public final int lockBytes;
    /** sizeof(struct vm_area_struct) with this design (0: not modelled for NONE). */
    public final int vmaStructBytes;

    VmaLockDesign(int lockBytes, int vmaStructBytes) {
        this.lockBytes = lockBytes;
        this.vmaStructBytes = vmaStructBytes;
    }

    /**
     * Memory attributable to the VMA lock for {@code nVmas} VMAs: the lock itself (for RWSEM a
     * separate 40-byte slab object) — the VMA struct size is reported separately because the 256 →
     * 192 change came from regrouping members, not only from the lock.
     */
    public long lockBytes(long nVmas) {
        return lockBytes * nVmas;
    }

    /** VMA structs plus separately allocated locks, for {@code nVmas} VMAs. */
    public long totalBytes(long nVmas) {
        return this == RWSEM ? (long) (vmaStructBytes + lockBytes) * nVmas : (long) vmaStructBytes * nVmas;
    }
}
