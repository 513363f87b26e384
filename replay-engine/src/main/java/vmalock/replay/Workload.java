package vmalock.replay;

import java.util.List;

/**
 * A trace turned into work: one {@link MmWork} per address space, plus how the service-time
 * estimates were chosen and what could not be attributed.
 */
public final class Workload implements AutoCloseable {
    public final List<MmWork> mms;
    /** Service time of a fault handled under the per-VMA lock (the trace shows no end for it), ns. */
    public final long faultCostNs;
    /** Where {@link #faultCostNs} came from: {@code option}, {@code trace-fallback-mean}, {@code trace-vma-fault-gap-mean}, {@code spec-default}. */
    public final String faultCostSource;
    /** Samples behind a trace-calibrated fault cost. */
    public final long faultCostSamples;
    /** Mean uncontended start_locking→acquire_returned time of the trace (≤2 µs samples), ns. */
    public final long acquireCostNs;
    public final long acquireCostSamples;
    /**
     * The same mean over the acquisitions that followed their task's own release within MmapLock.HOT_NS (hot) and over
     * the others (cold), when each has at least {@link #MIN_ACQUIRE_CLASS_SAMPLES}; else 0 (the pooled mean for both).
     */
    public long acquireCostHotNs, acquireCostColdNs;
    public long acquireCostHotSamples, acquireCostColdSamples;
    static final int MIN_ACQUIRE_CLASS_SAMPLES = 20;
    /**
     * Wake-up latencies of the trace's sleeping mmap_lock waiters (sorted, ns): from the release that
     * let a waiter in (contention_begin READ/WRITE seen) to its acquire_returned — scheduling delay on
     * the traced machine, during which a reader already owns the lock it was granted.
     */
    public final long[] wakeLatencies;
    /** Faults of tasks whose address space never became known (no mm-bearing event, no known VMA). */
    public final long unattributedFaults;
    /** mmap_lock events that did not pair (acquire without start, release without acquire, …). */
    public final long unpairedEvents;
    /** Lost-event markers in the input (the replay cannot reproduce what was not recorded). */
    public final long lostEvents;
    /** Time resolution of the input timestamps (ns): 1000 for µs-printing tools. */
    public final long resolutionNs;
    /**
     * Which memcg field the mmap_lock events carry: {@code memcg_id} (≈6.14+), {@code memcg_path}
     * (5.11–≈6.13), or null without mmap_lock events — the only kernel-version hint a trace gives.
     */
    public final String memcgField;
    /** Observed sys_enter → sys_exit of the VMA-changing syscalls (ns). */
    public vmalock.stats.Samples observedSyscallLatency = new vmalock.stats.Samples();
    /**
     * The trace's sleeps inside mmap_lock write sections (sched_switch out not runnable while holding it for write, to
     * the switch back in, ns): what the replay's vma_write_wait_us models, as far as the trace shows it.
     */
    public vmalock.stats.Samples observedWriteSectionSleeps = new vmalock.stats.Samples();
    /** {@link #observedSyscallLatency} by syscall ({@link vmalock.event.Syscall} ordinal; null: none traced). */
    public vmalock.stats.Samples[] observedSyscallLatencyBy = new vmalock.stats.Samples[vmalock.event.Syscall.values().length];
    /** CPUs the trace shows (highest CPU column + 1; 0 when it has none). */
    public int cpus;
    /** sched_switch events in the trace: with them the replay splits each task's time (closed loop). */
    /** OPEN_PATH events (uprobes on open functions): without them the trace cannot show /proc/PID/maps readers. */
    public long openPathEvents;
    /** Traced /proc/PID/maps reads whose target's address space the trace never showed (not replayed). */
    public long mapsReadsUnattributed;
    public long schedSwitches;
    /** Wake-up → running latencies onto an idle CPU (sched_wakeup → sched_switch from idle), sorted, ns. */
    public long[] idleWakeLatencies = new long[0];
    /**
     * Which wake-ups {@link #idleWakeLatencies} holds: {@code trace-task-wakeups-onto-idle-cpu} (those a running task
     * emitted, as a lock release does; at least {@code WorkBuilder.MIN_TASK_WAKES}), else
     * {@code trace-mmap-lock-handovers-onto-idle-cpu} (no sched_waking: a remote wake-up's sched_wakeup comes when its
     * IPI arrives, so the release → acquire_returned of mmap_lock waiters that slept on an idle CPU; as many), else
     * {@code trace-wakeups-onto-idle-cpu} (every one), {@code none}.
     */
    public String idleWakeSource = "none";
    /**
     * How each per-VMA-lock fault's service time is spread around {@link #faultCostNs}: {@code trace-gaps} (a fault
     * whose gap to its task's next event is more than two resolution steps costs that gap × {@link #faultGapScale},
     * the others the mean of theirs × the same factor) or {@code constant}.
     */
    public String faultCostShape = "constant";
    /** The factor of {@code trace-gaps}: the fault-cost estimate ÷ the mean gap from a per-VMA-lock fault to its task's next event. */
    public double faultGapScale;
    /** Fallback-path sections of first write faults in fresh anonymous VMAs (vmf_anon_prepare), left out of the fallback mean. */
    public long anonPrepareSections;
    /**
     * madvise calls under the per-VMA lock that batch their TLB flush (DONTNEED, FREE, DONTNEED_LOCKED), those whose
     * first tlb_flush the trace shows (their zap measured), the per-page bound of the others' zap (ns, 0: none: the
     * whole call holds the VMA lock) and where the split comes from.
     */
    public long madviseZapCalls, madviseZapFlushes, madviseZapNsPerPage;
    public String madviseZapSource = "none";
    /**
     * The trace's mmap_lock readers that slept: start_locking → their sched_switch out (ns, sorted): how long a task
     * that blocks without spinning is still on its CPU. The closed loop draws a VMA writer's from it
     * ({@link vmalock.lock.SimScheduler#rcuwaitSwitchOut}; writers of mmap_lock spin first and are left out).
     */
    public long[] switchOutLatencies = new long[0];
    /** Samples needed to use {@link #switchOutLatencies}. */
    public static final int MIN_SWITCH_OUT_SAMPLES = 20;

