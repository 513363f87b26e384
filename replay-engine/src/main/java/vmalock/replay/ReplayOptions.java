package vmalock.replay;

/** Parameters of one replay run (all of them recorded with the run). */
public final class ReplayOptions {
    public PolicyPreset policy = PolicyPreset.preset("vma-refcount");
    /** Seeds the choices the trace does not determine (which VMA a remote or other reader touches). */
    public long seed;
    /**
     * CPUs of the modelled machine; 0 = unlimited; -1 (default) = the traced machine's CPUs when the
     * replay is closed-loop (the trace has sched events), else unlimited. 1 also turns per-VMA locks off
     * unless the policy is unconditional.
     */
    public int cpus = -1;
    /** Run the invariant checker of the locks package (slower). */
    public boolean check;
    /** Emit tracepoint events (off for pure speed measurements). */
    public boolean emit = true;
    /** Worker threads for per-mm parallelism; 0 = available processors. */
    public int threads;
    /** Virtual-time window of the deterministic merge (ns). */
    public long windowNs = 5_000_000;
    /**
     * Timestamps of emitted events are truncated to this resolution (ns): by default the trace's own
     * (1000 for µs-printing tools), so the replay is measured as the kernel was; 1 keeps exact ns.
     */
    public long resolutionNs = -1;

    /**
     * start_locking→rwsem cost of a blocking mmap_lock acquisition (tracepoint + fast path), ns;
     * -1 = the trace's own mean uncontended write wait ({@link Workload#acquireCostNs}).
     */
    public long acquireCostNs = -1;
    /** When a task issues its next operation. */
    public enum Timing {
        /** {@link #SCHED} when the trace has sched_switch events, else {@link #TRACE} (the default). */
        AUTO,
        /**
         * Closed loop, scheduler-aware: each task's time between operations is split with its
         * sched_switch / sched_wakeup events into on-CPU compute (replayed as think time after the
         * simulated end of the previous operation, on a modelled CPU), sleep (replayed off CPU with its
         * recorded length) and runnable wait (dropped: the modelled CPUs recreate it).
         */
        SCHED,
        /**
         * At the time the trace shows it, or as soon as the previous operation ends if that is later
         * (open loop): waits are measured under the observed arrival process and a delay carries
         * over only until the task's next idle gap absorbs it, so modelling errors never accumulate.
         */
        TRACE,
        /** max(trace time, previous end + think time): never early, delays carry over for good. */
        ANCHORED,
        /** previous end + think time (closed loop): a faster policy finishes earlier; errors accumulate. */
        CLOSED
    }

    public Timing timing = Timing.AUTO;

    /** The timing a workload is replayed with: AUTO resolved by whether it has sched events. */
    public Timing effectiveTiming(Workload w) {
        if (timing != Timing.AUTO) return timing;
        return w.hasSched() ? Timing.SCHED : Timing.TRACE;
    }

    /** The modelled CPUs for a workload (0 = unlimited). */
    public int effectiveCpus(Workload w) {
        if (cpus >= 0) return cpus;
        return effectiveTiming(w) == Timing.SCHED && w.cpus > 0 ? w.cpus : 0;
    }
    /** Run on real threads (the locks' ThreadDriver): wall-clock results, not deterministic. */
    public boolean live;
    /** The event filter the replayed events went through (its description), or null: all events. */
    public String filter;
    /** Told the id of each run as it starts (a progress display), or null. Not part of the run's identity. */
    public java.util.function.Consumer<String> onRun;

    public ReplayOptions timing(Timing t) {
        this.timing = t;
        return this;
    }

    /**
     * Latency from a waiter's wake-up to its running again, ns; -1 (default) = drawn with the seed
     * from the trace's own wake-up latencies ({@link Workload#wakeLatencies}), 0 when it has none.
     */
    public long wakeLatencyNs = -1;

    /** Multiplies the per-VMA fault cost the trace gives (compare --sweep varies it); 1 = as measured. */
    public double faultCostScale = 1;

