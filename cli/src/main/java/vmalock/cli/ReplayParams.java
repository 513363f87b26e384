package vmalock.cli;

import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;
import vmalock.replay.ReplayOptions;

/** The replay parameters {@code replay} and {@code compare} share (a picocli mixin). */
public final class ReplayParams {
    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "seed for what the trace leaves open (sub-µs placement, reader addresses); default ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--cpus", paramLabel = "N", defaultValue = "auto",
            description = "CPUs of the modelled machine: 'auto' (default) = the traced machine's CPUs when the replay is "
                    + "closed-loop (sched timing), else unlimited; 0 = unlimited; 1 = UP: per-VMA locks off unless the "
                    + "policy is unconditional")
    String cpus;

    @Option(names = "--fault-cost", paramLabel = "COST", defaultValue = "auto",
            description = "service time of a fault handled under the per-VMA lock (the trace shows no end for it): "
                    + "'auto' = the smaller of the mean read hold of the trace's own fallback faults (≥10) and the "
                    + "mean gap from a per-VMA-lock fault to the task's next event (≥100), else 1 µs; "
                    + "or a time such as 800ns, 1.5us")
    String faultCost;

    @Option(names = "--wake-latency", paramLabel = "TIME", defaultValue = "auto",
            description = "time from a waiter's wake-up to its running again: 'auto' = drawn with the seed from the "
                    + "trace's own wake-up latencies (scheduling delay of the traced machine), or a time such as 0, 20us")
    String wakeLatency;

    @Option(names = "--timing", paramLabel = "MODE", defaultValue = "auto",
            description = "when a task issues its next operation: auto (default: sched when the trace has sched_switch "
                    + "events, else trace), sched (closed loop: on-CPU compute after the simulated end of the previous "
                    + "operation on the modelled CPUs, sleeps off CPU with their recorded length — a sleep another traced "
                    + "task of the process ended in task context until that task gets there — runnable waits left to "
                    + "the CPU model), trace (open loop: as the trace shows, or when the previous one ends if later), "
                    + "anchored (max(trace, previous end + think)), closed (previous end + whole gap as think)")
    String timing;

    @Option(names = "--preempt", paramLabel = "MODEL", defaultValue = "auto",
            description = "preemption of kernel work in the CPU model: auto (default: as the trace shows — a task "
                    + "preempted in kernel mode, sched_switch prev_state R+, while holding a fault's mmap_lock means full, "
                    + "else none; run.json says which and why), full — a fault or lock holder can lose its CPU to a woken "
                    + "task or at a slice's end; none or voluntary — kernel work keeps its CPU until it returns to user "
                    + "mode, sleeps or reaches cond_resched() in a VMA syscall's page-table walk. See docs/replay.md")
    String preempt;

    @Option(names = "--wake-cpu", paramLabel = "auto|prev|idle", defaultValue = "auto",
            description = "where a woken task whose previous CPU is busy runs in the CPU model: auto (default: under eevdf "
                    + "as the trace shows — of its wake-ups of a task whose previous CPU was busy while another was idle, the "
                    + "share the kernel put on the idle CPU (sched_wakeup target_cpu; at least 5, else idle), drawn per wake-up "
                    + "with the seed; the other --wakeup-preempt models: idle; run.json says which and why), prev — queued on "
                    + "the CPU it last ran on, where it "
                    + "preempts that CPU's task or waits (an idle CPU takes it once it is cache-hot no more: "
                    + "--migration-cost, the kernel's 500us when not given), idle — any idle CPU at once")
    String wakeCpu;

    @Option(names = "--slice", paramLabel = "TIME", defaultValue = "auto",
            description = "time slice of the modelled CPUs: 'auto' (default: the kernel's base slice, 0.75 ms × (1 + log2 "
                    + "CPUs), under eevdf; 3 ms under the other --wakeup-preempt models) or a time such as 1.4ms")
    String slice;

    @Option(names = "--migration-cost", paramLabel = "TIME", defaultValue = "0",
            description = "the modelled scheduler's migration cost (the kernel's sched_migration_cost, 500us by default "
                    + "there): a task preempted off a CPU stays queued on it while it is cache-hot instead of taking a CPU "
                    + "that goes idle; 0 (default): the kernel's 500us with per-CPU run queues (eevdf, --wake-cpu prev), "
                    + "else one run queue for all modelled CPUs")
    String migrationCost;

    @Option(names = "--wakeup-preempt", paramLabel = "eevdf|on|off|trace|min-run|prev-cpu", defaultValue = "eevdf",
            description = "how the CPU model's scheduler decides who runs: eevdf (default) — as the kernel's EEVDF "
                    + "(6.6+) on per-CPU run queues: virtual runtimes, lags and deadlines; the running task keeps its CPU "
                    + "while eligible until its slice is used, so a woken task often waits for it; slice 0.75 ms × "
                    + "(1 + log2 CPUs) unless --slice. The earlier models, one run queue for all CPUs: on — a woken task "
                    + "preempts the task longest in its slice at once; off — it waits for a slice's end or a free CPU; "
                    + "trace — it preempts after a delay drawn from the trace's own wake-ups that preempted a running "
                    + "task; min-run — it preempts only a task that has run the trace's median run before a preemption; "
                    + "prev-cpu — it preempts the task on the CPU it last ran on, else waits")
    String wakeupPreempt;

    @Option(names = "--delay-dequeue", paramLabel = "on|off", defaultValue = "default",
            description = "under eevdf, the kernel's DELAY_DEQUEUE (6.12+): a task that sleeps or blocks while not eligible "
                    + "stays on its CPU's queue, counted in its average virtual runtime, until picked or woken; "
                    + "default: " + (ReplayOptions.DEFAULT_DELAY_DEQUEUE ? "on" : "off") + ". See docs/replay.md")
    String delayDequeue;

    @Option(names = "--rcuwait-switch-out", paramLabel = "on|off", defaultValue = "default",
            description = "closed loop: a VMA writer (vma_start_write waiting on vm_refcnt) woken by the last reader "
                    + "while it is still on its CPU — within the trace's start_locking → switch-out time of mmap_lock readers "
                    + "that slept, drawn per wake-up — pays no wake-up latency; default: "
                    + (ReplayOptions.DEFAULT_RCUWAIT_SWITCH_OUT ? "on" : "off") + ". See docs/replay.md")
    String rcuwaitSwitchOut;

    @Option(names = "--waker-cost", paramLabel = "on|off", defaultValue = "default",
            description = "closed loop: a task whose lock release wakes a sleeping waiter spends on its CPU what that cost "
                    + "the trace's wakers (a write release with a waiter asleep → the syscall's exit; an IPI, a VM exit on a "
                    + "virtual machine), drawn per wake-up; needs 20 such releases in the trace; default: "
                    + (ReplayOptions.DEFAULT_WAKER_COST ? "on" : "off") + ". See docs/replay.md")
    String wakerCost;

    @Option(names = "--source", split = ",", paramLabel = "N", description = "replay only these sources; default all")
    List<Integer> sources;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "worker threads for per-address-space parallelism (0 = one per core); the output does not depend on it")
    int threads;

    @Option(names = "--check", description = "run the lock model's invariant checker during the replay (slower)")
    boolean check;

    @picocli.CommandLine.Mixin
    FilterOptions filters;

    /**
     * With filter options: makes {@code ws} hand out only the filtered events (the replays and the observed
     * figures they are compared with), records the filter in {@code o} (run id and run.json) and returns the
     * "filter: … (kept N of M events)" line; null without filter options.
     *
     * @throws IllegalArgumentException a bad filter value (a usage error)
     */
    String applyFilter(vmalock.store.Workspace ws, List<vmalock.store.Manifest.Source> sources, ReplayOptions o) {
        vmalock.store.EventFilter f = filters.build(sources);
        if (f == null) return null;
        ws.filter(f);
        try (vmalock.store.EventReader r = ws.reader(sources)) { // one counting pass, so the line tells what was kept
            vmalock.event.Event e = new vmalock.event.Event();
            while (r.next(e)) {
                // counted by the filter
            }
        }
        String line = f.summary();
        f.resetCounts();
        o.filter = f.description;
        return line;
    }

    /** An on|off option's value; "default" keeps {@code dflt}. */
    private static boolean onOff(String option, String value, boolean dflt) {
        switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "default": return dflt;
            case "on": return true;
            case "off": return false;
            default: throw new IllegalArgumentException(option + ": '" + value + "' is not on or off");
        }
    }

    /** The options, with the policy still to be set. */
    ReplayOptions options() {
        ReplayOptions o = new ReplayOptions().seed(seed).cpus(parseCpus(cpus)).threads(threads).check(check);
        o.timing(parseTiming(timing));
        o.wakeLatency(parseTime("--wake-latency", wakeLatency));
        if (!slice.trim().equalsIgnoreCase("auto")) o.sliceNs = parseTime("--slice", slice);
        o.migrationCostNs = parseTime("--migration-cost", migrationCost);
        o.delayDequeue = onOff("--delay-dequeue", delayDequeue, o.delayDequeue);
        o.rcuwaitSwitchOut = onOff("--rcuwait-switch-out", rcuwaitSwitchOut, o.rcuwaitSwitchOut);
        o.wakerCost = onOff("--waker-cost", wakerCost, o.wakerCost);
        o.eevdf = false;
        switch (wakeupPreempt.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "eevdf": o.wakeupPreemption = true; o.eevdf = true; break;
            case "on": o.wakeupPreemption = true; break;
            case "trace": o.wakeupPreemption = true; o.wakeupPreemptFromTrace = true; break;
            case "off": o.wakeupPreemption = false; break;
            case "min-run": o.wakeupPreemption = true; o.wakeupPreemptMinRun = true; break;
            case "prev-cpu": o.wakeupPreemption = true; o.wakeupPreemptPrevCpu = true; break;
            default: throw new IllegalArgumentException("--wakeup-preempt: '" + wakeupPreempt + "' is not eevdf, on, off, trace, min-run or prev-cpu");
        }
        switch (wakeCpu.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "auto": o.wakeOnPrevCpu = null; break;
            case "prev": o.wakeOnPrevCpu = true; break;
            case "idle": o.wakeOnPrevCpu = false; break;
            default: throw new IllegalArgumentException("--wake-cpu: '" + wakeCpu + "' is not auto, prev or idle");
        }
        switch (preempt.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "none": case "voluntary": o.kernelPreemption(false); break;
            case "full": o.kernelPreemption(true); break;
            case "auto": o.kernelPreemption(null); break;
            default: throw new IllegalArgumentException("--preempt: '" + preempt + "' is not auto, none, voluntary or full");
        }
        return o;
    }

    static int parseCpus(String s) {
        if (s.trim().equalsIgnoreCase("auto")) return -1;
        try {
            int n = Integer.parseInt(s.trim());
            if (n >= 0) return n;
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("--cpus: '" + s + "' is not auto or a number ≥ 0");
    }

    /** -1 for auto, else ns. */
    long faultCostNs() {
        return parseTime("--fault-cost", faultCost);
    }

    static ReplayOptions.Timing parseTiming(String s) {
        try {
            return ReplayOptions.Timing.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--timing: '" + s + "' is not one of auto, sched, trace, anchored, closed");
        }
    }

    /** Parses {@code auto}, {@code 1000}, {@code 1000ns}, {@code 1.5us}, {@code 1.5µs}, {@code 2ms} to ns (-1 = auto). */
    static long parseTime(String opt, String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.equals("auto")) return -1;
        double mul = 1;
        String num = v;
        if (v.endsWith("ns")) {
            num = v.substring(0, v.length() - 2);
        } else if (v.endsWith("us") || v.endsWith("µs")) {
            num = v.substring(0, v.length() - 2);
            mul = 1e3;
        } else if (v.endsWith("ms")) {
            num = v.substring(0, v.length() - 2);
            mul = 1e6;
        }
        try {
            double d = Double.parseDouble(num.trim()) * mul;
            if (d < 0 || Double.isNaN(d) || d > 1e12) throw new NumberFormatException();
            return Math.round(d);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + ": '" + s + "' is not a time (auto, 800ns, 1.5us, 2ms)");
        }
    }
}
