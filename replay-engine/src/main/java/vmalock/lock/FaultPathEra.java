package vmalock.lock;

/**
 * Which VMAs the rw_semaphore-era fault path could handle under the per-VMA lock (spec §3 "History").
 * The lock itself is the same in all three; what changed is where {@code lock_vma_under_rcu} gave up
 * and which faults {@code handle_mm_fault(FAULT_FLAG_VMA_LOCK)} sent back with {@code VM_FAULT_RETRY}.
 */
public enum FaultPathEra {
    /**
     * 6.4–6.5: {@code lock_vma_under_rcu} supports anonymous VMAs only and needs their {@code anon_vma}
     * (find_mergeable_anon_vma looks at unlocked neighbours): a file-backed VMA or an anonymous one
     * not yet faulted in → ABORT before {@code vma_start_read}, then the mmap path.
     */
    V6_4("6.4–6.5"),
    /**
     * 6.6: file-backed VMAs are locked, but {@code do_read_fault}/{@code do_cow_fault}/{@code do_shared_fault}
     * return {@code VM_FAULT_RETRY} under the VMA lock (counted vma_lock_retry), then the mmap path; an
     * anonymous VMA without {@code anon_vma} still aborts in {@code lock_vma_under_rcu} (that check's
     * move to {@code vmf_anon_prepare} is dated 6.7 here, unverified against a release tag).
     */
    V6_6("6.6"),
    /**
     * 6.7+: page-cache faults are handled under the VMA lock; a write fault in an anonymous VMA without
     * {@code anon_vma} goes through {@code vmf_anon_prepare} (mmap_read_trylock, else RETRY). The
     * refcount design (6.15+) keeps this fault path.
     */
    CURRENT("6.7+");

    public final String kernels;

    FaultPathEra(String kernels) {
        this.kernels = kernels;
    }
}
