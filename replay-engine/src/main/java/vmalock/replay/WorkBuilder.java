package vmalock.replay;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import vmalock.event.Event;
import vmalock.event.EventKind;
import vmalock.event.Syscall;

/**
 * Turns a stream of canonical events (in file order) into {@link Workload}: per address space and
 * per task, the user faults, the mmap_lock read sections not caused by faults, the write sections with
 * their syscall and range, and the think time between a task's operations. One handler per event kind.
 *
 * <p><b>Address spaces.</b> mm keys are split into instances: a write acquisition by a task on an mm
 * other than its own is a brand-new mm (fork's {@code dup_mmap} write-locks the child's mm, exec's
 * {@code bprm_mm_init} the new one), so a fresh instance of that key starts there. A task's own mm is
 * confirmed by evidence that can only concern {@code current->mm}: a syscall that took the lock (mmap,
 * munmap, mprotect, madvise, brk, mremap), a fault's fallback acquisition, or the mm its exec created.
 * Faults handled under the per-VMA lock carry no mm: they go to the task's confirmed mm, else to the
 * one address space whose known VMAs contain the address, else they wait until the mm is confirmed.
 *
 * <p><b>Processes.</b> Tasks are grouped into processes by tgid when the trace shows it (ftrace's
 * {@code (tgid)} column, perf's PID/TID, CSV), else each task is its own process; the own mm is a
 * process's, so a new thread's faults go to its process's mm. {@code sched_process_fork} hands the mm
 * the parent's {@code dup_mmap} just write-locked (nested in a write of its own mm) to the child, or —
 * without dup_mmap (thread, vfork) — the parent's mm; {@code sched_process_exec} makes the mm its
 * {@code bprm_mm_init} write-locked the process's own. Two processes are never merged: own-mm evidence
 * of one process (tgid known) on an address space another process owns means the key was reused by a
 * process whose creation the trace did not show, and starts a new instance; address-based attribution
 * never picks another process's address space (a forked copy has the same layout).
 *
 * <p><b>Readers.</b> A read section by a task on an mm that is not one of its own is a remote access
 * ({@code /proc/PID/*}, {@code process_vm_readv}, ptrace: the trace cannot tell which); a read inside
 * a madvise syscall is a madvise reader; anything else (khugepaged, kernel-mode faults, …) is "other".
 * A remote read inside {@code pread64} is a {@code /proc/PID/mem} copy ({@code mem_rw}: one
 * {@code access_remote_vm} per bounce page): it carries its address ({@code pos} + k pages) and length.
 */
public final class WorkBuilder {
    /** Spec §9: ≈1.1 µs per anonymous fault, single thread (P. Agrawal, 2023-02-15). */
    public static final long SPEC_FAULT_COST_NS = 1000;
    /** Minimum fallback faults for a trace-calibrated fault cost. */
    public static final int MIN_CALIBRATION_SAMPLES = 10;
    private static final long UNCONTENDED_LIMIT_NS = 2000;

    private final long faultCostOption;
    /** Multiplies the chosen fault cost (the sensitivity sweep of compare --sweep); 1 = as chosen. */
    public double faultCostScale = 1;
    private final Map<Long, MmWork> current = new HashMap<>();
    private final Map<Long, Integer> instanceCount = new HashMap<>();
    private final List<MmWork> mms = new ArrayList<>();
    private final Map<Integer, Task> tasks = new HashMap<>();
    private final Map<Integer, Proc> procs = new HashMap<>();
    private final List<Task> taskOrder = new ArrayList<>();
    private long[] fallbackHolds = new long[64];
    private long[] wake = new long[64];
    private int nWake;
    private int nFallbackHolds;
    private long acquireSum;
    private long acquireSamples;
    /** The acquisitions that followed their task's own release within MmapLock.HOT_NS ({@link #hot}). */
    private long acquireHotSum, acquireHotSamples;
    private long unpaired;
    private long lost;
    private boolean subMicro;
    private boolean memcgPath;
    private boolean memcgId;
    private int maxCpu = -1;
    /** Open-path probe events (the evidence for maps readers) and maps reads whose target's address space is unknown. */
    private long openPathEvents, mapsReadsUnattributed;
    /** sys_enter → sys_exit of every traced VMA-changing syscall (mmap, munmap, mprotect, madvise, mremap, brk). */
    private final vmalock.stats.Samples observedSyscalls = new vmalock.stats.Samples();
    /**
     * Sleeps of a task switched out not runnable while it holds mmap_lock for write, until it runs again: a VMA
     * writer waiting in vma_start_write for the VMA's readers (or an allocation sleeping), the waits the replay
     * reports as vma_write_wait_us, which no tracepoint shows.
     */
    private final vmalock.stats.Samples writeSectionSleeps = new vmalock.stats.Samples();
    private final vmalock.stats.Samples[] observedSyscallsBy = new vmalock.stats.Samples[Syscall.values().length];
    /** Per-VMA-lock faults: time from page_fault_user to the task's next traced event (≤ 10 µs). */
    private long vmaGapSum, vmaGapN;
    /** Fallback-path sections of write faults on fresh anonymous VMAs: vmf_anon_prepare, not samples of a fault's service. */
    private long anonPrepareSections;
    /** The fault being closed: its gap to the task's next event when within the limit, else -1. */
    private long vmaGap = -1;
    /** Gaps within two resolution steps (µs and ns timestamps): truncation noise, not a fault's own length. */
    private long gapBodySumUs, gapBodyNUs, gapBodySumNs, gapBodyNNs;
    /** User faults the traced kernel handled under the per-VMA lock (no mmap_lock events): it has per-VMA locks. */
    private long vmaPathFaults;
    static final long VMA_GAP_LIMIT_NS = 10_000;
    /** Samples needed for the fault cost to be the mean per-VMA fault gap. */
    static final int MIN_GAP_SAMPLES = 100;
    /** Per-tid off-CPU timelines from sched_switch / sched_wakeup (empty when the trace has none). */
    private final Map<Integer, SchedTimeline> sched = new HashMap<>();
    private long schedSwitches;
    private long[] idleWake = new long[64];
    private int nIdleWake;
    /** … of those, the wake-ups a running task emitted (a lock release's hand-over, not a timer on an idle CPU). */
    private long[] taskIdleWake = new long[64];
    private int nTaskIdleWake;
    /** Task-emitted wake-ups needed for the replay's lock wake-ups to be sampled from them alone. */
    static final int MIN_TASK_WAKES = 20;
    /** The task running on each CPU (0: idle, -1: not seen yet), from sched_switch. */
    private int[] cpuCurr = new int[0];
    /** The CPUs below 64 running the idle task (bit c: CPU c), from sched_switch. */
    private long idleCpus;
    /**
     * mmap_lock hand-overs to a sleeping waiter whose CPU was idle at the release: release (or downgrade) by another
     * task → the waiter's acquire_returned. The lock model's own wake-up, measured where nothing queues in front.
     */
    private long[] handoverIdle = new long[64];
    private int nHandoverIdle;
    /**
     * Per-VMA-lock madvise calls that batch their TLB flush (DONTNEED, FREE, DONTNEED_LOCKED): sys_enter → sys_exit per
     * page of the range (ns), and how many showed their first tlb_flush (the zap's end, measured).
     */
    /** mmap_lock readers that slept: start_locking → their sched_switch out (ns). */
    private long[] switchOut = new long[64];
    private int nSwitchOut;
    private long[] zapPerPage = new long[64];
    private int nZapPerPage, zapFlushed;
    /** Calls needed for the per-page zap bound (its 10th percentile). */
    static final int MIN_ZAP_SAMPLES = 20;
    /**
     * Wake-ups of a task whose previous CPU was busy (running another task, or with one queued) while another CPU was
     * idle: onto the previous CPU, onto an idle one — as sched_wakeup's target_cpu shows, the CPU the kernel picked.
     * Never sched_waking's: it is emitted before select_task_rq() and its target_cpu is task_cpu(p), the previous CPU,
     * whatever the kernel then picks. Busy and idle are judged at the sched_waking when the trace has one.
     */
    private long wakesToPrevCpu, wakesToIdleCpu;
    /** The CPU of the event being fed (-1: none). */
    private int eventCpu = -1;
    /** Tasks asleep waiting for each mm's mmap_lock (start_locking, then switched out not runnable), by mm. */
    private final java.util.HashMap<Long, int[]> sleepersByMm = new java.util.HashMap<>();
    /** Write releases inside a syscall that woke a sleeping waiter: release → sys_exit (ns). */
    private long[] wakerCost = new long[64];
    private int nWakerCost;
    /** Runnable tasks queued on each CPU, not running (woken onto it or preempted there), from the sched events. */
    private int[] cpuQueued = new int[0];
    /** Wake-up → running delays of woken tasks that took the CPU of a preempted one (prev_state R). */
    private long[] busyWake = new long[64];
    private int nBusyWake;
    /** How long a task had run since its switch-in when it was preempted (sched_switch prev_state R). */
    private long[] preemptedRun = new long[64];
    private int nPreemptedRun;
    /** Switches out in kernel mode (prev_state R+), and those of a task holding a fault's mmap_lock. */
    private long kernelPreemptions, kernelPreemptionsInFaultHold, kernelFaultHolds, kernelPreemptionsInVmaSyscall;

