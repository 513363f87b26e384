package vmalock.event;

/**
 * The syscalls whose ranges matter to the address-space model; anything else is {@link #OTHER} and
 * keeps its name in {@link Event#name} ({@code sys_enter_foo}).
 */
public enum Syscall {
    MMAP, MUNMAP, MPROTECT, MADVISE, MREMAP, BRK, OTHER;

    private static final Syscall[] VALUES = values();

    public static Syscall of(int ordinal) {
        return VALUES[ordinal];
    }

    /** The kernel's name: {@code mmap}, {@code munmap}, … ({@code null} for OTHER). */
    public String kernelName() {
        return this == OTHER ? null : name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Maps a bare syscall name ({@code "mprotect"}) to the enum; unknown names give OTHER. */
    public static Syscall ofKernelName(String name) {
        switch (name) {
            case "mmap": return MMAP;
            case "munmap": return MUNMAP;
            case "mprotect": return MPROTECT;
            case "madvise": return MADVISE;
            case "mremap": return MREMAP;
            case "brk": return BRK;
            default: return OTHER;
        }
    }
}