    /**
     * Whether kernel work can lose its CPU anywhere, as under preempt=full (TRUE), or only where it reaches
     * cond_resched() — a VMA syscall's page-table walk, never a fault's path — as under preempt=none/voluntary
     * (FALSE); null (default): as the trace shows ({@link #effectiveKernelPreemption}).
     */
    public Boolean kernelPreemption;

    /** In-kernel preemptions (sched_switch prev_state R+) a trace needs for their absence from faults to count. */
    public static final long MIN_PREEMPTION_EVIDENCE = 20;

    /**
     * The kernel preemption model a workload is replayed with: the option, else the trace's evidence — a task
     * switched out in kernel mode (prev_state R+) while holding a fault's mmap_lock shows a preemptible kernel (the
     * anonymous fault path has no cond_resched()); at least {@link #MIN_PREEMPTION_EVIDENCE} such switches, none
     * of them there, show preempt=none/voluntary; fewer: none/voluntary assumed (the distributions' default).
     */
    public boolean effectiveKernelPreemption(Workload w) {
        if (kernelPreemption != null) return kernelPreemption;
        return w != null && w.kernelPreemptionsInFaultHold > 0;
    }

    /** Why {@link #effectiveKernelPreemption} chose what it did, for run.json. */
    public String kernelPreemptionBasis(Workload w) {
        if (kernelPreemption != null) return "option";
        if (w == null) return "no trace";
        if (w.kernelPreemptionsInFaultHold > 0) {
            return "trace: " + w.kernelPreemptionsInFaultHold + " of its " + w.kernelPreemptions
                    + " in-kernel preemptions (sched_switch prev_state R+) inside a fault's mmap_lock hold";
        }
        if (w.kernelPreemptions >= MIN_PREEMPTION_EVIDENCE) {
            return "trace: none of its " + w.kernelPreemptions + " in-kernel preemptions (sched_switch prev_state R+) "
                    + "inside any of its " + w.faultHolds + " faults' mmap_lock holds";
        }
        return "assumed (the distributions' default): the trace has " + w.kernelPreemptions
                + " in-kernel preemptions (sched_switch prev_state R+), fewer than " + MIN_PREEMPTION_EVIDENCE + " to tell";
    }

    /**
     * Where a woken task runs when its previous CPU is busy and another is idle: TRUE — queued on the previous CPU
     * (the kernel searches for an idle CPU only among CPUs sharing the previous one's last-level cache, and cuts the
     * search short on a busy machine); FALSE — an idle CPU; null (default): as often on an idle CPU as the trace
     * shows ({@link #effectiveWakeIdleShare}).
     */
    public Boolean wakeOnPrevCpu;

    /**
     * Wake-ups a trace needs (previous CPU busy, another idle) to tell where its kernel puts a wakee; with fewer, an
     * idle CPU, as on CPUs that share a cache with nothing else running.
     */
    public static final long MIN_PLACEMENT_EVIDENCE = 5;

    /** The kernel's default sched_migration_cost (ns): how long a task stays cache-hot after it last ran. */
    public static final long KERNEL_MIGRATION_COST_NS = 500_000;

    /**
     * The share of wake-ups of a task whose previous CPU is busy while another is idle that the replay puts on the
     * idle CPU (the rest wait on the previous one): the option (prev 0, idle 1); else the trace's, from sched_wakeup's
     * target_cpu, when it has at least {@link #MIN_PLACEMENT_EVIDENCE} such wake-ups; else 1. The single-queue
     * scheduler models: 1 unless the option says prev.
     */
    public double effectiveWakeIdleShare(Workload w) {
        if (wakeOnPrevCpu != null) return wakeOnPrevCpu ? 0 : 1;
        if (w == null || !eevdf) return 1;
        long n = w.wakesToPrevCpu + w.wakesToIdleCpu;
        return n >= MIN_PLACEMENT_EVIDENCE ? (double) w.wakesToIdleCpu / n : 1;
    }