    /**
     * Operations held in memory before finished ones are spilled to a temporary file (≈100 bytes
     * each, ≈25 MB): beyond it, memory is per-task and per-mm state, not trace length.
     */
    public static final int DEFAULT_MEMORY_OPS = 256 * 1024;
    private static final int SPILL_CHECK_EVENTS = 4096;

    private final int memoryOps;
    private final java.nio.file.Path spillDir;
    private Spill spill;
    private final List<TaskWork> allWorks = new ArrayList<>();
    private int sinceCheck;
    private long lastTs;

    /** @param faultCostNs the per-VMA-lock fault service time, or -1 to calibrate it from the trace */
    public WorkBuilder(long faultCostNs) {
        this(faultCostNs, DEFAULT_MEMORY_OPS, null);
    }

    /**
     * @param memoryOps operations kept in memory before finished ones are spilled
     * @param spillDir where the temporary work file goes (null: java.io.tmpdir)
     */
    public WorkBuilder(long faultCostNs, int memoryOps, java.nio.file.Path spillDir) {
        this.faultCostOption = faultCostNs;
        this.memoryOps = memoryOps;
        this.spillDir = spillDir != null ? spillDir : java.nio.file.Paths.get(System.getProperty("java.io.tmpdir"));
    }

    /** Feeds one event (the instance may be reused by the caller afterwards). */
    public void accept(Event e) {
        eventCpu = e.cpu;
        if (e.ts % 1000 != 0) subMicro = true;
        if (e.kind.isMmapLock()) {
            if (e.memcgPath != null) memcgPath = true;
            else memcgId = true;
        }
        switch (e.kind) {
            case PAGE_FAULT_USER: onFault(e); break;
            case PAGE_FAULT_KERNEL: task(e).kFault = true; break; // its mmap_lock section is replayed as a read
            case MMAP_LOCK_START_LOCKING: onStart(e); break;
            case MMAP_LOCK_ACQUIRE_RETURNED: onAcquire(e); break;
            case MMAP_LOCK_RELEASED: onReleased(e); break;
            case SYS_ENTER: onSysEnter(e); break;
            case SYS_EXIT: onSysExit(e); break;
            case SCHED_PROCESS_EXEC: onExec(e); break;
            case SCHED_PROCESS_FORK: onFork(e); break;
            case LOST: lost += Math.max(0, e.count); break;
            case CONTENTION_BEGIN: onContentionBegin(e); break;
            case GENERIC: onGeneric(e); break;
            case OPEN_PATH: onOpenPath(e); break;
            default: break; // contention_*, page_fault_kernel, probes: the replay derives its own
        }
        if (e.cpu >= 0) maxCpu = Math.max(maxCpu, e.cpu);
        lastTs = Math.max(lastTs, e.ts);
        if (e.kind != EventKind.GENERIC && e.kind != EventKind.LOST && e.tid > 0) {
            // where a task's wake-up of another falls in its own work: after its last traced event
            Task t = lastEventTask != null && lastEventTask.tid == e.tid ? lastEventTask : tasks.get(e.tid);
            if (t != null) {
                t.lastEventTs = e.ts;
                lastEventTask = t;
            }
        }
        if (++sinceCheck >= SPILL_CHECK_EVENTS) {
            sinceCheck = 0;
            long held = 0;
            for (TaskWork w : allWorks) held += w.ops.n;
            if (held > memoryOps) spillRound();
        }
    }

    // ---- spilling -----------------------------------------------------------------------------------

    private void spillRound() {
        for (Task t : taskOrder) {
            for (int k = 0; k < t.works.size(); k++) spillFinished(t, t.works.get(k));
        }
    }

    /**
     * Spills the longest prefix of {@code w}'s operations that can no longer change: below any
     * operation still open (a held write section, a syscall not yet returned), sorted, and starting no
     * later than anything in memory or still to come (so a later re-sort of pending faults would never
     * move it) — the output is the same as with everything in memory.
     */
    private void spillFinished(Task t, TaskWork w) {
        Ops o = w.ops;
        int lim = o.n;
        if (lim == 0) return;
        if (t.wWork == w && (t.wState == W_HELD || t.wState == W_DOWNGRADED)) lim = Math.min(lim, t.wOp);
        if (t.scWork == w && t.sc != null && t.scOp >= 0) lim = Math.min(lim, t.scOp);
        long fut = lastTs;
        if (t.faultOpen) fut = Math.min(fut, t.fTs);
        if (t.rState != R_NONE) fut = Math.min(fut, t.rStart);
        if (t.wState == W_STARTED) fut = Math.min(fut, t.wStart);
        if (t.w2Mm != null) fut = Math.min(fut, t.w2Start);
        if (t.pending != null) for (int j = 0; j < t.pending.n; j++) fut = Math.min(fut, t.pending.start[j]);
        long[] suf = new long[o.n + 1];
        suf[o.n] = fut;
        for (int j = o.n - 1; j >= 0; j--) suf[j] = Math.min(suf[j + 1], o.start[j]);
        int k = 0;
        long max = Long.MIN_VALUE;
        for (int j = 0; j < lim; j++) {
            if (o.start[j] < max) break; // unsorted: a re-sort could move it
            max = o.start[j];
            if (max <= suf[j + 1]) k = j + 1;
        }
        if (k == 0) return;
        if (spill == null) spill = new Spill(spillDir);
        w.spill = spill;
        if (t.wakeDeps != null) for (SchedTimeline.WakeDep d : t.wakeDeps) d.spilling(w, o, k);
        spill.write(w, k);
        o.dropPrefix(k);
        if (t.wWork == w) {
            if (t.wOp >= k) t.wOp -= k;
            else t.wWork = null;
        }
        if (t.scWork == w) {
            if (t.scOp >= k) t.scOp -= k;
            else t.scWork = null;
        }
    }

    // ---- handlers ---------------------------------------------------------------------------------

    private void onFault(Event e) {
        Task t = task(e);
        endPendingOps(t, e.ts);
        t.kFault = false; // a user fault: whatever follows is its own
        t.faultOpen = true;
        t.fTs = e.ts;
        t.fAddr = e.address;
        t.fErr = e.errorCode;
        t.fState = 0;
        t.fMm = null;
    }

    private void onStart(Event e) {
        Task t = task(e);
        uncountSleeper(t);
        t.lockSlept = false;
        t.lockWaitMm = e.mm;
        if (!e.write) {
            if (t.rState == R_TRYFAILED && t.rMm != null && t.rMm.key == e.mm) {
                t.rFlags |= Ops.F_TRYLOCK; // trylock, then the blocking lock: one operation
                t.rState = R_STARTED;
                return;
            }
            // a fault's fallback locks current->mm: a read of another mm after a per-VMA-lock fault
            // (which has no end event) is not that fault's fallback
            boolean faultLock = t.faultOpen && (t.fState == F_NONE || t.fState == F_TRYFAILED)
                    && (t.proc.home == null || t.proc.home.key == e.mm
                        || t.proc.created != null && t.proc.created.key == e.mm);
            MmWork mm = resolve(t, e, false, faultLock || t.sc != null && t.sc != Syscall.OTHER);
            if (faultLock) {
                if (t.fState == F_NONE) t.fLockTs = e.ts;
                t.fState = F_STARTED;
                t.fMm = mm;
                confirmHome(t, mm);
                return;
            }
            endPendingOps(t, e.ts);
            t.rMm = mm;
            t.rState = R_STARTED;
            t.rStart = e.ts;
            t.rKFault = t.kFault; // a kernel-mode fault's lock_mm_and_find_vma
            t.kFault = false;
            t.rFlags = t.sc == Syscall.OTHER && t.scGup ? Ops.F_GUP : 0;
            if (t.sc == Syscall.OTHER) t.rFlags |= t.scProcFile;
            if (t.sc == Syscall.OTHER && t.scMem) {
                // fs/proc/base.c mem_rw(): one access_remote_vm() (one mmap_read_lock_killable section)
                // per bounce page, at pos, pos + PAGE_SIZE, …; the k-th section copies chunk k
                long off = (long) t.scMemK++ * AddressSpace.PAGE;
                t.rFlags |= Ops.F_MEM;
                t.rAddr = t.scArgs[3] + off;
                t.rLen = Math.max(1, Math.min(AddressSpace.PAGE, t.scArgs[2] - off));
            }
            t.rMadvise = t.sc == Syscall.MADVISE;
            if (t.rMadvise) {
                // start, length, behaviour: the replay zaps the range's pages (MADV_DONTNEED/REMOVE)
                t.rAddr = t.scArgs[0];
                t.rLen = t.scArgs[1];
                t.rBehavior = t.scArgs[2];
            }
            if (t.sc != null && t.sc != Syscall.OTHER) confirmHome(t, mm);
            if (t.sc != null) t.scLocked = true;
            return;
        }
        MmWork mm = resolve(t, e, true, t.sc != null && t.sc != Syscall.OTHER && t.wState != W_HELD);
        endPendingOps(t, e.ts);
        if (t.faultOpen) closeFault(t, e.ts);
        beginWrite(t, mm, e.ts);
    }

    private void beginWrite(Task t, MmWork mm, long ts) {
        if (t.wState == W_HELD && t.wMm != mm) {
            // a second mm write-locked while holding our own: fork's dup_mmap
            t.wWork.ops.flags[t.wOp] |= Ops.F_FORK;
        } else if (t.wState != W_NONE) {
            closeWrite(t, -1);
        }
        if (t.wState == W_HELD) {
            // keep the parent's section open; the child's section is recorded on its own
            t.w2Mm = mm;
            t.w2Start = ts;
            return;
        }
        t.wMm = mm;
        t.wState = W_STARTED;
        t.wStart = ts;
        if (t.sc != null) {
            t.scLocked = true;
            if (t.sc != Syscall.OTHER) confirmHome(t, mm);
        }
    }

