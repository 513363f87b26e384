package vmalock.capture;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which tracepoints a capture enables: the defaults of issue 5, edited by {@code --events
 * +sys:event,-sys:event,…} (a bare name adds; {@code sys:*} stands for every event of the subsystem;
 * {@code kprobes} for the lock_vma_under_rcu probes), then resolved against what the running kernel
 * has. Whatever the kernel lacks is skipped with a reason, never silently.
 */
public final class EventPlan {
    /** The kprobe pseudo-entries: defined in kprobe_events under {@link #PROBE_GROUP} when the kernel has kprobes. */
    public static final String KPROBE_ENTRY = "kprobes:lock_vma_under_rcu";
    public static final String KPROBE_RETURN = "kprobes:lock_vma_under_rcu__return";
    /** kprobe_events group of the probes this tool defines (the printed event names carry no group). */
    public static final String PROBE_GROUP = "vmalock";
    /** kprobe_events definitions, in the print format of shared docs §8. */
    static final Map<String, String> KPROBE_DEFS = new LinkedHashMap<>();

    static {
        KPROBE_DEFS.put(KPROBE_ENTRY, "p:" + PROBE_GROUP + "/lock_vma_under_rcu lock_vma_under_rcu mm=%di:x64 address=%si:x64");
        KPROBE_DEFS.put(KPROBE_RETURN, "r:" + PROBE_GROUP + "/lock_vma_under_rcu__return lock_vma_under_rcu arg1=$retval:x64");
    }

    public static final List<String> DEFAULTS = List.of(
            "mmap_lock:*",
            "exceptions:page_fault_user",
            "lock:contention_begin", "lock:contention_end",
            "syscalls:sys_enter_mmap", "syscalls:sys_exit_mmap",
            "syscalls:sys_enter_munmap", "syscalls:sys_exit_munmap",
            "syscalls:sys_enter_mprotect", "syscalls:sys_exit_mprotect",
            "syscalls:sys_enter_madvise", "syscalls:sys_exit_madvise",
            "syscalls:sys_enter_mremap", "syscalls:sys_exit_mremap",
            "syscalls:sys_enter_brk", "syscalls:sys_exit_brk",
            "sched:sched_process_exec", "sched:sched_process_exit", "sched:sched_process_fork",
            // the closed-loop replay splits each task's time with these: on-CPU compute, sleep (prev_state),
            // runnable wait; and the CPU count from the CPU column
            "sched:sched_switch", "sched:sched_wakeup", "sched:sched_waking",
            // kernel-mode faults on user addresses (always under mmap_lock on x86) and the reads that take them
            "exceptions:page_fault_kernel",
            "syscalls:sys_enter_pread64", "syscalls:sys_exit_pread64",
            KPROBE_ENTRY, KPROBE_RETURN);

    private final List<String> requested;

    private EventPlan(List<String> requested) {
        this.requested = requested;
    }

    /** The requested list (before resolution), e.g. for the report. */
    public List<String> requested() {
        return requested;
    }

    /**
     * The defaults edited by a {@code --events} value ({@code null} or empty: the defaults).
     *
     * @throws CaptureException (INPUT) for a malformed entry
     */
    public static EventPlan parse(String spec) throws CaptureException {
        Set<String> list = new LinkedHashSet<>(DEFAULTS);
        if (spec != null && !spec.isBlank()) {
            for (String raw : spec.split(",")) {
                String t = raw.trim();
                if (t.isEmpty()) continue;
                boolean remove = t.startsWith("-");
                if (t.startsWith("-") || t.startsWith("+")) t = t.substring(1);
                if (t.equals("kprobes")) {
                    if (remove) {
                        list.remove(KPROBE_ENTRY);
                        list.remove(KPROBE_RETURN);
                    } else {
                        list.add(KPROBE_ENTRY);
                        list.add(KPROBE_RETURN);
                    }
                    continue;
                }
                int colon = t.indexOf(':');
                if (colon <= 0 || colon == t.length() - 1 || t.indexOf(':', colon + 1) >= 0 || t.contains("/")
                        || t.contains(" ")) {
                    throw new CaptureException(CaptureException.Kind.INPUT, "--events: '" + raw.trim()
                            + "' is not SUBSYSTEM:EVENT (e.g. +sched:sched_switch, -syscalls:sys_enter_brk, mmap_lock:*, -kprobes)");
                }
                if (remove) {
                    if (t.endsWith(":*")) {
                        String sys = t.substring(0, colon + 1);
                        list.removeIf(e -> e.startsWith(sys));
                    } else {
                        list.remove(t);
                    }
                } else {
                    list.add(t);
                }
            }
        }
        if (list.isEmpty()) {
            throw new CaptureException(CaptureException.Kind.INPUT, "--events removed every event: nothing to capture");
        }
        return new EventPlan(List.copyOf(list));
    }

    /** The plan resolved against a kernel: what to enable, which probes to define, what was skipped and why. */
    public record Resolved(List<String> enable, List<String> kprobeDefs, Map<String, String> skipped) {
    }

    /** Expands globs and checks every entry against {@code events/} (and {@code kprobe_events} for the probes). */
    public Resolved resolve(Tracefs fs) throws CaptureException {
        Set<String> enable = new LinkedHashSet<>();
        List<String> defs = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        boolean kprobes = fs.exists("kprobe_events");
        for (String e : requested) {
            if (KPROBE_DEFS.containsKey(e)) {
                if (!kprobes) {
                    skipped.put(e, "the kernel has no kprobes (no kprobe_events: CONFIG_KPROBE_EVENTS is off)");
                } else {
                    defs.add(KPROBE_DEFS.get(e));
                    enable.add(PROBE_GROUP + ":" + e.substring(e.indexOf(':') + 1));
                }
                continue;
            }
            int colon = e.indexOf(':');
            String sys = e.substring(0, colon);
            String name = e.substring(colon + 1);
            if (!fs.exists("events/" + sys)) {
                skipped.put(e, "the kernel has no " + sys + " tracepoints");
                continue;
            }
            if (name.equals("*")) {
                int before = enable.size();
                for (String n : fs.list("events/" + sys)) {
                    if (fs.exists("events/" + sys + "/" + n + "/enable")) enable.add(sys + ":" + n);
                }
                if (enable.size() == before) skipped.put(e, "the kernel has no " + sys + " tracepoints");
            } else if (fs.exists("events/" + sys + "/" + name + "/enable")) {
                enable.add(e);
            } else {
                skipped.put(e, "the kernel has no such tracepoint");
            }
        }
        return new Resolved(List.copyOf(enable), List.copyOf(defs), skipped);
    }
}
