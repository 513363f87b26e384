package vmalock.lock;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The deterministic driver: a discrete-event simulation in virtual time (ns). Tasks are continuation
 * chains (their op stacks); a {@link Op#BLOCK} parks the continuation until {@link #wake}, a
 * {@link Op#DELAY} re-queues it at {@code now + delay}. Events live in a binary heap keyed by (time,
 * insertion sequence) held in primitive arrays, so equal-time events run in FIFO order and the same
 * inputs always give the same run. Nothing is allocated per operation.
 *
 * <p>Time does not pass inside a step: lock code is instantaneous, waits and holds take time.
 * Spinning writers sleep until the lock is released or their spin limit passes (no CPU is charged).
 * The CPU count is unbounded (every runnable task runs at once) unless {@link #cpus} is set: then a
 * task needs one of that many CPUs to step or to spend an on-CPU {@link Op#DELAY}; it gives its CPU up
 * when it blocks (not while it spins), sleeps ({@link Task#offCpuDelay}) or finishes, and after a time
 * slice of {@link #sliceNs} when others wait (round robin, FIFO run queue, so runs stay deterministic; or per-CPU
 * EEVDF queues, {@link #eevdf});
 * a task woken from a lock wait or a sleep preempts the running task that has run longest in its slice
 * ({@link #wakeupPreemption}, as the kernel's scheduler favours a task that slept).
 * A preempted lock holder keeps its lock: the waits behind it are part of what the model predicts.
 */
public final class SimScheduler implements Driver {
    private static final int QUEUED = 0, RUNNING = 1, BLOCKED = 2, DELAYED = 3, FINISHED = 4, NEW = 5;
    /** gen value marking a kill event instead of a resume. */
    private static final int KILL = -1;
    /** gen value marking a deferred wake-up preemption ({@link #wakePreemptDelay}). */
    private static final int PREEMPT = -2;
    /** gen value marking the end of a queued task's cache-hot time ({@link #migrationCostNs}): an idle CPU may take it. */
    private static final int BALANCE = -3;

    private final List<Task> tasks = new ArrayList<>();
    private final Findings findings;
    private final InvariantChecker checker;
    private long now;
    private long seqNo;
    private long steps;
    private long events;
    private int live;

    // heap of (time, seq, task, gen)
    private long[] hTime = new long[64];
    private long[] hSeq = new long[64];
    private int[] hTask = new int[64];
    private int[] hGen = new int[64];
    private int hSize;

    /** Latency from wake-up to running (ns); 0 by default. */
    public long wakeLatencyNs;
    /**
     * Added for the replay: when non-null, each wake-up's latency is drawn from it instead of
     * {@link #wakeLatencyNs} (the replay samples the trace's own wake-up latencies with its seed).
     */
    public java.util.function.ToLongFunction<Task> wakeLatency;
    /**
     * How long a VMA writer that blocks in rcuwait_wait_event (vma_start_write, vma_mark_detached: no spinning first) is
     * still on its CPU — setting its state, schedule() — drawn per wake-up; null: 0. Woken within it by the last reader's
     * vma_end_read, it was never off its CPU and pays no {@link #wakeLatency}.
     */
    public java.util.function.ToLongFunction<Task> rcuwaitSwitchOut;
    /**
     * What waking a sleeping task costs the waker (ns, drawn per wake-up; the argument is the wakee): the waker spends it
     * on its CPU, in kernel mode, right after the step that woke — try_to_wake_up() of a task on another CPU sends an
     * IPI, a VM exit on a virtual machine. null: nothing. Not for a spinner or a writer still on its CPU (no wake-up).
     */
    public java.util.function.ToLongFunction<Task> wakerCost;
    /** The task whose step runs now (null between steps): who pays {@link #wakerCost}. */
    private Task running;
    /** Wake-ups that charged their waker a {@link #wakerCost}, and the total charged (ns). */
    private long wakerCharges, wakerChargedNs;

    public long wakerCharges() {
        return wakerCharges;
    }

    public long wakerChargedNs() {
        return wakerChargedNs;
    }
    /** Modelled CPUs; 0 = unlimited. */
    public int cpus;
    /** Time slice of the CPU model (ns): a task that ran this long yields to a waiting one. */
    public long sliceNs = 3_000_000;
    private int busy;
    private final java.util.ArrayDeque<Task> runq = new java.util.ArrayDeque<>();
    /** The tasks holding a modelled CPU. */
    private final List<Task> holders = new ArrayList<>();
    /**
     * Wake-up preemption: a task that becomes runnable while every CPU is taken preempts the holder that
     * has run longest in its slice, when that holder is in an on-CPU delay (computing or holding).
     */
    public boolean wakeupPreemption = true;
    /**
     * The kernel preempts tasks in kernel mode (CONFIG_PREEMPT / preempt=full). False (preempt=none or
     * voluntary): a task running kernel work — a fault, a lock hold, a syscall — keeps its CPU until it
     * returns to user mode or sleeps; a slice's end or a wake-up takes effect at that return.
     */
    public boolean kernelPreemption = false;
    /**
     * When non-null, a woken task that finds every CPU busy preempts one only after this delay (ns; drawn by
     * the replay from the trace's own wake-up-to-run delays of wake-ups that preempted a running task), and
     * takes a CPU that frees up before then as usual; null: at once ({@link #wakeupPreemption}).
     */
    public java.util.function.ToLongFunction<Task> wakePreemptDelay;
    /**
     * When ≥ 0, a woken task that finds every CPU busy preempts only a task that has held its CPU at least this
     * long (ns; EEVDF protects a running task's slice): it waits until one has, or takes a CPU that frees up
     * first; -1: no such protection ({@link #wakeupPreemption} preempts at once).
     */
    public long wakePreemptMinRunNs = -1;
    /**
     * A woken task that finds every CPU busy preempts the task on the CPU it last ran on (the kernel enqueues a
     * wakee on its previous CPU when no idle one is found, and wake-up preemption acts on that CPU's current task),
     * not the one longest in its slice anywhere; when that task cannot be preempted, it waits in the queue.
     */
    public boolean wakePreemptPrevCpu;
    /**
     * The kernel's {@code sysctl_sched_migration_cost} (ns): a task preempted off a CPU (by a wake-up or at
     * its slice's end) stays queued on that CPU, and another CPU that goes idle does not pull it while it is
     * cache-hot — until this long after it last ran ({@code task_hot()} in the load balancer); it runs when
     * its own CPU is given up, or on an idle one once it has cooled. 0: one run queue for all CPUs (a
     * preempted task takes the first CPU that frees up). A woken task picks an idle CPU either way.
     */
    public long migrationCostNs;
    /**
     * A woken task is queued on the CPU it last ran on even when another CPU is idle — the kernel searches for an
     * idle CPU only among those sharing the previous CPU's last-level cache ({@code select_idle_sibling()}), and a
     * machine whose CPUs share none (as the traced VM's vCPUs) wakes every task onto its previous CPU. It runs
     * there when that CPU frees up or by wake-up preemption of that CPU's task only; an idle CPU pulls it once it
     * is no longer cache-hot ({@link #migrationCostNs} after it last ran). False: a woken task takes any idle CPU.
     */
    public boolean wakeOnPrevCpu;
    /**
     * With {@link #wakeOnPrevCpu}: asked for each wake-up whose previous CPU is busy while another is idle — true puts
     * it on the idle CPU (select_idle_sibling() found one), false on the previous CPU; null: always the previous CPU.
     */
    public java.util.function.BooleanSupplier wakeFindsIdle;
    /**
     * Per-CPU run queues ordered as the kernel's EEVDF (6.6+) orders them, instead of one FIFO queue: every task has a
     * virtual runtime (its CPU time; all of nice 0), a deadline one slice ({@link #sliceNs}) past the virtual time it
     * was placed at, and a lag kept across a sleep. A CPU runs the eligible task (virtual runtime not past the queue's
     * average) with the earliest deadline; its running task keeps the CPU while eligible until it has run to its
     * deadline (RUN_TO_PARITY), so a woken task preempts it only when it is no longer eligible or its slice is used.
     * A woken task is queued on its previous CPU when it is busy and {@link #wakeOnPrevCpu}, else on an idle one; a
     * CPU with nothing queued pulls a task from another once that task is no longer cache-hot ({@link #migrationCostNs}).
     */
    public boolean eevdf;
    /**
     * {@link #eevdf}: the kernel's DELAY_DEQUEUE (6.12+, with DELAY_ZERO): a task that blocks or sleeps while not eligible
     * stays on its CPU's queue, counted in the queue's average virtual runtime, until it is picked (then it leaves,
     * its positive lag cut to 0) or woken (it stays where it is, re-placed at lag 0 if its lag turned positive).
     */
    public boolean delayDequeue;
    /** The scheduler tick (ns; {@link #eevdf}): 4 ms, CONFIG_HZ=250 as on the captures' kernel and most distributions'; 0: none. */
    public long tickNs = 4_000_000;
    /** EEVDF model: the tasks queued (runnable, not running) on each CPU, the running one, the queue's virtual time when empty. */
    private List<Task>[] rqs;
    private Task[] currs;
    private long[] vBase;
    private boolean[] needResched;
    /**
     * When each CPU's queue last ran update_curr(): the running task's virtual runtime as the kernel holds it is its
     * value at that time (or at its switch-in, or at the last tick, whichever is latest), which is what a delayed
     * task's wake-up sees ({@link #evRequeueDelayed}).
     */
    private long[] currUpdatedAt;

    /** Wake-ups queued on a busy previous CPU while another CPU was idle ({@link #wakeOnPrevCpu}). */
    private long wakesQueuedOnPrevCpu;

    public long wakesQueuedOnPrevCpu() {
        return wakesQueuedOnPrevCpu;
    }

    /** Which modelled CPUs are taken (by id: {@link Task#cpu}). */
    private boolean[] cpuBusy = new boolean[0];
    /** Queued tasks whose wake-up preemption waits for a CPU's return to user mode. */
    private int pendingPreempts;
    /** As {@link #pendingPreempts}, for the task on one CPU ({@link #wakeOnPrevCpu}). */
    private int[] pendingByCpu = new int[0];
    /** Total ns tasks spent runnable, waiting for a modelled CPU. */
    private long cpuWaitNs;
    /** Preemptions at the end of a time slice. */
    private long preemptions;

    public long cpuWaitNs() {
        return cpuWaitNs;
    }

    /** Preemptions of a task in kernel work (the trace's sched_switch prev_state R+), and of those in a VMA syscall's. */
    private long kernelPreemptions, kernelPreemptionsInCondResched;

    public long kernelPreemptions() {
        return kernelPreemptions;
    }

    /** … of a task in kernel work with cond_resched() points (a VMA syscall's page-table walk: {@link Task#condResched}). */
    public long kernelPreemptionsInCondResched() {
        return kernelPreemptionsInCondResched;
    }

    /** Counts a preemption of {@code v}, which was in an on-CPU delay. */
    private void countPreemption(Task v) {
        preemptions++;
        if (v.inDelay && v.kernelDelay) {
            kernelPreemptions++;
            if (v.condResched) kernelPreemptionsInCondResched++;
        }
    }

    public long preemptions() {
        return preemptions;
    }

    /** Set by {@link #halt}: nothing runs any more (a modelled oops ends the address space's replay). */
    private boolean halted;

    /** Stops the simulation at the current step: queued events stay queued and never run. */
    public void halt() {
        halted = true;
    }

    public boolean halted() {
        return halted;
    }

    /** Called after every step when non-null (e.g. structural invariant checks). */
    public Runnable afterStep;

    public SimScheduler() {
        this(new Findings(), false);
    }

    /** @param check enable the invariant checker */
    public SimScheduler(Findings findings, boolean check) {
        this.findings = findings;
        this.checker = check ? new InvariantChecker(findings, false) : null;
    }

    @Override
    public long now() {
        return now;
    }

    @Override
    public Findings findings() {
        return findings;
    }

    @Override
    public InvariantChecker checker() {
        return checker;
    }

    public long steps() {
        return steps;
    }

    /** Events taken off the queue (resumptions, timers, kills). */
    public long events() {
        return events;
    }

    public List<Task> tasks() {
        return tasks;
    }

    /** Tasks that have not finished. */
    public int live() {
        return live;
    }

    /** Adds a task that starts running {@code program} at virtual time {@code startNs}. */
    public Task spawn(Task t, Program program, long startNs) {
        if (t.driver != null) throw new IllegalStateException(t + " already belongs to a driver");
        t.driver = this;
        t.simIndex = tasks.size();
        tasks.add(t);
        t.call(new ProgramRunner(program));
        t.simState = QUEUED;
        live++;
        push(Math.max(startNs, now), tasks.size() - 1, t.gen);
        return t;
    }

    /** Blocked in a VMA writer's rcuwait_wait_event (vma_start_write, vma_mark_detached). */
    private static boolean inRcuwait(Task t) {
        Op top = t.depth() == 0 ? null : t.opAt(t.depth() - 1);
        return top instanceof VmaLock.StartWrite || top instanceof VmaLock.MarkDetached;
    }

    private static int indexOf(Task t) {
        return t.simIndex;
    }

    /** Delivers a fatal signal to {@code t} at virtual time {@code atNs} (killable waits give up). */
    public void kill(Task t, long atNs) {
        push(Math.max(atNs, now), indexOf(t), KILL);
    }

    @Override
    public void wake(Task t) {
        if (t.simState == BLOCKED) {
            t.simState = QUEUED;
            t.gen++;
            if (t.spinning) {
                // an optimistic spinner never left its CPU: it polls the lock word and sees the release at
                // once — no scheduler wake-up, so no wake-up latency and no wake-up preemption
                push(now, indexOf(t), t.gen);
                return;
            }
            t.wokenUp = true;
            boolean stillOnCpu = rcuwaitSwitchOut != null && inRcuwait(t) && now - t.blockedAt < rcuwaitSwitchOut.applyAsLong(t);
            push(now + (stillOnCpu ? 0 : wakeLatency != null ? wakeLatency.applyAsLong(t) : wakeLatencyNs), indexOf(t), t.gen);
            if (!stillOnCpu && wakerCost != null && running != null && running != t) {
                long c = Math.max(0, wakerCost.applyAsLong(t));
                running.wakerDebtNs += c;
                wakerCharges++;
                wakerChargedNs += c;
            }
        } else {
            t.woken = true;
        }
    }

    // ---- added for the replay engine (vmalock.replay windows its per-mm runs) -------------------
    /** Whether any event (resume, timer, kill) is still queued. */
    public boolean hasPending() {
        return hSize > 0;
    }

    /** Time of the earliest queued event, or Long.MAX_VALUE when none is queued. */
    public long nextEventTime() {
        return hSize > 0 ? hTime[0] : Long.MAX_VALUE;
    }

    /** Runs until no event is left. Returns the final virtual time. */
    public long run() {
        return runUntil(Long.MAX_VALUE);
    }

    /** Runs events with time ≤ {@code limitNs}. */
    public long runUntil(long limitNs) {
        while (hSize > 0 && hTime[0] <= limitNs && !halted) {
            long time = hTime[0];
            int ti = hTask[0];
            int gen = hGen[0];
            pop();
            events++;
            Task t = tasks.get(ti);
            now = time;
            if (gen == KILL) {
                t.fatalSignal = true;
                if (t.simState == BLOCKED) wake(t);
                continue;
            }
            if (gen == PREEMPT) {
                if (t.waitingCpu && t.preemptAt == time) preemptFor(t);
                continue;
            }
            if (gen == BALANCE) {
                if (eevdf) {
                    evBalance(t, time);
                    continue;
                }
                if (t.waitingCpu && !t.hasCpu && t.hotUntil == time && busy < cpus) {
                    runq.remove(t); // cooled down: an idle CPU pulls it
                    busy++;
                    leaveQueue(t, freeCpu(t.lastCpu));
                }
                continue;
            }
            if (gen != t.gen || t.simState == FINISHED) continue; // stale timer
            if (cpus > 0) {
                if (!t.hasCpu && !grab(t)) continue;
                if (t.inDelay) {
                    if (t.delayLeft > 0) {
                        sliceDelay(t);
                        continue;
                    }
                    t.inDelay = false;
                }
            }
            resume(t);
        }
        return now;
    }

    /** Tasks that are blocked forever once the queue has drained (a lost wake-up or a deadlock). */
    public List<Task> stuck() {
        List<Task> r = new ArrayList<>();
        for (Task t : tasks) if (t.simState != FINISHED) r.add(t);
        return r;
    }

    /** The op stack of a task, innermost last (diagnostics). */
    public static String describe(Task t) {
        StringBuilder sb = new StringBuilder(t.toString()).append(':');
        for (int i = 0; i < t.depth(); i++) sb.append(' ').append(t.opAt(i).name());
        return sb.toString();
    }

    /** Takes a free CPU for {@code t}, or queues it (runnable) until one is released. */
    private boolean grab(Task t) {
        if (eevdf) return evGrab(t);
        if (wakeOnPrevCpu && t.wokenUp && t.lastCpu >= 0 && t.lastCpu < cpus) {
            if (cpuBusy.length < cpus) cpuBusy = Arrays.copyOf(cpuBusy, cpus);
            if (pendingByCpu.length < cpus) pendingByCpu = Arrays.copyOf(pendingByCpu, cpus);
            if (cpuBusy[t.lastCpu] && (busy >= cpus || wakeFindsIdle == null || !wakeFindsIdle.getAsBoolean())) {
                return queueOnPrevCpu(t);
            }
        }
        if (busy < cpus) {
            t.wokenUp = false;
            take(t, freeCpu(t.lastCpu >= 0 ? t.lastCpu : t.homeCpu));
            return true;
        }
        t.hotUntil = 0; // a woken or new task waits for any CPU
        if (wakeupPreemption && t.wokenUp && wakePreemptDelay != null) {
            long d = wakePreemptDelay.applyAsLong(t);
            if (d > 0) { // preempt later, unless a CPU frees up first
                t.wokenUp = false;
                t.waitingCpu = true;
                t.onCpu = false;
                t.cpuWaitSince = now;
                t.preemptAt = now + d;
                runq.addLast(t);
                push(now + d, indexOf(t), PREEMPT);
                return false;
            }
        }
        if (wakeupPreemption && t.wokenUp && wakePreemptMinRunNs > 0) {
            Task v = victim(wakePreemptMinRunNs);
            if (v != null) {
                t.wokenUp = false;
                preempt(v, t);
                return true;
            }
            long at = protectedUntil(wakePreemptMinRunNs);
            if (at != Long.MAX_VALUE) { // preempt when the first running task's protection ends, unless a CPU frees up first
                t.wokenUp = false;
                t.waitingCpu = true;
                t.onCpu = false;
                t.cpuWaitSince = now;
                t.preemptAt = at;
                runq.addLast(t);
                push(at, indexOf(t), PREEMPT);
                return false;
            }
        }
        boolean prevCpu = wakePreemptPrevCpu && t.lastCpu >= 0;
        if (wakeupPreemption && t.wokenUp && prevCpu) {
            Task v = holderOn(t.lastCpu);
            if (v != null && v.inDelay && v.preemptibleDelay && v.chunkEnd > now) {
                t.wokenUp = false;
                preempt(v, t);
                return true;
            }
        }
        if (wakeupPreemption && t.wokenUp && !prevCpu) {
            t.wokenUp = false;
            Task v = victim();
            if (v != null) {
                preempt(v, t);
                return true;
            }
            if (!kernelPreemption) {
                // every CPU runs kernel work that cannot be preempted: need_resched takes effect on return to user
                t.preemptPending = true;
                pendingPreempts++;
            }
        }
        t.wokenUp = false;
        t.waitingCpu = true;
        t.onCpu = false;
        t.cpuWaitSince = now;
        runq.addLast(t);
        return false;
    }

    /**
     * {@link #wakeOnPrevCpu}: {@code t} was woken onto its busy previous CPU while another is idle. It preempts that
     * CPU's task when wake-up preemption allows (the task is in a preemptible delay), else waits queued there: it
     * runs when that CPU frees up, or on an idle CPU once it has cooled ({@link #migrationCostNs} after it last ran).
     */
    private boolean queueOnPrevCpu(Task t) {
        t.wokenUp = false;
        wakesQueuedOnPrevCpu++;
        if (wakeupPreemption) {
            Task cur = holderOn(t.lastCpu);
            if (cur != null && cur.inDelay && cur.preemptibleDelay && cur.chunkEnd > now) {
                preempt(cur, t);
                return true;
            }
            if (cur != null && !kernelPreemption) {
                // that CPU runs kernel work that cannot be preempted: need_resched takes effect on its return to user
                t.preemptPending = true;
                t.pendingCpu = t.lastCpu;
                pendingByCpu[t.lastCpu]++;
            }
        }
        t.waitingCpu = true;
        t.onCpu = false;
        t.cpuWaitSince = now;
        t.hotUntil = Math.max(now + 1, t.offCpuAt + migrationCostNs);
        runq.addLast(t);
        push(t.hotUntil, indexOf(t), BALANCE);
        return false;
    }

    /** The task holding modelled CPU {@code c}, or null. */
    private Task holderOn(int c) {
        for (Task h : holders) if (h.cpu == c) return h;
        return null;
    }

    /** A deferred wake-up preemption: {@code t}, still queued, takes the CPU of the longest-running preemptible task. */
    private void preemptFor(Task t) {
        t.preemptAt = 0;
        long minRun = Math.max(0, wakePreemptMinRunNs);
        Task v = victim(minRun);
        if (v == null) {
            long at = minRun > 0 ? protectedUntil(minRun) : Long.MAX_VALUE;
            if (at != Long.MAX_VALUE) { // the task it waited for was re-picked: wait for the next protection's end
                t.preemptAt = at;
                push(at, indexOf(t), PREEMPT);
            }
            return; // it waits in the run queue
        }
        runq.remove(t);
        t.waitingCpu = false;
        cpuWaitNs += now - t.cpuWaitSince;
        preempt(v, t);
        push(now, indexOf(t), t.gen);
    }

    /** The running task a wake-up preempts: the one longest in its slice, in a preemptible delay; or null. */
    private Task victim() {
        return victim(0);
    }

    /** As {@link #victim()}, among the tasks that have held their CPU at least {@code minRunNs}. */
    private Task victim(long minRunNs) {
        Task v = null;
        for (Task h : holders) {
            if (h.inDelay && h.preemptibleDelay && h.chunkEnd > now && now - h.sliceStart >= minRunNs
                    && (v == null || h.sliceStart < v.sliceStart)) v = h;
        }
        return v;
    }

    /** The earliest time a running task in a preemptible delay has held its CPU {@code minRunNs}, or Long.MAX_VALUE. */
    private long protectedUntil(long minRunNs) {
        long at = Long.MAX_VALUE;
        for (Task h : holders) {
            if (h.inDelay && h.preemptibleDelay && h.chunkEnd > now) at = Math.min(at, Math.max(now + 1, h.sliceStart + minRunNs));
        }
        return at;
    }

    /** {@code t} takes {@code v}'s CPU; {@code v} goes to the front of the run queue with the rest of its delay. */
    private void preempt(Task v, Task t) {
        countPreemption(v);
        v.gen++; // its chunk-end event is void: the rest of the delay waits for a CPU
        v.delayLeft += v.chunkEnd - now;
        v.hasCpu = false;
        v.offCpuAt = now;
        holders.remove(v);
        int c = v.cpu;
        v.cpu = -1;
        v.lastCpu = c;
        v.hotUntil = now + migrationCostNs;
        v.onCpu = false;
        v.waitingCpu = true;
        v.cpuWaitSince = now;
        runq.addFirst(v);
        onCpu(t, c);
    }

    /** The CPU for a task that may take any free one: {@code preferred} when it is free, else the lowest free id. */
    private int freeCpu(int preferred) {
        if (cpuBusy.length < cpus) cpuBusy = Arrays.copyOf(cpuBusy, cpus);
        if (preferred >= 0 && preferred < cpus && !cpuBusy[preferred]) return preferred;
        for (int c = 0; c < cpus; c++) if (!cpuBusy[c]) return c;
        throw new IllegalStateException("no free CPU");
    }

    /** {@code t} takes the free CPU {@code c}. */
    private void take(Task t, int c) {
        busy++;
        onCpu(t, c);
    }

    /** {@code t} runs on CPU {@code c} from now, with a new slice. */
    private void onCpu(Task t, int c) {
        cpuBusy[c] = true;
        t.hasCpu = true;
        t.cpu = c;
        t.lastCpu = c;
        t.sliceStart = now;
        holders.add(t);
    }

    /** The queued task {@code t} (already off the run queue) gets CPU {@code c} and resumes now. */
    private void leaveQueue(Task t, int c) {
        t.waitingCpu = false;
        t.preemptAt = 0;
        if (t.preemptPending) {
            t.preemptPending = false;
            if (t.pendingCpu >= 0) pendingByCpu[t.pendingCpu]--;
            else pendingPreempts--;
            t.pendingCpu = -1;
        }
        onCpu(t, c);
        cpuWaitNs += now - t.cpuWaitSince;
        push(now, indexOf(t), t.gen);
    }

    /** {@code t} gives its CPU up; the first queued task gets it at once. */
    private void release(Task t) {
        if (!t.hasCpu) return;
        if (eevdf) {
            evRelease(t);
            return;
        }
        t.hasCpu = false;
        t.offCpuAt = now;
        holders.remove(t);
        int c = t.cpu;
        t.cpu = -1;
        Task next = null;
        if (migrationCostNs <= 0) {
            next = runq.pollFirst();
        } else {
            // the first queued task this CPU may run: its own, or one not cache-hot elsewhere
            for (java.util.Iterator<Task> it = runq.iterator(); it.hasNext(); ) {
                Task x = it.next();
                if (x.lastCpu == c || x.lastCpu < 0 || x.hotUntil <= now) {
                    it.remove();
                    next = x;
                    break;
                }
            }
            if (next == null) {
                for (Task x : runq) if (x.hotUntil > now) push(x.hotUntil, indexOf(x), BALANCE);
            }
        }
        if (next == null) {
            busy--;
            cpuBusy[c] = false;
            return;
        }
        leaveQueue(next, c);
    }

    /** Spends the next part of an on-CPU delay, or yields when the slice is over and others wait. */
    private void sliceDelay(Task t) {
        if (eevdf) {
            evSliceDelay(t);
            return;
        }
        long used = now - t.sliceStart;
        if (!runq.isEmpty() && t.preemptibleDelay
                && (used >= sliceNs || pendingPreempts > 0 || t.cpu < pendingByCpu.length && pendingByCpu[t.cpu] > 0)) {
            countPreemption(t);
            release(t);
            t.hotUntil = now + migrationCostNs; // queued on the CPU it ran on
            t.onCpu = false;
            t.waitingCpu = true;
            t.cpuWaitSince = now;
            runq.addLast(t);
            return;
        }
        if (!t.preemptibleDelay) {
            // kernel work under a non-preemptive kernel: runs to its end; the slice's end is checked at the
            // next return to user mode
            long chunk = t.delayLeft;
            t.delayLeft = 0;
            t.onCpu = true;
            t.chunkEnd = now + chunk;
            push(now + chunk, indexOf(t), t.gen);
            return;
        }
        if (used >= sliceNs) { // nobody waits: a new slice
            t.sliceStart = now;
            used = 0;
        }
        long room = sliceNs - used; // a slice's end is checked even when nobody waits yet
        long chunk = Math.min(t.delayLeft, room);
        t.delayLeft -= chunk;
        t.onCpu = true;
        t.chunkEnd = now + chunk;
        push(now + chunk, indexOf(t), t.gen);
    }

    private void resume(Task t) {
        t.simState = RUNNING;
        t.onCpu = true;
        t.spinning = false;
        t.deadline = Task.NO_DEADLINE;
        t.woken = false;
        for (;;) {
            Op op = t.top();
            if (op == null) {
                finish(t);
                return;
            }
            running = t;
            int r = op.step(t);
            running = null;
            steps++;
            if (afterStep != null) afterStep.run();
            if (halted) return; // the task stops where it is
            if (t.wakerDebtNs > 0 && payWakerDebt(t, r)) return;
            switch (r) {
                case Op.RUN:
                    continue;
                case Op.DONE:
                    t.pop();
                    if (t.depth() == 0) {
                        finish(t);
                        return;
                    }
                    continue;
                case Op.DELAY:
                    t.simState = DELAYED;
                    t.gen++;
                    if (cpus > 0) {
                        if (t.offCpuDelay) {
                            t.offCpuDelay = false;
                            t.onCpu = false;
                            t.wokenUp = true; // a sleep ends in a wake-up
                            release(t);
                            push(now + Math.max(0, t.delay), indexOf(t), t.gen);
                        } else {
                            t.inDelay = true;
                            t.delayLeft = Math.max(0, t.delay);
                            t.kernelDelay = !t.userDelay;
                            t.preemptibleDelay = t.userDelay || kernelPreemption || t.condResched;
                            sliceDelay(t);
                        }
                        t.userDelay = false;
                        return;
                    }
                    t.offCpuDelay = false;
                    t.userDelay = false;
                    push(now + Math.max(0, t.delay), indexOf(t), t.gen);
                    return;
                case Op.BLOCK:
                    if (t.woken) { // woken while still running: do not sleep
                        t.woken = false;
                        t.spinning = false;
                        t.deadline = Task.NO_DEADLINE;
                        continue;
                    }
                    t.simState = BLOCKED;
                    t.blockedAt = now;
                    t.gen++;
                    if (!t.spinning) {
                        t.onCpu = false;
                        if (cpus > 0) release(t);
                        Rwsem w = t.writeOwned;
                        if (w != null) w.ownerBlocked(t);
                    }
                    if (t.deadline != Task.NO_DEADLINE) push(Math.max(now, t.deadline), indexOf(t), t.gen);
                    return;
                default:
                    throw new IllegalStateException(op.name() + " returned " + r);
            }
        }
    }

    /**
     * {@code t}'s step returned {@code r} after waking sleepers that cost it {@link Task#wakerDebtNs}: spent now on its
     * CPU as kernel work before it goes on (RUN, DONE) or added to the on-CPU delay it starts (DELAY). A step that
     * sleeps or blocks next keeps the debt for its next on-CPU delay (false: the caller handles {@code r}). True when
     * the task now spends the debt and the caller must return.
     */
    private boolean payWakerDebt(Task t, int r) {
        if (r == Op.DELAY && !t.offCpuDelay) {
            t.delay = Math.max(0, t.delay) + t.wakerDebtNs;
            t.wakerDebtNs = 0;
            return false;
        }
        if (r != Op.RUN && r != Op.DONE) return false;
        if (r == Op.DONE) {
            t.pop();
            if (t.depth() == 0) {
                t.wakerDebtNs = 0;
                finish(t);
                return true;
            }
        }
        long d = t.wakerDebtNs;
        t.wakerDebtNs = 0;
        t.simState = DELAYED;
        t.gen++;
        if (cpus > 0) {
            t.inDelay = true;
            t.delayLeft = d;
            t.kernelDelay = true;
            t.preemptibleDelay = kernelPreemption || t.condResched;
            t.userDelay = false;
            sliceDelay(t);
        } else {
            push(now + d, indexOf(t), t.gen);
        }
        return true;
    }

    private void finish(Task t) {
        if (cpus > 0) release(t);
        t.simState = FINISHED;
        t.gen++;
        live--;
    }

    // ---- EEVDF per-CPU run queues ({@link #eevdf}) -----------------------------------------------------

    @SuppressWarnings("unchecked")
    private void evInit() {
        if (rqs != null && rqs.length >= cpus) return;
        rqs = new List[cpus];
        for (int c = 0; c < cpus; c++) rqs[c] = new ArrayList<>();
        currs = new Task[cpus];
        vBase = new long[cpus];
        needResched = new boolean[cpus];
        currUpdatedAt = new long[cpus];
        if (cpuBusy.length < cpus) cpuBusy = Arrays.copyOf(cpuBusy, cpus);
    }

    /** The task's virtual runtime now (a running task is charged for its time on the CPU). */
    private long evV(Task t) {
        return t.hasCpu ? t.vruntime + (now - t.execStart) : t.vruntime;
    }

    /**
     * The running task {@code t}'s virtual runtime as the kernel last recorded it on CPU {@code c}: charged only up to
     * the last update_curr() there — its switch-in, an enqueue or dequeue on that queue, a wake-up check, the last tick.
     */
    private long evVRecorded(Task t, int c) {
        long at = Math.max(t.execStart, currUpdatedAt[c]);
        if (tickNs > 0) at = Math.max(at, Math.floorDiv(now, tickNs) * tickNs);
        return t.vruntime + (Math.min(now, at) - t.execStart);
    }

    /** update_curr() on CPU {@code c}'s queue: from now its running task's recorded virtual runtime is current. */
    private void evUpdateCurr(int c) {
        currUpdatedAt[c] = now;
    }

    /** Sum and count of the virtual runtimes on CPU {@code c} (running and queued), into {@code out}. */
    private void evSum(int c, long[] out) {
        evSum(c, out, false);
    }

    /** As {@link #evSum(int, long[])}; {@code recorded}: the running task at its {@link #evVRecorded recorded} value. */
    private void evSum(int c, long[] out, boolean recorded) {
        long sum = 0, n = 0;
        if (currs[c] != null) {
            sum += recorded ? evVRecorded(currs[c], c) : evV(currs[c]);
            n++;
        }
        for (Task q : rqs[c]) {
            sum += q.vruntime;
            n++;
        }
        out[0] = sum;
        out[1] = n;
    }

    private final long[] evTmp = new long[2];

    /** The queue's average virtual runtime (avg_vruntime), or its last one when nothing is on it. */
    private long evAvg(int c) {
        return evAvg(c, false);
    }

    /** As {@link #evAvg(int)}; {@code recorded}: with the running task at its {@link #evVRecorded recorded} value. */
    private long evAvg(int c, boolean recorded) {
        evSum(c, evTmp, recorded);
        return evTmp[1] == 0 ? vBase[c] : Math.floorDiv(evTmp[0], evTmp[1]);
    }

    /** The slice's end for the running task: update_deadline(). True when it has used its slice. */
    private boolean evUpdateDeadline(Task cur) {
        long v = evV(cur);
        if (v < cur.vdeadline) return false;
        cur.vdeadline = v + sliceNs;
        return true;
    }

    /**
     * pick_eevdf() on CPU {@code c}: the eligible task (virtual runtime ≤ the average) with the earliest deadline; the
     * running task while eligible and protected ({@code protect}: it has not run to the deadline it was picked with).
     */
    private Task evPick(int c, boolean protect) {
        for (;;) {
            Task p = evPick0(c, protect);
            if (p == null || !p.schedDelayed) return p;
            evFinishDelayed(p); // pick_next_entity(): a delayed task picked leaves the queue; pick again
        }
    }

    /** A delayed task leaves its queue (dequeue_entities(DEQUEUE_DELAYED)): its lag kept, a positive one cut to 0. */
    private void evFinishDelayed(Task p) {
        int c = p.rqCpu;
        long avg = evAvg(c);
        rqs[c].remove(p);
        p.rqCpu = -1;
        p.schedDelayed = false;
        p.vlag = Math.min(0, evClampLag(avg - p.vruntime));
        vBase[c] = avg;
    }

    /** __pick_eevdf(): delayed tasks are candidates like any other (the wake-up check sees them so). */
    private Task evPick0(int c, boolean protect) {
        evSum(c, evTmp);
        long sum = evTmp[0], n = evTmp[1];
        if (n == 0) return null;
        Task cur = currs[c];
        Task best = null;
        if (cur != null) {
            evUpdateCurr(c);
            evUpdateDeadline(cur);
            long cv = evV(cur);
            if (cv * n <= sum) {
                if (protect && cv < cur.vprot) return cur;
                best = cur;
            }
        }
        for (Task q : rqs[c]) {
            if (q.vruntime * n <= sum && (best == null || q.vdeadline < best.vdeadline)) best = q;
        }
        if (best == null) { // rounding: the least virtual runtime is eligible by definition
            for (Task q : rqs[c]) if (best == null || q.vruntime < best.vruntime) best = q;
            if (cur != null && (best == null || evV(cur) < best.vruntime)) best = cur;
        }
        return best;
    }

    /**
     * place_entity(): {@code t} joins CPU {@code c}'s queue with its lag (0 for a new task, which gets half a slice).
     * An enqueue runs update_curr() first.
     */
    private void evPlace(Task t, int c, boolean initial) {
        evUpdateCurr(c);
        evPlace(t, c, initial, false);
    }

    /** As {@link #evPlace(Task, int, boolean)}; {@code recorded}: averaged with the running task's recorded value. */
    private void evPlace(Task t, int c, boolean initial, boolean recorded) {
        evSum(c, evTmp, recorded);
        long n = evTmp[1];
        long v = n == 0 ? vBase[c] : Math.floorDiv(evTmp[0], n);
        long lag = initial ? 0 : t.vlag;
        if (n > 0) lag = lag * (n + 1) / n; // the kernel inflates the lag by the weight the task adds
        t.vruntime = v - lag;
        t.vdeadline = t.vruntime + (initial ? sliceNs / 2 : sliceNs);
        rqs[c].add(t);
        t.rqCpu = c;
    }

    /** {@code t} leaves CPU {@code c}'s queue keeping its lag (dequeue for a migration). */
    private void evUnqueue(Task t) {
        int c = t.rqCpu;
        if (c < 0) return;
        evUpdateCurr(c);
        long avg = evAvg(c);
        rqs[c].remove(t);
        t.rqCpu = -1;
        t.vlag = evClampLag(avg - t.vruntime);
    }

    private long evClampLag(long lag) {
        long limit = Math.max(2 * sliceNs, 4_000_000); // max(2 slices, a 250 Hz tick)
        return Math.max(-limit, Math.min(limit, lag));
    }

    /** The queued task {@code t} runs on CPU {@code c} from now; {@code push}: queue its resumption. */
    private void evRun(Task t, int c, boolean push) {
        if (t.rqCpu >= 0) rqs[t.rqCpu].remove(t);
        t.rqCpu = -1;
        if (t.waitingCpu) {
            t.waitingCpu = false;
            cpuWaitNs += now - t.cpuWaitSince;
        }
        t.preemptAt = 0;
        if (currs[c] == null) busy++;
        currs[c] = t;
        needResched[c] = false;
        onCpu(t, c);
        t.execStart = now;
        t.vprot = t.vdeadline;
        if (push) push(now, indexOf(t), t.gen);
    }

    /** A woken or new task needs a CPU: placed on one and run there, or queued (false). */
    private boolean evGrab(Task t) {
        evInit();
        if (t.schedDelayed) return evRequeueDelayed(t);
        boolean initial = t.lastCpu < 0;
        int prev = !initial ? t.lastCpu : t.homeCpu < cpus ? t.homeCpu : -1;
        int c = -1;
        if (prev >= 0 && currs[prev] == null) c = prev;
        if (c < 0) {
            int idle = -1;
            for (int k = 0; k < cpus && idle < 0; k++) if (currs[k] == null) idle = k;
            if (idle >= 0 && (prev < 0 || !wakeOnPrevCpu || wakeFindsIdle != null && wakeFindsIdle.getAsBoolean())) c = idle;
        }
        if (c < 0) c = prev;
        if (c < 0) { // a new task on a busy machine: the CPU with the fewest tasks
            for (int k = 0; k < cpus; k++) if (c < 0 || rqs[k].size() < rqs[c].size()) c = k;
        }
        if (!initial && c == t.lastCpu && currs[c] != null && busy < cpus) wakesQueuedOnPrevCpu++;
        t.wokenUp = false;
        evPlace(t, c, initial);
        return evTakeOrWait(t, c);
    }

    /** {@code t}, queued on CPU {@code c}, runs there if it is idle, else waits (cache-hot) or preempts: true when it runs. */
    private boolean evTakeOrWait(Task t, int c) {
        if (currs[c] == null) {
            evRun(t, c, false);
            return true;
        }
        t.waitingCpu = true;
        t.onCpu = false;
        t.cpuWaitSince = now;
        t.hotUntil = Math.max(now + 1, t.offCpuAt + migrationCostNs);
        if (busy < cpus) push(t.hotUntil, indexOf(t), BALANCE);
        return evWakePreempt(t, c, currs[c]);
    }

    /**
     * A delayed task is woken on the queue it never left (ttwu_runnable(), requeue_delayed_entity() with DELAY_ZERO):
     * re-placed at lag 0 if its lag has turned positive, then it preempts or waits as any woken task. The kernel
     * takes this path without update_curr() (enqueue_task_fair() returns for ENQUEUE_DELAYED before it), so the lag
     * and the placement see the running task's virtual runtime as last recorded, not its time since; the wake-up
     * check that follows updates it. So a task delayed behind one that has run for a while since is not re-placed
     * and then finds the running task ineligible: it preempts (the trace's writer, woken by its timer while delayed
     * behind a faulter, did so at once in 353 of 358 such wake-ups in d4-u1; bench/eevdf-wakeups.py, docs/replay.md).
     */
    private boolean evRequeueDelayed(Task t) {
        int c = t.rqCpu;
        t.schedDelayed = false;
        t.wokenUp = false;
        if (evAvg(c, true) - t.vruntime > 0) {
            rqs[c].remove(t);
            t.vlag = 0;
            evPlace(t, c, false, true);
        }
        return evTakeOrWait(t, c); // (an idle CPU's queue holds no delayed task: it is busy)
    }

    /** check_preempt_wakeup_fair() for {@code t}, just queued on busy CPU {@code c}: true when it took the CPU. */
    private boolean evWakePreempt(Task t, int c, Task cur) {
        if (wakeupPreemption && evPick0(c, true) == t) {
            if (cur.inDelay && cur.preemptibleDelay && cur.chunkEnd > now) {
                evPreempt(cur, c);
                evRun(t, c, false);
                return true;
            }
            needResched[c] = true; // kernel work: at its return to user mode
        } else if (cur.inDelay && cur.preemptibleDelay && cur.chunkEnd > evSliceEnd(cur)) {
            // the running task computes past its slice's end: cut its delay there, where the pick is made again
            cur.delayLeft += cur.chunkEnd - now;
            cur.gen++;
            push(now, indexOf(cur), cur.gen);
        }
        return false;
    }

    /** The running task {@code cur} goes back to CPU {@code c}'s queue with the rest of its delay. */
    private void evPreempt(Task cur, int c) {
        countPreemption(cur);
        cur.gen++; // its chunk-end event is void
        if (cur.inDelay) cur.delayLeft += Math.max(0, cur.chunkEnd - now);
        evOffCpu(cur, c);
        cur.hotUntil = now + migrationCostNs;
        cur.onCpu = false;
        cur.waitingCpu = true;
        cur.cpuWaitSince = now;
        rqs[c].add(cur);
        cur.rqCpu = c;
    }

    /** The running task gives its CPU up (blocks, sleeps or ends), keeping its lag; the CPU picks its next task. */
    private void evRelease(Task t) {
        int c = t.cpu;
        long avg = evAvg(c);
        evOffCpu(t, c);
        if (delayDequeue && (t.simState == BLOCKED || t.simState == DELAYED) && !rqs[c].isEmpty() && t.vruntime > avg) {
            // DELAY_DEQUEUE: not eligible, it stays queued (sched_delayed) and keeps counting in the average
            t.schedDelayed = true;
            rqs[c].add(t);
            t.rqCpu = c;
        } else {
            t.vlag = evClampLag(avg - t.vruntime);
        }
        vBase[c] = avg;
        evNext(c);
    }

    /** The running task {@code t} leaves CPU {@code c}, charged for its time there. */
    private void evOffCpu(Task t, int c) {
        t.vruntime = evV(t);
        t.hasCpu = false;
        holders.remove(t);
        currs[c] = null;
        busy--;
        cpuBusy[c] = false;
        t.cpu = -1;
        t.lastCpu = c;
        t.offCpuAt = now;
    }

    /** CPU {@code c} is free: its own queue's pick, else a task no longer cache-hot from another CPU's, else idle. */
    private void evNext(int c) {
        Task p = evPick(c, false);
        if (p != null) {
            cpuBusy[c] = true;
            evRun(p, c, true);
            return;
        }
        for (int o = 0; o < cpus; o++) {
            if (o == c) continue;
            for (Task q : rqs[o]) {
                if (!q.schedDelayed && q.hotUntil <= now) {
                    evMigrate(q, c);
                    return;
                }
            }
        }
        for (int o = 0; o < cpus; o++) for (Task q : rqs[o]) if (!q.schedDelayed && q.hotUntil > now) push(q.hotUntil, indexOf(q), BALANCE);
    }

    private void evMigrate(Task q, int c) {
        evUnqueue(q);
        evPlace(q, c, false);
        cpuBusy[c] = true;
        evRun(q, c, true);
    }

    /** A queued task's cache-hot time is over: an idle CPU pulls it. */
    private void evBalance(Task t, long time) {
        if (!t.waitingCpu || t.hasCpu || t.hotUntil != time || t.rqCpu < 0) return;
        for (int c = 0; c < cpus; c++) {
            if (currs[c] == null) {
                evMigrate(t, c);
                return;
            }
        }
    }

    /**
     * When the running task's used slice is noticed with nothing else happening on its CPU: at the first scheduler
     * tick ({@link #tickNs}) at or after it reaches its deadline — update_curr() runs at the tick (and at a wake-up
     * onto that CPU, which {@link #evGrab} handles).
     */
    private long evSliceEnd(Task t) {
        long at = now + Math.max(1, t.vdeadline - evV(t));
        if (tickNs <= 0) return at;
        return Math.max(now + 1, Math.floorDiv(at + tickNs - 1, tickNs) * tickNs);
    }

    /** The next part of an on-CPU delay: to the end of the slice when others are queued on this CPU. */
    private void evSliceDelay(Task t) {
        int c = t.cpu;
        if (t.preemptibleDelay && !rqs[c].isEmpty()) {
            boolean resched = needResched[c];
            if (evUpdateDeadline(t)) resched = true;
            if (resched) {
                needResched[c] = false;
                Task p = evPick(c, false);
                if (p != null && p != t) {
                    evPreempt(t, c);
                    cpuBusy[c] = true;
                    evRun(p, c, true);
                    return;
                }
            }
            long chunk = Math.min(t.delayLeft, evSliceEnd(t) - now);
            t.delayLeft -= chunk;
            t.onCpu = true;
            t.chunkEnd = now + chunk;
            push(now + chunk, indexOf(t), t.gen);
            return;
        }
        long chunk = t.delayLeft;
        t.delayLeft = 0;
        t.onCpu = true;
        t.chunkEnd = now + chunk;
        push(now + chunk, indexOf(t), t.gen);
    }

    // ---- binary heap on (time, seq) ---------------------------------------------------------
    private void push(long time, int task, int gen) {
        if (hSize == hTime.length) {
            int n = hSize * 2;
            hTime = Arrays.copyOf(hTime, n);
            hSeq = Arrays.copyOf(hSeq, n);
            hTask = Arrays.copyOf(hTask, n);
            hGen = Arrays.copyOf(hGen, n);
        }
        long seq = seqNo++;
        int i = hSize++;
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (hTime[p] < time || (hTime[p] == time && hSeq[p] < seq)) break;
            hTime[i] = hTime[p];
            hSeq[i] = hSeq[p];
            hTask[i] = hTask[p];
            hGen[i] = hGen[p];
            i = p;
        }
        hTime[i] = time;
        hSeq[i] = seq;
        hTask[i] = task;
        hGen[i] = gen;
    }

    private void pop() {
        int n = --hSize;
        if (n == 0) return;
        long time = hTime[n], seq = hSeq[n];
        int task = hTask[n], gen = hGen[n];
        int i = 0;
        for (;;) {
            int c = 2 * i + 1;
            if (c >= n) break;
            int r = c + 1;
            if (r < n && (hTime[r] < hTime[c] || (hTime[r] == hTime[c] && hSeq[r] < hSeq[c]))) c = r;
            if (time < hTime[c] || (time == hTime[c] && seq < hSeq[c])) break;
            hTime[i] = hTime[c];
            hSeq[i] = hSeq[c];
            hTask[i] = hTask[c];
            hGen[i] = hGen[c];
            i = c;
        }
        hTime[i] = time;
        hSeq[i] = seq;
        hTask[i] = task;
        hGen[i] = gen;
    }
}