    /** The wake-ups by traced tasks, resolved by {@link #finish}. */
    private final List<SchedTimeline.WakeDep> wakeDeps = new ArrayList<>();

    /** The task of the last event that had one (most events follow their task's previous one). */
    private Task lastEventTask;

    /**
     * A wake-up of {@code pid}: what ended its sleep. A sched_waking runs in the waker's context, so with the ftrace
     * flags column (Event#irqContext) it tells a timer's or a device's wake-up (interrupt context, whatever task it
     * interrupted) from a task's: a futex or pipe wake-up by a traced task is a dependency the replay keeps. Without
     * the column, or from sched_wakeup (emitted on the wakee's CPU for a remote wake-up), the context is unknown.
     */
    private void wakeup(Event e, int pid, boolean waking) {
        byte kind;
        SchedTimeline.WakeDep dep = null;
        if (!waking || e.irqContext == Event.UNKNOWN) {
            kind = SchedTimeline.WOKEN_CONTEXT_UNKNOWN;
        } else if (e.irqContext != Event.IRQ_TASK) {
            kind = SchedTimeline.WOKEN_IN_INTERRUPT;
        } else {
            Task w = e.tid > 0 && e.tid != pid ? tasks.get(e.tid) : null;
            if (w == null || w.lastEventTs < 0) {
                kind = SchedTimeline.WOKEN_BY_UNTRACED_TASK;
            } else {
                // where in the waker's work: resolved when the trace is read (faults still open or waiting for their
                // task's address space are not in its works yet)
                kind = SchedTimeline.WOKEN_BY_TRACED_TASK;
                dep = new SchedTimeline.WakeDep(w.tid, e.ts, w.lastEventTs, sched.get(w.tid));
                wakeDeps.add(dep);
                if (w.wakeDeps == null) w.wakeDeps = new ArrayList<>();
                w.wakeDeps.add(dep);
            }
        }
        timeline(pid).wakeup(e.ts, e.tid > 0, kind, dep);
    }

    private SchedTimeline timeline(int tid) {
        return sched.computeIfAbsent(tid, k -> new SchedTimeline());
    }

    /** sched_switch, sched_wakeup, sched_waking: the off-CPU timeline of each task. */
    private void onGeneric(Event e) {
        String n = e.name;
        if (n == null) return;
        if (n.equals("tlb_flush")) {
            // madvise's tlb_finish_mmu, after vma_end_read: the end of the zap under the VMA lock (reason 0, "flush
            // on task switch", is the task being switched in, not its flush)
            Task t = tasks.get(e.tid);
            if (t != null && t.sc == Syscall.MADVISE && t.scFlushTs < 0 && e.text != null && !e.text.contains("(0)")) {
                t.scFlushTs = e.ts;
            }
            return;
        }
        if (n.equals("sched_switch")) {
            Object[] f = SchedTimeline.parseSwitch(e.text);
            if (f == null) return;
            schedSwitches++;
            int prev = (Integer) f[0], next = (Integer) f[2];
            if (prev > 0) {
                SchedTimeline ptl = timeline(prev);
                String st = (String) f[1];
                long ran = ptl.ranUntil(e.ts);
                if (st != null && !st.startsWith("R")) {
                    Task pt = tasks.get(prev);
                    if (pt != null && (pt.fState == F_STARTED || pt.rState == R_STARTED || pt.wState == W_STARTED)) {
                        if (!pt.lockSlept && pt.wState != W_STARTED) {
                            // how long a reader that sleeps is still on its CPU: start_locking → its switch-out (a
                            // writer spins first: not a sample)
                            long from = pt.fState == F_STARTED ? pt.fLockTs : pt.rStart;
                            if (from > 0 && e.ts >= from) {
                                if (nSwitchOut == switchOut.length) switchOut = Arrays.copyOf(switchOut, 2 * nSwitchOut);
                                switchOut[nSwitchOut++] = e.ts - from;
                            }
                        }
                        pt.lockSlept = true;
                        if (!pt.countedSleeper) {
                            pt.countedSleeper = true;
                            sleepersByMm.computeIfAbsent(pt.lockWaitMm, k -> new int[1])[0]++;
                        }
                    }
                    if (pt != null && pt.wState == W_HELD) pt.wSleepTs = e.ts;
                }
                if (st != null && st.startsWith("R+")) {
                    // preempted in kernel mode (__schedule(SM_PREEMPT): prev_state "R+"): at cond_resched() on any
                    // kernel, anywhere only with kernel preemption — a fault's mmap_lock hold has no cond_resched
                    kernelPreemptions++;
                    Task pt = tasks.get(prev);
                    if (pt != null && (pt.faultOpen && pt.fState == F_HELD || pt.rState == R_HELD && pt.rKFault)) {
                        kernelPreemptionsInFaultHold++;
                    }
                    // …inside a VMA-changing syscall (mmap, munmap, mprotect, madvise, mremap, brk): at cond_resched()
                    // in its page-table walk, under preempt=none the only place
                    if (pt != null && pt.sc != null && pt.sc != Syscall.OTHER) kernelPreemptionsInVmaSyscall++;
                }
                if (ran >= 0 && st != null && st.startsWith("R")) {
                    if (nPreemptedRun == preemptedRun.length) preemptedRun = Arrays.copyOf(preemptedRun, 2 * nPreemptedRun);
                    preemptedRun[nPreemptedRun++] = ran;
                }
                ptl.switchOut(e.ts, st);
                if (e.cpu >= 0) ptl.lastCpu = e.cpu;
            }
            if (e.cpu >= 0) {
                growCpus(e.cpu);
                cpuCurr[e.cpu] = Math.max(0, next);
                if (prev > 0 && (String) f[1] != null && ((String) f[1]).startsWith("R")) queue(timeline(prev), e.cpu);
                if (e.cpu < 64) idleCpus = next <= 0 ? idleCpus | 1L << e.cpu : idleCpus & ~(1L << e.cpu);
            }
            if (next > 0) {
                queue(timeline(next), -1);
                Task nt = tasks.get(next);
                if (nt != null && nt.wSleepTs >= 0) {
                    writeSectionSleeps.add(e.ts - nt.wSleepTs);
                    nt.wSleepTs = -1;
                }
                SchedTimeline ntl = timeline(next);
                long lat = ntl.switchIn(e.ts);
                // wake-up latency onto an idle CPU: the scheduler's own, without a queue in front
                if (lat >= 0 && prev == 0) {
                    if (nIdleWake == idleWake.length) idleWake = Arrays.copyOf(idleWake, 2 * nIdleWake);
                    idleWake[nIdleWake++] = lat;
                    if (ntl.lastWakeByTask()) {
                        if (nTaskIdleWake == taskIdleWake.length) taskIdleWake = Arrays.copyOf(taskIdleWake, 2 * nTaskIdleWake);
                        taskIdleWake[nTaskIdleWake++] = lat;
                    }
                }
                // … and onto a busy one: the woken task took the CPU of a task it preempted (still runnable)
                String ps = (String) f[1];
                if (lat >= 0 && prev > 0 && ps != null && ps.startsWith("R")) {
                    if (nBusyWake == busyWake.length) busyWake = Arrays.copyOf(busyWake, 2 * nBusyWake);
                    busyWake[nBusyWake++] = lat;
                }
            }
        } else if (n.equals("sched_wakeup") || n.equals("sched_waking")) {
            int pid = SchedTimeline.parseWakeup(e.text);
            // emitted by a running task (sched_waking runs in the waker's context): a lock release's hand-over;
            // by the idle task: a timer or an interrupt on an idle CPU, or the remote half of a queued wake-up
            if (pid > 0) wakeup(e, pid, n.equals("sched_waking"));
            if (pid > 0) placement(pid, SchedTimeline.parseTargetCpu(e.text), n.equals("sched_waking"));
        }
    }

    /** The first {@code n} values of {@code a}, sorted, in a new array. */
    private static long[] sorted(long[] a, int n) {
        long[] r = Arrays.copyOf(a, n);
        Arrays.sort(r);
        return r;
    }

    private void growCpus(int c) {
        if (c < cpuCurr.length) return;
        int o = cpuCurr.length;
        cpuCurr = Arrays.copyOf(cpuCurr, c + 1);
        Arrays.fill(cpuCurr, o, cpuCurr.length, -1);
        cpuQueued = Arrays.copyOf(cpuQueued, c + 1);
    }

    /** {@code tl}'s task waits runnable on CPU {@code c}'s queue from now ({@code c} -1: on none — it runs or sleeps). */
    private void queue(SchedTimeline tl, int c) {
        if (tl.queuedCpu >= 0 && tl.queuedCpu < cpuQueued.length) cpuQueued[tl.queuedCpu]--;
        tl.queuedCpu = c;
        if (c >= 0) {
            growCpus(c);
            cpuQueued[c]++;
        }
    }

    /** CPU {@code c} runs or has queued a task other than {@code tl}'s ({@code pid}). */
    private boolean cpuBusyFor(int c, int pid, SchedTimeline tl) {
        return cpuCurr[c] > 0 && cpuCurr[c] != pid || cpuQueued[c] - (tl.queuedCpu == c ? 1 : 0) > 0;
    }

