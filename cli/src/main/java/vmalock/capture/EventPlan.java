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

    /**
     * The open-path uprobes pseudo-entry: uprobes on the C library's open functions, recording the path
     * each opens, plus the syscalls that pair a path with its fd and the reads of it (the evidence of
     * /proc/PID/maps readers, which since 6.17 leave no mmap_lock events). {@code --events -uprobes} drops it.
     */
    public static final String UPROBES = "uprobes:open";
    /** The syscalls the open-path evidence needs: the fd an open returns, reads of it, its close. */
    public static final List<String> OPEN_SYSCALLS = List.of("syscalls:sys_exit_openat", "syscalls:sys_exit_open",
            "syscalls:sys_exit_openat2", "syscalls:sys_enter_read", "syscalls:sys_exit_read", "syscalls:sys_enter_close");
    /** The C-library functions probed: the path is the first argument of open*, the second of openat*. */
    static final List<String> OPEN_FUNCTIONS = List.of("open64", "open", "openat64", "openat", "__open64_nocancel",
            "__open_nocancel", "__openat64_nocancel", "__openat_nocancel");

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
            // madvise(MADV_DONTNEED) drops the per-VMA lock before its TLB flush: the flush marks where the zap ended
            "tlb:tlb_flush",
            // kernel-mode faults on user addresses (always under mmap_lock on x86) and the reads that take them
            "exceptions:page_fault_kernel",
            "syscalls:sys_enter_pread64", "syscalls:sys_exit_pread64",
            KPROBE_ENTRY, KPROBE_RETURN, UPROBES);

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
                if (t.equals("uprobes")) {
                    if (remove) list.remove(UPROBES);
                    else list.add(UPROBES);
                    continue;
                }
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
    public record Resolved(List<String> enable, List<String> kprobeDefs, Map<String, String> skipped,
                           List<String> uprobeDefs) {
        public Resolved(List<String> enable, List<String> kprobeDefs, Map<String, String> skipped) {
            this(enable, kprobeDefs, skipped, List.of());
        }
    }

    /** As {@link #resolve(Tracefs, List, String)} without C libraries to probe. */
    public Resolved resolve(Tracefs fs) throws CaptureException {
        return resolve(fs, List.of(), "vmalock_" + ProcessHandle.current().pid());
    }

    /**
     * Expands globs and checks every entry against {@code events/} (and {@code kprobe_events} /
     * {@code uprobe_events} for the probes). The open-path uprobes are defined on each of {@code libcs}
     * under the probe group {@code uprobeGroup} (one per capture, so concurrent captures never share one).
     */
    public Resolved resolve(Tracefs fs, List<java.nio.file.Path> libcs, String uprobeGroup) throws CaptureException {
        Set<String> enable = new LinkedHashSet<>();
        List<String> defs = new ArrayList<>();
        List<String> udefs = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        boolean kprobes = fs.exists("kprobe_events");
        for (String e : requested) {
            if (e.equals(UPROBES)) {
                String why = openProbes(fs, libcs, uprobeGroup, udefs);
                if (why != null) {
                    skipped.put(e, why);
                    continue;
                }
                for (String sc : OPEN_SYSCALLS) {
                    String n = sc.substring(sc.indexOf(':') + 1);
                    if (fs.exists("events/syscalls/" + n + "/enable")) enable.add(sc);
                }
                continue;
            }
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
        return new Resolved(List.copyOf(enable), List.copyOf(defs), skipped, List.copyOf(udefs));
    }

    /**
     * The uprobe definitions on the open functions of each C library ({@code p:GROUP/open64 LIB:0xOFF
     * path=+0(%di):ustring}; aliases at one offset get one probe), or the reason there are none.
     */
    static String openProbes(Tracefs fs, List<java.nio.file.Path> libcs, String group, List<String> defs) {
        if (!fs.exists("uprobe_events")) return "the kernel has no uprobes (no uprobe_events: CONFIG_UPROBE_EVENTS is off)";
        String arch = System.getProperty("os.arch");
        String[] regs = arch.equals("amd64") || arch.equals("x86_64") ? new String[] {"%di", "%si"}
                : arch.equals("aarch64") ? new String[] {"%x0", "%x1"} : null;
        if (regs == null) return "no argument registers known for " + arch + " (x86_64 and arm64 only)";
        if (libcs.isEmpty()) return "no C library found in the traced processes' /proc/PID/maps";
        List<String> problems = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (int k = 0; k < libcs.size(); k++) {
            java.nio.file.Path lib = libcs.get(k);
            if (lib.toString().contains(" ")) {
                problems.add(lib + ": a path with a space cannot be probed");
                continue;
            }
            Map<String, Long> offs;
            try {
                offs = ElfSymbols.functionOffsets(lib, OPEN_FUNCTIONS);
            } catch (java.io.IOException x) {
                problems.add(x.getMessage());
                continue;
            }
            Set<Long> seen = new LinkedHashSet<>();
            for (Map.Entry<String, Long> f : offs.entrySet()) {
                if (!seen.add(f.getValue())) continue; // an alias of a function already probed
                String ev = f.getKey() + (k == 0 ? "" : "_" + k);
                if (!names.add(ev)) continue;
                String reg = f.getKey().contains("openat") ? regs[1] : regs[0];
                defs.add(String.format(java.util.Locale.ROOT, "p:%s/%s %s:0x%x path=+0(%s):ustring", group, ev, lib,
                        f.getValue(), reg));
            }
        }
        if (defs.isEmpty()) {
            return "no open function found in " + libcs + (problems.isEmpty() ? "" : ": " + String.join("; ", problems));
        }
        return null;
    }
}