    /**
     * The samples a sleeper's wake-up latency is drawn from: in the closed loop the trace's wake-ups onto an idle
     * CPU ({@link #idleWakeLatencies}) when it has them, else its mmap_lock sleepers' release→acquire gaps.
     */
    public long[] sleeperWakeSamples(boolean closedLoop) {
        return closedLoop && idleWakeLatencies.length > 0 ? idleWakeLatencies : wakeLatencies;
    }

    /** Which samples {@link #sleeperWakeSamples} gives, for run.json. */
    public String sleeperWakeSource(boolean closedLoop) {
        if (closedLoop && idleWakeLatencies.length > 0) return idleWakeSource;
        return wakeLatencies.length == 0 ? "none" : "trace-mmap-lock-release-to-acquire";
    }
    /** Wake-up → running delays of wake-ups that preempted a running task (sched_switch prev_state R), sorted, ns. */
    public long[] busyWakeLatencies = new long[0];
    /** How long tasks had run since their switch-in when preempted (sched_switch prev_state R), sorted, ns. */
    public long[] preemptedRunLengths = new long[0];
    /** Switches out in kernel mode (sched_switch prev_state R+): preemptions at cond_resched() or anywhere. */
    public long kernelPreemptions;
    /** … of a task holding a fault's mmap_lock, where only a preemptible kernel (preempt=full) switches. */
    public long kernelPreemptionsInFaultHold;
    /** … of a task inside a VMA-changing syscall (at cond_resched() in its page-table walk under preempt=none). */
    public long kernelPreemptionsInVmaSyscall;
    /**
     * Wake-ups of a task whose previous CPU was busy while another CPU was idle, that the kernel put on the previous
     * CPU / on an idle one (sched_wakeup's target_cpu, the CPU the kernel picked): where the traced machine's
     * scheduler puts a wakee.
     */
    public long wakesToPrevCpu, wakesToIdleCpu;
    /**
     * What waking a sleeping waiter cost the waker, sorted (ns): mmap_lock write releases inside a syscall that had a
     * waiter asleep, release → sys_exit (try_to_wake_up of a task on another CPU; on a VM an IPI is a VM exit). Such
     * releases' syscall tails are 0 in the ops: the replay draws the cost wherever its own release wakes a sleeper.
     */
    public long[] wakerCosts = new long[0];
    /** Samples needed for the replay to draw the waker's cost ({@link #wakerCosts}); fewer: none. */
    public static final int MIN_WAKER_COST_SAMPLES = 20;
    /** Faults the trace shows under mmap_lock (their holds are where {@link #kernelPreemptionsInFaultHold} counts). */
    public long faultHolds;