    /**
     * Where the kernel put a wakee whose previous CPU was busy while another CPU was idle: on the previous CPU (no
     * idle CPU found: the CPUs share no last-level cache, or select_idle_cpu()'s scan was cut short on a busy machine)
     * or on the idle one. sched_waking records the situation before the kernel chooses; sched_wakeup's target_cpu
     * is the choice.
     */
    private void placement(int pid, int target, boolean waking) {
        SchedTimeline tl = timeline(pid);
        int prev = tl.lastCpu;
        // the situation can be judged when the previous CPU is known and seen, and the wakee no longer runs there
        boolean judgeable = prev >= 0 && prev < cpuCurr.length && cpuCurr[prev] >= 0 && cpuCurr[prev] != pid;
        if (waking) {
            tl.wakePrev = -1;
            if (!judgeable) return;
            tl.wakePrev = prev;
            tl.wakePrevBusy = cpuBusyFor(prev, pid, tl);
            tl.wakeOtherIdle = otherCpuIdle(prev);
            return;
        }
        boolean judged = false, prevBusy = false, otherIdle = false;
        if (prev >= 0 && tl.wakePrev == prev) { // judged at its sched_waking
            judged = true;
            prevBusy = tl.wakePrevBusy;
            otherIdle = tl.wakeOtherIdle;
        } else if (judgeable) {
            judged = true;
            prevBusy = cpuBusyFor(prev, pid, tl);
            otherIdle = otherCpuIdle(prev);
        }
        tl.wakePrev = -1;
        if (target < 0) return;
        // it waits on the target CPU's queue until it runs (not when it still runs there: nothing to queue)
        if (!(target < cpuCurr.length && cpuCurr[target] == pid)) queue(tl, target);
        if (!judged || !prevBusy || !otherIdle) return;
        if (target == prev) wakesToPrevCpu++;
        else wakesToIdleCpu++;
    }

    /** A CPU other than {@code prev} runs the idle task with nothing queued. */
    private boolean otherCpuIdle(int prev) {
        for (int c = 0; c < cpuCurr.length; c++) if (c != prev && cpuCurr[c] == 0 && cpuQueued[c] == 0) return true;
        return false;
    }

    private void onContentionBegin(Event e) {
        if ((e.flags & (LCB_F_READ | LCB_F_WRITE)) == 0) return;
        Task t = task(e);
        if (t.fState == F_STARTED || t.rState == R_STARTED || t.wState == W_STARTED) t.contended = true;
    }

    private void onAcquire(Event e) {
        Task t = task(e);
        MmWork mm = e.success && (t.contended || t.lockSlept) ? current.get(e.mm) : null;
        long start = e.write ? t.wStart : t.fState == F_STARTED ? t.fLockTs : t.rStart;
        if (t.contended && mm != null && mm.lastReleaseTs >= start && mm.lastReleaseTs <= e.ts) {
            // a sleeping waiter: from the release that let it in to its acquire_returned
            addWake(e.ts - mm.lastReleaseTs);
        }
        if (t.lockSlept && mm != null) {
            // it slept in the acquisition: a hand-over; onto its idle CPU, the gap is the wake-up alone
            SchedTimeline tl = sched.get(t.tid);
            int c = tl == null ? -1 : tl.lastCpu;
            if (mm.handoverTid != t.tid && mm.handoverTs >= start && mm.handoverTs <= e.ts
                    && c >= 0 && c < 64 && (mm.handoverIdleCpus & 1L << c) != 0) {
                if (nHandoverIdle == handoverIdle.length) handoverIdle = Arrays.copyOf(handoverIdle, 2 * nHandoverIdle);
                handoverIdle[nHandoverIdle++] = e.ts - mm.handoverTs;
            }
        }
        uncountSleeper(t);
        t.lockSlept = false;
        t.contended = false;
        if (!e.write) {
            if (t.faultOpen && t.fState == F_STARTED && t.fMm != null && t.fMm.key == e.mm) {
                if (e.success) {
                    t.fState = F_HELD;
                    t.fAcqTs = e.ts;
                } else {
                    t.fState = F_TRYFAILED;
                    t.fTryFailed = true;
                }
                return;
            }
            if (t.wState == W_HELD && t.wMm != null && t.wMm.key == e.mm && t.rState == R_NONE) {
                // acquire_returned(write=false) with no start while write-held: mmap_write_downgrade
                t.wDg = e.ts;
                t.wMm.lastReleaseTs = e.ts;
                handover(t.wMm, e);
                t.wState = W_DOWNGRADED;
                return;
            }
            if (t.rState == R_STARTED && t.rMm != null && t.rMm.key == e.mm) {
                if (e.success) sampleAcquire(e.ts - t.rStart, hot(t.rMm, t, t.rStart));
                t.rAcq = e.ts;
                if (e.success) {
                    t.rState = R_HELD;
                    if (t.rKFault) kernelFaultHolds++;
                } else {
                    t.rState = R_TRYFAILED;
                    t.rFailTs = e.ts;
                }
                return;
            }
            unpaired++;
            return;
        }
        if (t.w2Mm != null && t.w2Mm.key == e.mm) {
            return; // the fork child's section: its own hold is recorded at release
        }
        if (t.wState == W_STARTED && t.wMm != null && t.wMm.key == e.mm) {
            sampleAcquire(e.ts - t.wStart, hot(t.wMm, t, t.wStart));
            TaskWork w = work(t, t.wMm);
            int i = w.ops.add(Ops.WRITE, t.sc == null ? Syscall.OTHER.ordinal() : t.sc.ordinal(), t.wStart);
            w.ops.acq[i] = e.ts;
            if (t.sc != null) {
                copyArgs(t, w.ops, i);
                w.ops.scPre[i] = Math.max(0, t.wStart - t.scTs);
            }
            if (!e.success) {
                w.ops.flags[i] |= Ops.F_FAILED;
                t.wState = W_NONE;
                return;
            }
            t.wWork = w;
            t.wOp = i;
            t.wState = W_HELD;
            if (t.sc != null) {
                t.scWork = w;
                t.scOp = i;
            }
            return;
        }
        unpaired++;
    }

    private void handover(MmWork mm, Event e) {
        mm.handoverTs = e.ts;
        mm.handoverTid = e.tid;
        mm.handoverIdleCpus = idleCpus;
    }

    /** {@code t} is no longer asleep waiting for an mmap_lock. */
    private void uncountSleeper(Task t) {
        if (!t.countedSleeper) return;
        t.countedSleeper = false;
        int[] n = sleepersByMm.get(t.lockWaitMm);
        if (n != null && n[0] > 0) n[0]--;
    }

    private void onReleased(Event e) {
        Task t = task(e);
        int[] sleepers = e.write ? sleepersByMm.get(e.mm) : null;
        t.wokeSleeperAt = sleepers != null && sleepers[0] > 0 ? e.ts : -1;
        MmWork rm = current.get(e.mm);
        if (rm != null) {
            rm.lastReleaseTs = e.ts;
            rm.lastReleaseTid = e.tid;
            handover(rm, e);
        }
        if (!e.write) {
            if (t.faultOpen && t.fState == F_HELD && t.fMm != null && t.fMm.key == e.mm) {
                closeFault(t, e.ts);
                return;
            }
            if (t.wState == W_DOWNGRADED && t.wMm != null && t.wMm.key == e.mm) {
                t.wWork.ops.post[t.wOp] = e.ts - t.wDg;
                closeWrite(t, t.wDg);
                t.wWork.ops.flags[t.wOp] |= Ops.F_DOWNGRADE;
                t.wState = W_NONE;
                return;
            }
            if (t.rState == R_HELD && t.rMm != null && t.rMm.key == e.mm) {
                closeRead(t, e.ts);
                return;
            }
            unpaired++;
            return;
        }
        if (t.w2Mm != null && t.w2Mm.key == e.mm) {
            TaskWork w = work(t, t.w2Mm);
            int i = w.ops.add(Ops.WRITE, Syscall.OTHER.ordinal(), t.w2Start);
            w.ops.acq[i] = t.w2Start;
            w.ops.end[i] = e.ts;
            t.w2Mm = null;
            return;
        }
        if (t.wState == W_HELD && t.wMm != null && t.wMm.key == e.mm) {
            closeWrite(t, e.ts);
            t.wState = W_NONE;
            return;
        }
        unpaired++;
    }

    // ---- /proc/PID/maps readers (open-path evidence) -------------------------------------------------

    /** A probe on an open function with its path: the task's next sys_exit_open* returns its fd. */
    private void onOpenPath(Event e) {
        Task t = task(e);
        openPathEvents++;
        t.openPath = e.text;
    }

    private static boolean isOpenExit(String name) {
        return "sys_exit_openat".equals(name) || "sys_exit_open".equals(name) || "sys_exit_openat2".equals(name);
    }

    /** The fd an open returned: a maps file's fd is remembered (per process: threads share the fd table). */
    private void onOpenExit(Task t, Event e) {
        String path = t.openPath;
        t.openPath = null;
        if (e.ret < 0) return;
        t.proc.fds.remove(e.ret); // a reused number
        if (path != null && (mapsTarget(path) != null || procFile(path) != 0)) t.proc.fds.put(e.ret, path);
    }