    /** Whether some woken tasks wait on their busy previous CPU while another is idle ({@link #effectiveWakeIdleShare} below 1). */
    public boolean effectiveWakeOnPrevCpu(Workload w) {
        return effectiveWakeIdleShare(w) < 1;
    }

    /** Why {@link #effectiveWakeIdleShare} is what it is, for run.json. */
    public String wakePlacementBasis(Workload w) {
        if (wakeOnPrevCpu != null) return "option";
        if (w == null) return "no trace";
        if (!eevdf) return "the --wakeup-preempt model places a woken task on any idle CPU (--wake-cpu prev to change)";
        long n = w.wakesToPrevCpu + w.wakesToIdleCpu;
        String seen = w.wakesToIdleCpu + " of its " + n + " wake-ups of a task whose previous CPU was busy (running or"
                + " with a task queued) while another was idle went to an idle CPU (sched_wakeup target_cpu)";
        if (n >= MIN_PLACEMENT_EVIDENCE) return "trace: " + seen;
        return "assumed (an idle CPU, as on CPUs sharing a cache): " + seen + ", fewer than "
                + MIN_PLACEMENT_EVIDENCE + " to tell";
    }

    /** The migration cost a replay of {@code w} uses: the option, else the kernel's default with per-CPU queues (EEVDF, or wakees kept on their previous CPU). */
    public long effectiveMigrationCostNs(Workload w) {
        if (migrationCostNs > 0 || !eevdf && !effectiveWakeOnPrevCpu(w)) return migrationCostNs;
        return KERNEL_MIGRATION_COST_NS;
    }

    /** Time slice of the modelled CPUs (ns); -1 = the scheduler's default for the modelled CPU count. */
    public long sliceNs = -1;
    /** A woken task preempts a running one at once (true), or waits for a slice's end / a CPU (false). */
    public boolean wakeupPreemption = true;
    /**
     * With {@link #wakeupPreemption}: a woken task preempts after a delay drawn (with the seed) from the trace's
     * own wake-ups that preempted a running task, rather than at once (needs sched_switch with prev_state).
     */
    public boolean wakeupPreemptFromTrace;
    /**
     * With {@link #wakeupPreemption}: a woken task that finds every CPU busy preempts only a task that has run at
     * least the traced scheduler's protection time since it got its CPU ({@link Workload#wakePreemptMinRunNs}:
     * the median run before a preemption in the trace), else it waits for that or for a free CPU.
     */
    public boolean wakeupPreemptMinRun;
    /**
     * The modelled scheduler's migration cost (ns, {@code sysctl_sched_migration_cost}): a task preempted off a
     * CPU stays queued there while cache-hot instead of taking another CPU that goes idle
     * ({@link vmalock.lock.SimScheduler#migrationCostNs}); 0 = one run queue for all CPUs.
     */
    public long migrationCostNs;
    /** With {@link #wakeupPreemption}: a woken task preempts the task on its previous CPU ({@link vmalock.lock.SimScheduler#wakePreemptPrevCpu}). */
    public boolean wakeupPreemptPrevCpu;
    /**
     * Per-CPU EEVDF run queues ({@link vmalock.lock.SimScheduler#eevdf}): wake-up preemption as the kernel (6.6+)
     * decides it. The default; false with the other {@code --wakeup-preempt} models.
     */
    public boolean eevdf = true;
    /**
     * With {@link #eevdf}: the kernel's DELAY_DEQUEUE ({@link vmalock.lock.SimScheduler#delayDequeue}), a task that
     * sleeps while not eligible staying on its queue until it is picked or woken.
     */
    public boolean delayDequeue = DEFAULT_DELAY_DEQUEUE;
    public static final boolean DEFAULT_DELAY_DEQUEUE = false;
    /**
     * Closed loop: a VMA writer (vma_start_write's rcuwait) woken within the trace's start_locking → switch-out time of
     * mmap_lock readers that slept (drawn per wake-up) pays no wake-up latency ({@link Workload#switchOutLatencies}).
     */
    public boolean rcuwaitSwitchOut = DEFAULT_RCUWAIT_SWITCH_OUT;
    public static final boolean DEFAULT_RCUWAIT_SWITCH_OUT = true;

