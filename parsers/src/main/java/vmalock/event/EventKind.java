package vmalock.event;

/**
 * What a canonical {@link Event} is. The bare tracepoint name (as in {@code events_by_type}) is kept
 * separately in {@link Event#name}; the kind says which of the event's fields are meaningful.
 */
public enum EventKind {
    /** mmap_lock:mmap_lock_start_locking — mm, memcg, write. */
    MMAP_LOCK_START_LOCKING,
    /** mmap_lock:mmap_lock_acquire_returned — mm, memcg, write, success. */
    MMAP_LOCK_ACQUIRE_RETURNED,
    /** mmap_lock:mmap_lock_released — mm, memcg, write. */
    MMAP_LOCK_RELEASED,
    /** exceptions:page_fault_user — address, ip, errorCode. */
    PAGE_FAULT_USER,
    /** exceptions:page_fault_kernel — address, ip, errorCode. */
    PAGE_FAULT_KERNEL,
    /** lock:contention_begin — lockAddr, flags (SPIN 1, READ 2, WRITE 4, RT 8, PERCPU 16, MUTEX 32). */
    CONTENTION_BEGIN,
    /** lock:contention_end — lockAddr, ret. */
    CONTENTION_END,
    /** syscalls:sys_enter_* — syscall, args/argNames/nargs. */
    SYS_ENTER,
    /** syscalls:sys_exit_* — syscall, ret. */
    SYS_EXIT,
    /** sched:sched_process_exec — text = filename, pid = tid, otherPid = old_pid. */
    SCHED_PROCESS_EXEC,
    /** sched:sched_process_exit — otherPid = pid that exited (comm in text). */
    SCHED_PROCESS_EXIT,
    /** sched:sched_process_fork — otherPid = child pid, text = child comm. */
    SCHED_PROCESS_FORK,
    /** kprobe / perf-probe entry on a VMA-lock function — name = probe event, text = function, args. */
    PROBE,
    /** kretprobe — name = probe event ({@code …__return}), text = function, ip = return site, ret = $retval. */
    PROBE_RETURN,
    /**
     * A lost-events marker ({@code CPU:N [LOST M EVENTS]}, {@code [M EVENTS DROPPED]},
     * {@code PERF_RECORD_LOST}). cpu = the CPU when the marker names one (else -1),
     * count = M, or -1 when the marker carries no number. Not counted in total_events.
     */
    LOST,
    /** Any other tracepoint: name + raw text of its fields. Counted, never dropped. */
    GENERIC,
    /**
     * A probe on a C-library open function carrying the path it opens ({@code vmalock capture}'s uprobes
     * {@code open64: (0x7f…) path="/proc/self/maps"}): name = the probe event, text = the path, ip = the
     * probe address. Paired by the replay with the task's next {@code sys_exit_open*} (the fd).
     */
    OPEN_PATH;

    private static final EventKind[] VALUES = values();

    public static EventKind of(int ordinal) {
        return VALUES[ordinal];
    }

    public boolean isMmapLock() {
        return this == MMAP_LOCK_START_LOCKING || this == MMAP_LOCK_ACQUIRE_RETURNED || this == MMAP_LOCK_RELEASED;
    }
}