    /**
     * The pid whose maps {@code path} is ({@code 0}: the reader's own process), or null when it is not a
     * {@code /proc/…/maps} file: {@code /proc/self/maps}, {@code /proc/thread-self/maps}, {@code /proc/PID/maps},
     * {@code /proc/PID/task/TID/maps}. smaps, numa_maps and smaps_rollup are not: those take mmap_read_lock on every
     * kernel, so the trace shows them already.
     */
    static Integer mapsTarget(String path) {
        if (!path.startsWith("/proc/") || !path.endsWith("/maps")) return null;
        String[] p = path.substring(6, path.length() - 5).split("/");
        if (p.length == 1 && (p[0].equals("self") || p[0].equals("thread-self"))) return 0;
        if (p.length == 3 && p[0].equals("self") && p[1].equals("task") && isNum(p[2])) return Integer.parseInt(p[2]);
        if (p.length == 1 && isNum(p[0])) return Integer.parseInt(p[0]);
        if (p.length == 3 && isNum(p[0]) && p[1].equals("task") && isNum(p[2])) return Integer.parseInt(p[2]);
        return null;
    }

    /**
     * What a read() of {@code path} does to the mm of the process it names, by the file: {@link Ops#F_PROC_ARGS} for
     * {@code /proc/PID/cmdline} and {@code environ} (fs/proc/base.c: access_remote_vm per page),
     * {@link Ops#F_PROC_WALK} for {@code smaps}, {@code smaps_rollup}, {@code numa_maps} and {@code pagemap}
     * (a page-table walk under mmap_read_lock), else 0.
     */
    static int procFile(String path) {
        if (!path.startsWith("/proc/")) return 0;
        int slash = path.lastIndexOf('/');
        String file = path.substring(slash + 1);
        switch (file) {
            case "cmdline": case "environ": return Ops.F_PROC_ARGS;
            case "smaps": case "smaps_rollup": case "numa_maps": case "pagemap": return Ops.F_PROC_WALK;
            default: return 0;
        }
    }

    private static boolean isNum(String s) {
        if (s.isEmpty() || s.length() > 9) return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }

    /** The address space a maps file of {@code pid} (0: the reader's own) belongs to, as far as the trace knows it now. */
    private MmWork mapsSpace(Task reader, int pid) {
        if (pid == 0) return reader.proc.home;
        Task tt = tasks.get(pid);
        if (tt != null) return tt.proc.home;
        Proc p = procs.get(pid);
        return p == null ? null : p.home;
    }

    private void onSysEnter(Event e) {
        Task t = task(e);
        if (e.nargs >= 1 && "sys_enter_close".equals(e.name)) t.proc.fds.remove(e.args[0]);
        endPendingOps(t, e.ts);
        if (t.faultOpen) closeFault(t, e.ts);
        t.sc = e.syscall;
        t.scGup = e.name != null && e.name.startsWith("sys_enter_process_vm_");
        t.scMem = "sys_enter_pread64".equals(e.name) && e.nargs >= 4;
        t.scMemK = 0;
        t.scTs = e.ts;
        t.scFlushTs = -1;
        t.scLocked = false;
        t.scWork = null;
        t.scOp = -1;
        Arrays.fill(t.scArgs, 0);
        for (int i = 0; i < Math.min(e.nargs, t.scArgs.length); i++) t.scArgs[i] = e.args[i];
        t.mapsPath = null;
        t.mapsMm = null;
        t.mapsSections = false;
        t.scProcFile = 0;
        if (e.nargs >= 1 && "sys_enter_read".equals(e.name)) {
            String path = t.proc.fds.get(e.args[0]);
            if (path != null && mapsTarget(path) == null) {
                t.scProcFile = procFile(path);
            } else if (path != null) {
                t.mapsPath = path;
                t.mapsMm = mapsSpace(t, mapsTarget(path));
            }
        }
    }

    private void onSysExit(Event e) {
        Task t = task(e);
        if (isOpenExit(e.name)) onOpenExit(t, e);
        if (t.sc == null) return; // exit without a seen enter (capture started inside the syscall)
        if (t.mapsPath != null && "sys_exit_read".equals(e.name)) {
            endPendingOps(t, e.ts);
            if (t.rState == R_HELD && t.rMm == t.mapsMm) closeRead(t, e.ts);
            MmWork mm = t.mapsMm != null ? t.mapsMm : mapsSpace(t, mapsTarget(t.mapsPath));
            if (mm == null) {
                mapsReadsUnattributed++;
            } else {
                TaskWork w = work(t, mm);
                int i = w.ops.add(Ops.READ, Ops.CLASS_MAPS, t.scTs);
                w.ops.acq[i] = t.scTs;
                w.ops.end[i] = e.ts;
                if (t.mapsSections) w.ops.flags[i] |= Ops.F_MAPS_SECTIONS;
            }
            t.mapsPath = null;
            t.mapsMm = null;
            t.sc = null;
            return;
        }
        endPendingOps(t, e.ts);
        if (t.sc != Syscall.OTHER) {
            observedSyscalls.add(e.ts - t.scTs);
            ReplayCounters.bySyscall(observedSyscallsBy, t.sc.ordinal()).add(e.ts - t.scTs);
        }
        if (t.scWork != null && t.scOp >= 0) {
            Ops so = t.scWork.ops;
            boolean write = so.kind[t.scOp] == Ops.WRITE; // else a madvise's mmap_lock read section (closeRead)
            if (write) so.ret[t.scOp] = e.ret;
            long sectionEnd = so.end[t.scOp] < 0 ? -1 : so.end[t.scOp] + Math.max(0, so.post[t.scOp]);
            if (sectionEnd >= 0 && e.ts >= sectionEnd) {
                so.scTail[t.scOp] = e.ts - sectionEnd;
                if (write && t.wokeSleeperAt == sectionEnd && (so.flags[t.scOp] & Ops.F_DOWNGRADE) == 0) {
                    // the release woke a sleeping waiter: the rest of the call is mostly that wake-up's cost to the
                    // waker (try_to_wake_up of a task on another CPU, an IPI): a sample; the replay draws its own
                    if (nWakerCost == wakerCost.length) wakerCost = Arrays.copyOf(wakerCost, 2 * nWakerCost);
                    wakerCost[nWakerCost++] = e.ts - sectionEnd;
                    so.scTail[t.scOp] = 0;
                }
            }
            if (write) {
                t.wokeSleeperAt = -1;
                MmWork mm = owner(t.scWork);
                if (mm != null) applyTraced(mm, so, t.scOp);
            }
        } else if (!t.scLocked && t.sc == Syscall.MADVISE) {
            // a madvise with no mmap_lock event: served under the per-VMA lock (MADV_DONTNEED in one VMA)
            MmWork mm = t.proc.home != null ? t.proc.home : attributeByAddress(t, t.scArgs[0]);
            if (mm != null) {
                TaskWork w = work(t, mm);
                int i = w.ops.add(Ops.VMA_SYSCALL, Syscall.MADVISE.ordinal(), t.scTs);
                copyArgs(t, w.ops, i);
                w.ops.end[i] = e.ts;
                w.ops.ret[i] = e.ret;
                if (Ops.zapUnderVmaLock(t.scArgs[2])) {
                    if (t.scFlushTs >= 0) {
                        w.ops.post[i] = t.scFlushTs - t.scTs;
                        zapFlushed++;
                    }
                    long pages = Math.max(1, (t.scArgs[1] + AddressSpace.PAGE - 1) / AddressSpace.PAGE);
                    if (nZapPerPage == zapPerPage.length) zapPerPage = Arrays.copyOf(zapPerPage, 2 * nZapPerPage);
                    zapPerPage[nZapPerPage++] = (e.ts - t.scTs) / pages;
                }
                mm.traced.touch(t.scArgs[0], 1);
            }
        }
        t.sc = null;
    }

    private void onExec(Event e) {
        Task t = task(e);
        endPendingOps(t, e.ts);
        if (t.faultOpen) closeFault(t, e.ts);
        Proc p = t.proc;
        if (p.created != null && !p.createdByFork) {
            p.created.freshExec = true;
            p.home = p.created;
            p.created.owner = p;
            if (!p.homes.contains(p.created)) p.homes.add(p.created);
        } else {
            p.home = null;
        }
        p.created = null;
        p.createdByFork = false;
    }

    /**
     * sched_process_fork: the address space the parent's dup_mmap just write-locked (a second mm
     * locked while holding its own for write) is the child's; a fork without dup_mmap (a thread,
     * vfork, CLONE_VM) shares the parent's mm.
     */
    private void onFork(Event e) {
        Task t = task(e);
        if (e.otherPid <= 0) return;
        Proc pp = t.proc;
        Proc cp = procs.get(e.otherPid);
        if (cp == null) {
            cp = new Proc(e.otherPid);
            procs.put(e.otherPid, cp);
        }
        if (cp == pp) return;
        if (pp.created != null && pp.createdByFork) {
            cp.home = pp.created;
            pp.created.owner = cp;
            if (!cp.homes.contains(pp.created)) cp.homes.add(pp.created);
            pp.created = null;
            pp.createdByFork = false;
        } else if (cp.home == null && pp.home != null) {
            cp.home = pp.home;
            if (!cp.homes.contains(pp.home)) cp.homes.add(pp.home);
        }
    }

    // ---- state helpers ------------------------------------------------------------------------------