    /**
     * The traced scheduler's protection of a running task against wake-up preemption: the median time a task
     * had run since its switch-in when it was preempted, or -1 when the trace shows no preemption.
     */
    public long wakePreemptMinRunNs() {
        return preemptedRunLengths.length == 0 ? -1 : preemptedRunLengths[(preemptedRunLengths.length - 1) / 2];
    }

    /** The closed-loop, scheduler-aware replay applies: the trace has sched_switch events. */
    public boolean hasSched() {
        return schedSwitches > 0;
    }

    /** The temporary file the operations were spilled to, or null (all in memory). */
    private final Spill spill;

    Workload(List<MmWork> mms, long faultCostNs, String faultCostSource, long faultCostSamples, long acquireCostNs,
             long acquireCostSamples, long[] wakeLatencies, long unattributedFaults, long unpairedEvents, long lostEvents, long resolutionNs,
             String memcgField, Spill spill) {
        this.spill = spill;
        this.mms = mms;
        this.faultCostNs = faultCostNs;
        this.faultCostSource = faultCostSource;
        this.faultCostSamples = faultCostSamples;
        this.acquireCostNs = acquireCostNs;
        this.acquireCostSamples = acquireCostSamples;
        this.wakeLatencies = wakeLatencies;
        this.unattributedFaults = unattributedFaults;
        this.unpairedEvents = unpairedEvents;
        this.lostEvents = lostEvents;
        this.resolutionNs = resolutionNs;
        this.memcgField = memcgField;
    }

    /** {@code uname -r} of the traced kernel when the workspace knows it (capture, ingest --kernel), else null. */
    public String kernelRelease;
    /** How {@link #kernelRelease} is known: "recorded by capture", "ingest --kernel". */
    public String kernelReleaseFrom;
    /** CONFIG_PER_VMA_LOCK of the traced kernel ({@code y}/{@code n}), null when unknown. */
    public String perVmaLockConfig;

    /** The policy of the kernel that produced the trace, and how it is known ({@link KernelBaseline}). */
    public KernelBaseline kernelBaseline() {
        return KernelBaseline.of(kernelRelease, kernelReleaseFrom, perVmaLockConfig, memcgField);
    }

    public String kernelPolicy() {
        return kernelBaseline().policy;
    }

    /** Bytes of operations spilled to the temporary work file (0: all in memory). */
    public long spilledBytes() {
        return spill == null ? 0 : spill.bytes();
    }

    /** Deletes the temporary work file (the workload cannot be replayed afterwards). */
    @Override
    public void close() {
        if (spill != null) spill.close();
    }

    /** Operations of the whole workload (of the one a {@link #share} was cut from). */
    public long operations() {
        if (shareOperations >= 0) return shareOperations;
        long n = 0;
        for (MmWork m : mms) n += m.operations();
        return n;
    }

