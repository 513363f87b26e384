package vmalock.lock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The CONFIG_PER_VMA_LOCK_STATS vm events shown in /proc/vmstat as {@code vma_lock_success},
 * {@code vma_lock_abort}, {@code vma_lock_retry}, {@code vma_lock_miss}. They are not tracepoints.
 * One instance may be shared by several mms (the kernel's are global) or kept per mm.
 */
public final class VmEvents {
    private static final VarHandle SUCCESS, ABORT, RETRY, MISS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SUCCESS = l.findVarHandle(VmEvents.class, "success", long.class);
            ABORT = l.findVarHandle(VmEvents.class, "abort", long.class);
            RETRY = l.findVarHandle(VmEvents.class, "retry", long.class);
            MISS = l.findVarHandle(VmEvents.class, "miss", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile long success, abort, retry, miss;

    void countSuccess() {
        SUCCESS.getAndAdd(this, 1L);
    }

    void countAbort() {
        ABORT.getAndAdd(this, 1L);
    }

    void countRetry() {
        RETRY.getAndAdd(this, 1L);
    }

    void countMiss() {
        MISS.getAndAdd(this, 1L);
    }

    public long success() {
        return success;
    }

    public long abort() {
        return abort;
    }

    public long retry() {
        return retry;
    }

    public long miss() {
        return miss;
    }

    public void reset() {
        success = abort = retry = miss = 0;
    }

    @Override
    public String toString() {
        return "vma_lock_success " + success + "\nvma_lock_abort " + abort + "\nvma_lock_retry " + retry
                + "\nvma_lock_miss " + miss + "\n";
    }
}