    private static final int LCB_F_READ = 2;
    private static final int LCB_F_WRITE = 4;
    private static final int F_NONE = 0;
    private static final int F_TRYFAILED = 1;
    private static final int F_STARTED = 2;
    private static final int F_HELD = 3;
    private static final int R_NONE = 0;
    private static final int R_STARTED = 1;
    private static final int R_HELD = 2;
    private static final int R_TRYFAILED = 3;
    private static final int W_NONE = 0;
    private static final int W_STARTED = 1;
    private static final int W_HELD = 2;
    private static final int W_DOWNGRADED = 3;

    /**
     * A process: the tasks of one tgid when the trace shows it (ftrace's {@code (tgid)} column, perf's
     * PID/TID, trace-cmd), else one task. Its address space is shared by all its tasks: a thread's
     * per-VMA-lock faults go to its process's mm even before the thread itself showed it.
     */
    private static final class Proc {
        final int id;
        /** Events carried this tgid: ownership conflicts between processes are trusted. */
        boolean tgidKnown;
        MmWork home;
        /** An mm this process write-locked that is not its own: exec's bprm_mm_init or fork's dup_mmap. */
        MmWork created;
        boolean createdByFork;
        final List<MmWork> homes = new ArrayList<>(2);
        /** Open fds of /proc/…/maps files → their path. */
        final Map<Long, String> fds = new HashMap<>();

        Proc(int id) {
            this.id = id;
        }
    }

    private static final class Task {
        final int tid;
        String comm;
        /** Its last traced event other than sched_* (-1: none yet). */
        long lastEventTs = -1;
        /** Its wake-ups of other traced tasks (dependencies), or null. */
        List<SchedTimeline.WakeDep> wakeDeps;
        Proc proc;
        final List<TaskWork> works = new ArrayList<>(2);
        final List<MmWork> workMms = new ArrayList<>(2);
        Ops pending; // per-VMA-lock faults before the task's mm is known
        // fault
        boolean faultOpen;
        long fTs, fAddr, fErr, fLockTs, fAcqTs;
        int fState;
        boolean fTryFailed;
        MmWork fMm;
        // non-fault read
        int rState;
        MmWork rMm;
        long rStart, rAcq, rFailTs;
        int rFlags;
        boolean rMadvise;
        /** A page_fault_kernel was the task's last fault event; the read section it starts is that fault's. */
        boolean kFault, rKFault;
        // write
        int wState;
        MmWork wMm;
        long wStart, wDg;
        TaskWork wWork;
        int wOp;
        MmWork w2Mm;
        boolean contended;
        /** Switched out asleep (not runnable) inside its current mmap_lock acquisition: it waited for a hand-over. */
        boolean lockSlept;
        /** The mm whose mmap_lock it last started locking, and whether it is counted among that mm's sleeping waiters. */
        long lockWaitMm;
        boolean countedSleeper;
        /** Its last write release woke a sleeping waiter: the release's time (-1: no). */
        long wokeSleeperAt = -1;
        /** When it went to sleep holding mmap_lock for write (-1: not asleep so). */
        long wSleepTs = -1;
        long w2Start;
        // syscall
        Syscall sc;
        /** The syscall is process_vm_readv/writev (GUP on another mm under mmap_read_lock). */
        boolean scGup;
        /**
         * The syscall is pread64 (fd, buf, count, pos): on another mm that is a /proc/PID/mem read, pos
         * the target address (assumption 7a).
         */
        boolean scMem;
        int scMemK;
        /** Inside a read() of a /proc/PID file that reads another mm: {@link Ops#F_PROC_ARGS}, {@link Ops#F_PROC_WALK} or 0. */
        int scProcFile;
        long rAddr, rLen, rBehavior;
        long scTs;
        /** Its first tlb_flush inside the open syscall (not a flush on a task switch), -1: none. */
        long scFlushTs = -1;
        boolean scLocked;
        final long[] scArgs = new long[5];
        TaskWork scWork;
        int scOp;
        /** The path of the task's last open probe, until its sys_exit_open*. */
        String openPath;
        /** In a read() of a maps file: its path, the target's address space (null: not known yet), sections seen. */
        String mapsPath;
        MmWork mapsMm;
        boolean mapsSections;

        Task(int tid) {
            this.tid = tid;
        }
    }

    private Task task(Event e) {
        Task t = tasks.get(e.tid);
        if (t == null) {
            t = new Task(e.tid);
            int pid = e.tgid > 0 ? e.tgid : e.tid;
            Proc p = procs.get(pid);
            if (p == null) {
                p = new Proc(pid);
                procs.put(pid, p);
            }
            if (e.tgid > 0) p.tgidKnown = true;
            t.proc = p;
            tasks.put(e.tid, t);
            taskOrder.add(t);
        }
        if (e.comm != null) t.comm = e.comm;
        return t;
    }

    /** The address-space instance an mmap_lock event of {@code t} refers to. */
    private MmWork resolve(Task t, Event e, boolean write, boolean own) {
        MmWork cur = current.get(e.mm);
        Proc p = t.proc;
        boolean foreign = write && p.home != null
                && (cur == null || cur != p.home && cur != p.created && !p.homes.contains(cur));
        // own-mm evidence on an address space another process owns: the key was reused by a process
        // whose creation the trace did not show (only trusted when both tgids are known)
        boolean reused = own && cur != null && cur.owner instanceof Proc && cur.owner != p && p.tgidKnown
                && ((Proc) cur.owner).tgidKnown && !p.homes.contains(cur);
        if (cur == null || foreign && cur != p.created || reused) {
            int n = instanceCount.merge(e.mm, 1, Integer::sum);
            cur = new MmWork(mms.size(), e.mm, n);
            mms.add(cur);
            current.put(e.mm, cur);
            if (foreign) {
                p.created = cur;
                p.createdByFork = t.wState == W_HELD; // nested in a write of its own mm: dup_mmap
            }
        }
        if (own && cur.owner == null) cur.owner = p;
        cur.firstTs = Math.min(cur.firstTs, e.ts);
        cur.lastTs = Math.max(cur.lastTs, e.ts);
        return cur;
    }

    private void confirmHome(Task t, MmWork mm) {
        Proc p = t.proc;
        if (p.home == mm) return;
        if (p.created == mm && p.home != null) return; // exec in progress: the old mm stays home until exec
        p.home = mm;
        if (mm.owner == null) mm.owner = p;
        if (!p.homes.contains(mm)) p.homes.add(mm);
        flushPending(t, mm);
        if (p.tgidKnown) {
            for (Task o : taskOrder) if (o != t && o.proc == p && o.pending != null) flushPending(o, mm);
        }
    }

    private MmWork attributeByAddress(Task t, long addr) {
        MmWork found = null;
        for (MmWork m : current.values()) {
            Vma v = m.traced.find(addr);
            if (v != null && v.origin != Vma.Origin.INFERRED) {
                if (m.owner instanceof Proc && m.owner != t.proc && t.proc.tgidKnown && ((Proc) m.owner).tgidKnown) {
                    continue; // another process's address space (a forked copy has the same layout)
                }
                if (found != null) return null; // ambiguous
                found = m;
            }
        }
        if (found != null) confirmHome(t, found);
        return found;
    }

    private TaskWork work(Task t, MmWork mm) {
        for (int i = 0; i < t.workMms.size(); i++) {
            if (t.workMms.get(i) == mm) return t.works.get(i);
        }
        TaskWork w = new TaskWork(t.tid, t.comm);
        w.firstCpu = eventCpu;
        allWorks.add(w);
        t.works.add(w);
        t.workMms.add(mm);
        mm.tasks.add(w);
        return w;
    }

    private MmWork owner(TaskWork w) {
        Task t = tasks.get(w.tid);
        int i = t.works.indexOf(w);
        return i < 0 ? null : t.workMms.get(i);
    }

    /** Ends operations that have no explicit end event when something else happens in the task. */
    private void endPendingOps(Task t, long ts) {
        if (t.rState == R_TRYFAILED) {
            t.rFlags |= Ops.F_TRYLOCK | Ops.F_FAILED;
            closeRead(t, t.rFailTs);
        }
        if (t.faultOpen && t.fState == F_NONE) closeFault(t, ts);
    }

    private void closeFault(Task t, long ts) {
        t.faultOpen = false;
        MmWork mm = t.fMm;
        int path;
        // a write fault on a fresh anonymous VMA: the first one runs vmf_anon_prepare(), whose mmap_lock section
        // (anon_vma_prepare() only) is no fault's service time
        boolean write = (t.fErr & 2) != 0;
        boolean anonPrepare = write && mm != null && mm.traced.prepareAnon(t.fAddr);
        if (t.fState == F_HELD) {
            path = t.fTryFailed ? Ops.PATH_TRYLOCK_FAILED : Ops.PATH_FALLBACK;
            if (!anonPrepare) addSample(ts - t.fAcqTs);
            else anonPrepareSections++;
        } else {
            path = Ops.PATH_VMA;
            vmaPathFaults++;
            long g = ts - t.fTs;
            if (ts != Long.MAX_VALUE && g >= 0 && g <= VMA_GAP_LIMIT_NS) {
                vmaGapSum += g;
                vmaGapN++;
                vmaGap = g;
                if (g <= 2 * 1000) { gapBodySumUs += g; gapBodyNUs++; }
                if (g <= 2) { gapBodySumNs += g; gapBodyNNs++; }
            }
            if (mm == null) mm = t.proc.home != null ? t.proc.home : attributeByAddress(t, t.fAddr);
            if (write && mm != null) mm.traced.prepareAnon(t.fAddr);
        }
        Ops ops;
        if (mm == null) {
            if (t.pending == null) t.pending = new Ops();
            ops = t.pending;
        } else {
            ops = work(t, mm).ops;
            if (mm.traced.touch(t.fAddr, 1)) mm.faultsKnown++;
            else mm.faultsInferred++;
        }
        int i = ops.add(Ops.FAULT, path, t.fTs);
        ops.addr[i] = t.fAddr;
        ops.a1[i] = t.fErr;
        if (path == Ops.PATH_VMA) ops.a2[i] = vmaGap; // its gap to the task's next event, -1 unknown
        vmaGap = -1;
        if (t.fState == F_HELD) {
            ops.acq[i] = t.fAcqTs;
            ops.end[i] = ts;
            ops.a2[i] = t.fLockTs; // first start_locking of the fallback
        }
        t.fTryFailed = false;
        t.fState = F_NONE;
    }