    /** Address spaces of the whole workload (of the one a {@link #share} was cut from). */
    public int addressSpaces() {
        return shareAddressSpaces >= 0 ? shareAddressSpaces : mms.size();
    }

    /** Set in a share: the whole workload's {@link #addressSpaces()} and {@link #operations()}. */
    private int shareAddressSpaces = -1;
    private long shareOperations = -1;

    /**
     * The work of the address spaces {@code only} accepts ({@link MmWork#index}): the same {@link MmWork}s, the same
     * calibration (fault cost, acquire cost, wake-up latencies, CPUs, resolution, sched timelines) and the whole
     * workload's counts, so that {@link ReplayEngine#runAddressSpaces} replays them as it does on the whole workload.
     * Only the operations of those address spaces are in it — what a {@code vmalock fleet --fanout mm} task needs
     * (the whole trace's events are needed to build the work: task attribution, calibration). Not for a spilled
     * workload (its operations are in this machine's temporary file).
     */
    public Workload share(java.util.function.IntPredicate only) {
        if (spill != null) throw new IllegalStateException("a spilled workload cannot be shared");
        List<MmWork> mine = new java.util.ArrayList<>();
        for (MmWork m : mms) if (only.test(m.index)) mine.add(m);
        Workload s = new Workload(mine, faultCostNs, faultCostSource, faultCostSamples, acquireCostNs, acquireCostSamples,
                wakeLatencies, unattributedFaults, unpairedEvents, lostEvents, resolutionNs, memcgField, null);
        s.acquireCostHotNs = acquireCostHotNs;
        s.acquireCostColdNs = acquireCostColdNs;
        s.acquireCostHotSamples = acquireCostHotSamples;
        s.acquireCostColdSamples = acquireCostColdSamples;
        s.shareAddressSpaces = addressSpaces();
        s.shareOperations = operations();
        s.observedSyscallLatency = observedSyscallLatency;
        s.observedWriteSectionSleeps = observedWriteSectionSleeps;
        s.observedSyscallLatencyBy = observedSyscallLatencyBy;
        s.cpus = cpus;
        s.schedSwitches = schedSwitches;
        s.idleWakeLatencies = idleWakeLatencies;
        s.idleWakeSource = idleWakeSource;
        s.faultCostShape = faultCostShape;
        s.faultGapScale = faultGapScale;
        s.anonPrepareSections = anonPrepareSections;
        s.switchOutLatencies = switchOutLatencies;
        s.madviseZapCalls = madviseZapCalls;
        s.madviseZapFlushes = madviseZapFlushes;
        s.madviseZapNsPerPage = madviseZapNsPerPage;
        s.madviseZapSource = madviseZapSource;
        s.kernelPreemptions = kernelPreemptions;
        s.kernelPreemptionsInFaultHold = kernelPreemptionsInFaultHold;
        s.kernelPreemptionsInVmaSyscall = kernelPreemptionsInVmaSyscall;
        s.faultHolds = faultHolds;
        s.wakesToPrevCpu = wakesToPrevCpu;
        s.wakerCosts = wakerCosts;
        s.wakesToIdleCpu = wakesToIdleCpu;
        s.busyWakeLatencies = busyWakeLatencies;
        s.kernelRelease = kernelRelease;
        s.kernelReleaseFrom = kernelReleaseFrom;
        s.perVmaLockConfig = perVmaLockConfig;
        return s;
    }

    public long faultsKnown() {
        long n = 0;
        for (MmWork m : mms) n += m.faultsKnown;
        return n;
    }

    public long rangesKnown() {
        long n = 0;
        for (MmWork m : mms) n += m.rangesKnown;
        return n;
    }

    public long rangesInferred() {
        long n = 0;
        for (MmWork m : mms) n += m.rangesInferred;
        return n;
    }

    public long faultsInferred() {
        long n = 0;
        for (MmWork m : mms) n += m.faultsInferred;
        return n;
    }
}
