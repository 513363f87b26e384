package vmalock.replay;

/**
 * One VMA of the replay's address-space model ({@code struct vm_area_struct} reduced to what decides
 * locking): the range, the protection and the madvise-controlled {@code vm_flags} bits, whether it is
 * private anonymous memory and whether it has an {@code anon_vma} yet, and where the model learnt it
 * from. {@link #lock} is the lock model's per-VMA lock state, owned by the simulator.
 */
public final class Vma {
    /** Where the model learnt about this VMA. */
    public enum Origin {
        /** A {@code /proc/PID/maps} snapshot in the workspace. */
        MAPS,
        /** Reconstructed from syscalls seen in the trace (mmap return values, splits, brk, mremap). */
        SYSCALL,
        /** Inferred from fault addresses and syscall ranges no known VMA covered. */
        INFERRED
    }

    // vm_flags bits changed by write-mode madvise (names as in include/linux/mm.h)
    public static final int VM_SEQ_READ = 1;
    public static final int VM_RAND_READ = 1 << 1;
    public static final int VM_DONTCOPY = 1 << 2;
    public static final int VM_MERGEABLE = 1 << 3;
    public static final int VM_HUGEPAGE = 1 << 4;
    public static final int VM_NOHUGEPAGE = 1 << 5;
    public static final int VM_DONTDUMP = 1 << 6;
    public static final int VM_WIPEONFORK = 1 << 7;
    public static final int VM_GROWSDOWN = 1 << 8;

    public final int id;
    public long start;
    public long end;
    public int prot;
    public int flags;
    public boolean anon;
    public boolean hasAnonVma;
    /** A fault in it completed in the replay (its lock model VMA's {@code populated}); see WritePlanner#sync. */
    public boolean populated;
    public Origin origin;
    /** The lock model's state for this VMA (set by the simulator). */
    public Object lock;
    /**
     * Traced start of the syscall that mapped this range (ns; Long.MIN_VALUE: present before the trace or
     * inferred). A munmap traced before it cannot have removed it, whatever order the replay runs them in.
     */
    public long mappedAt = Long.MIN_VALUE;

    Vma(int id, long start, long end, int prot, int flags, boolean anon, Origin origin) {
        this.id = id;
        this.start = start;
        this.end = end;
        this.prot = prot;
        this.flags = flags;
        this.anon = anon;
        this.origin = origin;
    }

    public boolean contains(long addr) {
        return addr >= start && addr < end;
    }

    /** Whether two adjacent VMAs could be merged ({@code is_mergeable_vma}): same flags, both anonymous. */
    boolean mergeableWith(Vma o) {
        return anon && o.anon && prot == o.prot && flags == o.flags && origin != Origin.INFERRED
                && o.origin != Origin.INFERRED;
    }

    @Override
    public String toString() {
        return String.format("%x-%x prot=%d flags=%x %s%s#%d", start, end, prot, flags, anon ? "anon " : "",
                origin.name().toLowerCase(java.util.Locale.ROOT), id);
    }
}