    private void flushPending(Task t, MmWork mm) {
        if (t.pending == null) return;
        Ops p = t.pending;
        t.pending = null;
        Ops ops = work(t, mm).ops;
        for (int j = 0; j < p.n; j++) {
            int i = ops.add(p.kind[j], p.sub[j], p.start[j]);
            ops.addr[i] = p.addr[j];
            ops.a1[i] = p.a1[j];
            ops.a2[i] = p.a2[j];
            if (mm.traced.touch(p.addr[j], 1)) mm.faultsKnown++;
            else mm.faultsInferred++;
        }
        sortByStart(ops);
    }

    private void closeRead(Task t, long ts) {
        if (t.mapsPath != null && t.mapsMm != null && t.rMm == t.mapsMm) {
            // the traced kernel's mmap_lock section of this maps read (m_start before 6.17, lock_next_vma's
            // fallback since): part of the maps read the replay models as a whole
            t.mapsSections = true;
            t.rState = R_NONE;
            t.rMm = null;
            return;
        }
        TaskWork w = work(t, t.rMm);
        int i = w.ops.add(Ops.READ, t.rMadvise ? Ops.CLASS_MADVISE : -1, t.rStart);
        w.ops.acq[i] = t.rAcq;
        w.ops.end[i] = ts;
        w.ops.flags[i] = t.rFlags;
        if ((t.rFlags & Ops.F_MEM) != 0 || t.rMadvise) {
            w.ops.addr[i] = t.rAddr;
            w.ops.a1[i] = t.rLen;
            if (t.rMadvise) w.ops.a2[i] = t.rBehavior;
        }
        if (t.rMadvise && t.sc == Syscall.MADVISE && t.scWork == null) {
            // a madvise that took mmap_lock for read (not under the per-VMA lock): a VMA-changing syscall like any other,
            // its latency the replayed section plus what the trace shows before and after it
            w.ops.scPre[i] = Math.max(0, t.rStart - t.scTs);
            t.scWork = w;
            t.scOp = i;
        }
        t.rState = R_NONE;
        t.rMm = null;
    }

    private void closeWrite(Task t, long ts) {
        if (t.wState == W_STARTED) {
            unpaired++; // start without acquire
            return;
        }
        if (t.wWork != null) t.wWork.ops.end[t.wOp] = ts;
    }

    private void copyArgs(Task t, Ops ops, int i) {
        ops.addr[i] = t.scArgs[0];
        ops.a1[i] = t.scArgs[1];
        ops.a2[i] = t.scArgs[2];
        ops.a3[i] = t.scArgs[3];
        if (t.sc == Syscall.MREMAP) ops.ret[i] = t.scArgs[4];
    }

    /** Applies a write section's syscall to the traced model (extraction: coverage and inference). */
    private void applyTraced(MmWork mm, Ops ops, int i) {
        Syscall sc = Syscall.of(ops.sub[i]);
        if (ops.ret[i] < 0 && ops.ret[i] > -4096) return; // failed syscall: nothing changed
        if (sc == Syscall.MPROTECT || sc == Syscall.MADVISE || sc == Syscall.MUNMAP) {
            if (mm.traced.touch(ops.addr[i], Math.max(1, ops.a1[i]))) mm.rangesKnown++;
            else mm.rangesInferred++;
        }
        SyscallEffect.apply(mm.traced, ops, i, AddressSpace.NONE);
    }

    /**
     * The traced kernel's cost of one mmap_lock transition: start_locking → acquire_returned of
     * successful acquisitions, reads and writes, that did not sleep (≤ 2 µs).
     */
    private void sampleAcquire(long wait, boolean hot) {
        if (wait >= 0 && wait <= UNCONTENDED_LIMIT_NS) {
            acquireSum += wait;
            acquireSamples++;
            if (hot) {
                acquireHotSum += wait;
                acquireHotSamples++;
            }
        }
    }

    /**
     * Whether {@code t}'s acquisition of {@code mm}'s lock starting at {@code ts} follows its own release of it within
     * {@link vmalock.lock.MmapLock#HOT_NS}: the lock's cache line still in its CPU's cache (a k capture's faulter
     * re-taking the lock after its previous fault: 145 ns against 202 ns cold on o1-k1; the u captures' writers alike).
     */
    private static boolean hot(MmWork mm, Task t, long ts) {
        return mm != null && mm.lastReleaseTid == t.tid && ts - mm.lastReleaseTs <= vmalock.lock.MmapLock.HOT_NS;
    }

    private void addWake(long ns) {
        if (nWake == wake.length) wake = Arrays.copyOf(wake, nWake * 2);
        wake[nWake++] = ns;
    }

    private void addSample(long hold) {
        if (hold < 0) return;
        if (nFallbackHolds == fallbackHolds.length) fallbackHolds = Arrays.copyOf(fallbackHolds, nFallbackHolds * 2);
        fallbackHolds[nFallbackHolds++] = hold;
    }

    private static void sortByStart(Ops ops) {
        // insertion sort by start (ops are nearly sorted: only flushed faults move)
        for (int j = 1; j < ops.n; j++) {
            int k = j;
            while (k > 0 && ops.start[k - 1] > ops.start[k]) {
                swap(ops, k - 1, k);
                k--;
            }
        }
    }

    private static void swap(Ops o, int a, int b) {
        int t;
        long l;
        t = o.kind[a]; o.kind[a] = o.kind[b]; o.kind[b] = t;
        t = o.sub[a]; o.sub[a] = o.sub[b]; o.sub[b] = t;
        t = o.flags[a]; o.flags[a] = o.flags[b]; o.flags[b] = t;
        l = o.start[a]; o.start[a] = o.start[b]; o.start[b] = l;
        l = o.acq[a]; o.acq[a] = o.acq[b]; o.acq[b] = l;
        l = o.end[a]; o.end[a] = o.end[b]; o.end[b] = l;
        l = o.addr[a]; o.addr[a] = o.addr[b]; o.addr[b] = l;
        l = o.a1[a]; o.a1[a] = o.a1[b]; o.a1[b] = l;
        l = o.a2[a]; o.a2[a] = o.a2[b]; o.a2[b] = l;
        l = o.a3[a]; o.a3[a] = o.a3[b]; o.a3[b] = l;
        l = o.ret[a]; o.ret[a] = o.ret[b]; o.ret[b] = l;
        l = o.post[a]; o.post[a] = o.post[b]; o.post[b] = l;
        l = o.scPre[a]; o.scPre[a] = o.scPre[b]; o.scPre[b] = l;
        l = o.scTail[a]; o.scTail[a] = o.scTail[b]; o.scTail[b] = l;
    }

    /**
     * Seeds address spaces from {@code /proc/PID/maps} snapshots (the capture command records them):
     * each address space takes the earliest snapshot of a process whose pid is one of its tasks. Call
     * before {@link #finish}.
     */
    public void useMapsSnapshots(List<vmalock.store.MapsSnapshots.Snapshot> snapshots) {
        for (MmWork m : mms) {
            vmalock.store.MapsSnapshots.Snapshot best = null;
            for (TaskWork t : m.tasks) {
                for (vmalock.store.MapsSnapshots.Snapshot s : snapshots) {
                    if ((s.pid() == t.tid || s.tgid() == t.tid) && (best == null || s.ts() < best.ts())) best = s;
                }
            }
            if (best == null) continue;
            m.snapshotTs = best.ts();
            for (vmalock.store.MapsSnapshots.Vma v : best.vmas()) {
                m.seedMaps.add(new long[] {v.start(), v.end(), v.prot(), 0, v.anon() && !v.shared() ? 1 : 0});
            }
        }
    }

