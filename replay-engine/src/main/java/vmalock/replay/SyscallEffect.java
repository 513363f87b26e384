package vmalock.replay;

import vmalock.event.Syscall;

/** What a write section's syscall does to the address space (spec §4), replayed on a model. */
final class SyscallEffect {
    private SyscallEffect() {}

    static boolean failed(long ret) {
        return ret < 0 && ret > -4096;
    }

    /** Applies WRITE op {@code i} of {@code ops} to {@code as}, reporting locks to {@code l}. */
    static void apply(AddressSpace as, Ops ops, int i, AddressSpace.Listener l) {
        Syscall sc = Syscall.of(ops.sub(i));
        long ret = ops.ret(i);
        if (failed(ret)) return;
        long addr = ops.addr(i);
        long len = ops.a1(i);
        as.tracedAt = ops.start(i);
        try {
            effect(as, ops, i, l, sc, ret, addr, len);
        } finally {
            as.tracedAt = Long.MAX_VALUE;
        }
    }

    private static void effect(AddressSpace as, Ops ops, int i, AddressSpace.Listener l, Syscall sc, long ret, long addr,
                               long len) {
        switch (sc) {
            case MMAP:
                if (ret != 0) as.mmap(ret, len, (int) ops.a2(i), (int) ops.a3(i), l);
                break;
            case MUNMAP:
                as.unmap(addr, addr + AddressSpace.pageAlign(len), l);
                break;
            case MPROTECT:
                as.mprotect(addr, len, (int) ops.a2(i), l);
                break;
            case MADVISE:
                as.madvise(addr, len, (int) ops.a2(i), l);
                break;
            case MREMAP:
                as.mremap(addr, len, ops.a2(i), ret, l);
                break;
            case BRK:
                as.brk(ret, l);
                break;
            default:
                if ((ops.flags(i) & Ops.F_FORK) != 0) {
                    for (Vma v : as.vmas()) l.writeLock(v); // fork: lock all parent VMAs (6.4.x fix)
                }
        }
    }
}
