package vmalock.parse;

import vmalock.event.EventKind;
import vmalock.event.Syscall;

/**
 * What an event-name token means, computed once per distinct name (then looked up by bytes through
 * {@link InternCache}): the bare tracepoint name, its kind and, for syscalls, both directions.
 *
 * <p>Tokens: {@code mmap_lock_start_locking} (ftrace, trace-cmd), {@code mmap_lock:mmap_lock_start_locking}
 * (perf, with the system), {@code sys_mmap} (ftrace's syscall form, direction from the {@code (} or
 * {@code ->} that follows), {@code probe:lock_vma_under_rcu__return} (perf probe).
 */
final class EventName {
    /** Bare name as in events_by_type. */
    final String name;
    /** System prefix when the token had one (perf), else null. */
    final String system;
    final EventKind kind;
    final Syscall syscall;
    /** For ftrace's {@code sys_X} form: the names for either direction. */
    final String enterName;
    final String exitName;
    /** True when the system says it is a probe ({@code probe}, {@code probe_*}, {@code kprobes}, {@code uprobes}). */
    final boolean probeSystem;
    /** sched_waking, sched_wakeup, sched_wakeup_new: the event keeps the context its line shows (Event#irqContext). */
    final boolean wakeup;

    EventName(String token) {
        int colon = token.indexOf(':');
        this.system = colon < 0 ? null : token.substring(0, colon);
        this.name = colon < 0 ? token : token.substring(colon + 1);
        this.wakeup = name.startsWith("sched_wak");
        this.probeSystem = system != null
                && (system.equals("probe") || system.startsWith("probe_") || system.equals("kprobes") || system.equals("uprobes"));
        EventKind k;
        Syscall sc = Syscall.OTHER;
        String en = null;
        String ex = null;
        switch (name) {
            case "mmap_lock_start_locking": k = EventKind.MMAP_LOCK_START_LOCKING; break;
            case "mmap_lock_acquire_returned": k = EventKind.MMAP_LOCK_ACQUIRE_RETURNED; break;
            case "mmap_lock_released": k = EventKind.MMAP_LOCK_RELEASED; break;
            case "page_fault_user": k = EventKind.PAGE_FAULT_USER; break;
            case "page_fault_kernel": k = EventKind.PAGE_FAULT_KERNEL; break;
            case "contention_begin": k = EventKind.CONTENTION_BEGIN; break;
            case "contention_end": k = EventKind.CONTENTION_END; break;
            case "sched_process_exec": k = EventKind.SCHED_PROCESS_EXEC; break;
            case "sched_process_exit": k = EventKind.SCHED_PROCESS_EXIT; break;
            case "sched_process_fork": k = EventKind.SCHED_PROCESS_FORK; break;
            default:
                if (name.startsWith("sys_enter_") && name.length() > 10) {
                    k = EventKind.SYS_ENTER;
                    sc = Syscall.ofKernelName(name.substring(10));
                } else if (name.startsWith("sys_exit_") && name.length() > 9) {
                    k = EventKind.SYS_EXIT;
                    sc = Syscall.ofKernelName(name.substring(9));
                } else if (probeSystem) {
                    k = name.endsWith("__return") ? EventKind.PROBE_RETURN : EventKind.PROBE;
                } else {
                    k = EventKind.GENERIC;
                }
        }
        if (colon < 0 && name.startsWith("sys_") && name.length() > 4 && k == EventKind.GENERIC) {
            String bare = name.substring(4);
            en = "sys_enter_" + bare;
            ex = "sys_exit_" + bare;
            sc = Syscall.ofKernelName(bare);
        }
        this.kind = k;
        this.syscall = sc;
        this.enterName = en;
        this.exitName = ex;
    }

    @Override
    public String toString() {
        return name + "/" + kind;
    }
}