    /** Ends the trace: closes what is open, classifies readers, derives think/service times. */
    public Workload finish() {
        long unattributed = 0;
        for (Task t : taskOrder) {
            endPendingOps(t, Long.MAX_VALUE);
            if (t.faultOpen) closeFault(t, Long.MAX_VALUE);
            if (t.rState == R_HELD || t.rState == R_STARTED) closeRead(t, -1);
            if (t.wState == W_HELD || t.wState == W_DOWNGRADED) t.wState = W_NONE; // end stays -1: estimated
            if (t.pending != null) {
                if (t.proc.home != null && t.proc.tgidKnown) flushPending(t, t.proc.home);
                else if (!t.workMms.isEmpty()) flushPending(t, t.workMms.get(0));
                else unattributed += t.pending.n;
            }
        }
        for (SchedTimeline.WakeDep d : wakeDeps) {
            Task w = tasks.get(d.wakerTid);
            d.resolve(w.workMms, w.works);
        }
        long cost;
        String source;
        long samples = nFallbackHolds;
        if (faultCostOption >= 0) {
            cost = faultCostOption;
            source = "option";
        } else if (vmaGapN >= MIN_GAP_SAMPLES || nFallbackHolds >= MIN_CALIBRATION_SAMPLES) {
            // two estimates of a per-VMA fault's service time, both measured on this trace; the smaller
            // one is taken: (1) the mean time from a per-VMA-lock fault to the task's next event (the fault,
            // the return to user space and whatever the task runs until its next event: an upper bound) and
            // (2) the mean mmap_lock read hold of the trace's fallback faults (a fault after a VMA change,
            // under the mmap_lock). Means, not medians: the trace's timestamps are truncated to its
            // resolution, and the mean of truncated differences is unbiased where their median is not (a
            // sub-µs service time has a median of 0 at 1 µs resolution)
            long gapMean = vmaGapN >= MIN_GAP_SAMPLES ? vmaGapSum / vmaGapN : Long.MAX_VALUE;
            long fbMean = Long.MAX_VALUE;
            if (nFallbackHolds >= MIN_CALIBRATION_SAMPLES) {
                long sum = 0;
                for (int i = 0; i < nFallbackHolds; i++) sum += fallbackHolds[i];
                fbMean = sum / nFallbackHolds;
            }
            if (gapMean <= fbMean) {
                cost = gapMean;
                source = "trace-vma-fault-gap-mean";
                samples = vmaGapN;
            } else {
                cost = fbMean;
                source = "trace-fallback-mean";
            }
        } else {
            cost = SPEC_FAULT_COST_NS;
            source = "spec-default";
        }
        if (faultCostScale != 1) {
            cost = Math.round(cost * faultCostScale);
            source = source + " x" + faultCostScale;
        }
        // the estimate is a mean; a fault whose gap to its task's next event shows it slow (more than two resolution
        // steps: a first touch of a page table, an interrupt) keeps its length, scaled by estimate / mean gap; the
        // gaps within two steps are truncation noise, and each of those faults costs their mean, scaled alike. The
        // mean over the faults with a known gap is the estimate. Not with --fault-cost: the user's constant
        double gapScale = faultCostOption < 0 && vmaGapN >= MIN_GAP_SAMPLES && vmaGapSum > 0
                ? cost / ((double) vmaGapSum / vmaGapN) : 0;
        long gapTail = 2 * (subMicro ? 1 : 1000);
        long bodyN = subMicro ? gapBodyNNs : gapBodyNUs, bodySum = subMicro ? gapBodySumNs : gapBodySumUs;
        long gapBody = bodyN == 0 ? 0 : Math.round((double) bodySum / bodyN * gapScale);
        // madvise(MADV_DONTNEED…) under the VMA lock holds it for the zap only: vma_end_read comes before
        // tlb_finish_mmu's TLB flush (IPIs to the other CPUs running the mm, waiting for them) and the freeing of the
        // pages. A call whose first tlb_flush the trace shows is split there; the others zap for at most the
        // trace's fast calls' time per page (their 10th percentile: a call that needed no slow remote flush),
        // capped by their own length
        long zapNsPerPage = 0;
        if (nZapPerPage >= MIN_ZAP_SAMPLES) {
            long[] z = sorted(zapPerPage, nZapPerPage);
            zapNsPerPage = Math.max(1, z[(int) (0.1 * (z.length - 1))]);
        }
        for (SchedTimeline tl : sched.values()) {
            tl.seal();
            tl.vmaLockKernel = vmaPathFaults > 0;
        }
        for (Task t : taskOrder) {
            SchedTimeline tl = schedSwitches > 0 ? sched.get(t.tid) : null;
            for (int k = 0; k < t.works.size(); k++) {
                TaskWork w = t.works.get(k);
                MmWork mm = t.workMms.get(k);
                w.comm = t.comm;
                w.timeline = tl;
                w.ops.timeline = tl;
                Ops o = w.ops;
                int cls = !t.proc.homes.isEmpty() && !t.proc.homes.contains(mm) ? Ops.CLASS_REMOTE : Ops.CLASS_OTHER;
                if (w.spilled > 0) {
                    // streamed back at replay: the rest goes to the file too, derived as it is read
                    w.readClass = cls;
                    w.faultCostNs = cost;
                    w.faultGapScale = gapScale;
                    w.faultGapTail = gapTail;
                    w.faultGapBody = gapBody;
                    w.zapNsPerPage = zapNsPerPage;
                    if (o.n > 0) {
                        spill.write(w, o.n);
                        o.dropPrefix(o.n);
                    }
                    continue;
                }
                for (int i = 0; i < o.n; i++) {
                    if (o.kind[i] == Ops.READ && o.sub[i] < 0) o.sub[i] = cls;
                }
                o.finish(cost, gapScale, gapTail, gapBody, zapNsPerPage);
            }
        }
        List<MmWork> out = new ArrayList<>();
        for (MmWork m : mms) {
            if (!m.seedMaps.isEmpty()) m.recountCoverage();
            m.compact();
            m.owner = null; // extraction only: the replay never reads it (a share of the work must not carry the builder's state, nor the run its process)
            if (!m.tasks.isEmpty()) {
                m.tasks.sort((a, b) -> Integer.compare(a.tid, b.tid));
                out.add(m);
            }
        }
        long acq = acquireSamples == 0 ? 0 : acquireSum / acquireSamples;
        long[] wakes = sorted(wake, nWake);
        Workload wl = new Workload(out, cost, source, samples, acq, acquireSamples, wakes, unattributed, unpaired, lost,
                subMicro ? 1 : 1000, memcgPath && !memcgId ? "memcg_path" : memcgId ? "memcg_id" : null, spill);
        long coldSamples = acquireSamples - acquireHotSamples;
        wl.acquireCostHotSamples = acquireHotSamples;
        wl.acquireCostColdSamples = coldSamples;
        if (acquireHotSamples >= Workload.MIN_ACQUIRE_CLASS_SAMPLES && coldSamples >= Workload.MIN_ACQUIRE_CLASS_SAMPLES) {
            wl.acquireCostHotNs = Math.max(1, acquireHotSum / acquireHotSamples);
            wl.acquireCostColdNs = Math.max(1, (acquireSum - acquireHotSum) / coldSamples);
        }
        wl.cpus = maxCpu + 1;
        wl.faultCostShape = gapScale > 0 ? "trace-gaps" : "constant";
        wl.faultGapScale = gapScale;
        wl.anonPrepareSections = anonPrepareSections;
        wl.switchOutLatencies = sorted(switchOut, nSwitchOut);
        wl.madviseZapCalls = nZapPerPage;
        wl.madviseZapFlushes = zapFlushed;
        wl.madviseZapNsPerPage = zapNsPerPage;
        wl.madviseZapSource = nZapPerPage == 0 ? "none" : zapFlushed == nZapPerPage ? "trace-tlb-flush"
                : zapNsPerPage > 0 ? (zapFlushed > 0 ? "trace-tlb-flush+" : "") + "trace-fast-calls-p10-per-page"
                : zapFlushed > 0 ? "trace-tlb-flush+whole-syscall" : "whole-syscall";
        wl.observedSyscallLatency = observedSyscalls;
        wl.observedWriteSectionSleeps = writeSectionSleeps;
        wl.observedSyscallLatencyBy = observedSyscallsBy;
        wl.schedSwitches = schedSwitches;
        wl.openPathEvents = openPathEvents;
        wl.mapsReadsUnattributed = mapsReadsUnattributed;
        // a lock waiter is woken by the releasing task, on another CPU: its latency is a task-emitted wake-up's,
        // which on a VM (an idle vCPU halted, the wake-up an IPI) is longer than a timer's on its own idle CPU
        boolean byTask = nTaskIdleWake >= MIN_TASK_WAKES;
        boolean byHandover = !byTask && nHandoverIdle >= MIN_TASK_WAKES;
        long[] iw = byTask ? sorted(taskIdleWake, nTaskIdleWake)
                : byHandover ? sorted(handoverIdle, nHandoverIdle) : sorted(idleWake, nIdleWake);
        wl.idleWakeLatencies = iw;
        wl.idleWakeSource = iw.length == 0 ? "none" : byTask ? "trace-task-wakeups-onto-idle-cpu"
                : byHandover ? "trace-mmap-lock-handovers-onto-idle-cpu" : "trace-wakeups-onto-idle-cpu";
        wl.busyWakeLatencies = sorted(busyWake, nBusyWake);
        wl.preemptedRunLengths = sorted(preemptedRun, nPreemptedRun);
        wl.kernelPreemptions = kernelPreemptions;
        wl.kernelPreemptionsInVmaSyscall = kernelPreemptionsInVmaSyscall;
        wl.kernelPreemptionsInFaultHold = kernelPreemptionsInFaultHold;
        wl.faultHolds = nFallbackHolds + kernelFaultHolds;
        wl.wakesToPrevCpu = wakesToPrevCpu;
        wl.wakesToIdleCpu = wakesToIdleCpu;
        wl.wakerCosts = sorted(wakerCost, nWakerCost);
        return wl;
    }
}