    /**
     * Whether a replay of {@code w} draws VMA writers' switch-out times ({@link #rcuwaitSwitchOut}): the closed loop
     * with sampled wake-up latencies, and enough samples in the trace.
     */
    public boolean rcuwaitSwitchOutApplies(Workload w) {
        return rcuwaitSwitchOut && wakeLatencyNs < 0 && effectiveTiming(w) == Timing.SCHED
                && w.sleeperWakeSamples(true).length > 0 && w.switchOutLatencies.length >= Workload.MIN_SWITCH_OUT_SAMPLES;
    }

    /**
     * Closed loop: a task whose release wakes a sleeping waiter spends, on its CPU, what that cost the trace's wakers
     * ({@link Workload#wakerCosts}, drawn per wake-up).
     */
    public boolean wakerCost = DEFAULT_WAKER_COST;
    public static final boolean DEFAULT_WAKER_COST = true;

    /** Whether a replay of {@code w} draws the waker's cost ({@link #wakerCost}): the closed loop, and enough samples. */
    public boolean wakerCostApplies(Workload w) {
        return wakerCost && w != null && effectiveTiming(w) == Timing.SCHED
                && w.wakerCosts.length >= Workload.MIN_WAKER_COST_SAMPLES;
    }

    /** A copy of every option (compare's runs and sweep variants, replay's policies start from one template). */
    public ReplayOptions copy() {
        ReplayOptions o = new ReplayOptions();
        o.policy = policy;
        o.seed = seed;
        o.cpus = cpus;
        o.check = check;
        o.emit = emit;
        o.threads = threads;
        o.windowNs = windowNs;
        o.resolutionNs = resolutionNs;
        o.acquireCostNs = acquireCostNs;
        o.timing = timing;
        o.wakeLatencyNs = wakeLatencyNs;
        o.faultCostScale = faultCostScale;
        o.kernelPreemption = kernelPreemption;
        o.sliceNs = sliceNs;
        o.wakeupPreemption = wakeupPreemption;
        o.wakeupPreemptFromTrace = wakeupPreemptFromTrace;
        o.wakeupPreemptMinRun = wakeupPreemptMinRun;
        o.migrationCostNs = migrationCostNs;
        o.wakeupPreemptPrevCpu = wakeupPreemptPrevCpu;
        o.wakeOnPrevCpu = wakeOnPrevCpu;
        o.eevdf = eevdf;
        o.delayDequeue = delayDequeue;
        o.rcuwaitSwitchOut = rcuwaitSwitchOut;
        o.wakerCost = wakerCost;
        o.live = live;
        o.filter = filter;
        o.onRun = onRun;
        return o;
    }

    public ReplayOptions kernelPreemption(Boolean b) {
        this.kernelPreemption = b;
        return this;
    }

    public ReplayOptions wakeLatency(long ns) {
        this.wakeLatencyNs = ns;
        return this;
    }

    public ReplayOptions acquireCost(long ns) {
        this.acquireCostNs = ns;
        return this;
    }

    public ReplayOptions policy(PolicyPreset p) {
        this.policy = p;
        return this;
    }

    public ReplayOptions seed(long s) {
        this.seed = s;
        return this;
    }

    public ReplayOptions cpus(int n) {
        this.cpus = n;
        return this;
    }

    public ReplayOptions threads(int n) {
        this.threads = n;
        return this;
    }

    public ReplayOptions emit(boolean e) {
        this.emit = e;
        return this;
    }

    public ReplayOptions check(boolean c) {
        this.check = c;
        return this;
    }

    public ReplayOptions resolution(long ns) {
        this.resolutionNs = ns;
        return this;
    }
}
