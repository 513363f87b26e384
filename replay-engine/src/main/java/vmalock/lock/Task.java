package vmalock.lock;

import vmalock.event.Event;

/**
 * A simulated (or, with {@link ThreadDriver}, real) kernel task: its op stack, its return registers,
 * its sleep state, and the locks it holds. Everything an op needs per task is preallocated here.
 */
public final class Task {
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    public final int tid;
    public final int tgid;
    public final String comm;
    Driver driver;

    // ---- op stack -------------------------------------------------------------------------
    private Op[] stack = new Op[16];
    private int sp;

    // ---- return registers ----------------------------------------------------------------
    /** Integer result of the op that just finished (0 or a negative errno, a count, an outcome…). */
    public long ret;
    /** Object result (a {@link Vma} for lookups), or null. */
    public Object retObj;
    /** Why a lookup failed / what path was taken: one of the {@link Reason} constants. */
    public int reason;

    // ---- sleeping ---------------------------------------------------------------------------
    /** Set by {@link Driver#wake}; cleared by the driver before re-running a blocked step. */
    volatile boolean woken;
    /** Absolute time (ns) at which a {@link Op#BLOCK} times out, or {@link #NO_DEADLINE}. Reset by the driver. */
    public long deadline = NO_DEADLINE;
    /** Length (ns) of the next {@link Op#DELAY}. */
    public long delay;
    /** A fatal signal is pending: killable waits give up with -EINTR. */
    public volatile boolean fatalSignal;
    /** False while the task sleeps (optimistic spinners stop spinning on an owner that is off CPU). */
    volatile boolean onCpu = true;
    /** Set by an optimistic spinner before it returns {@link Op#BLOCK}: it stays on CPU. */
    boolean spinning;
    /** Virtual time (ns) of its last {@link Op#BLOCK} under the simulator. */
    long blockedAt;
    /** On-CPU time it owes for waking sleepers in its last step ({@link SimScheduler#wakerCost}), ns. */
    long wakerDebtNs;

    // ---- rwsem bookkeeping ----------------------------------------------------------------
    final Rwsem.Waiter waiter = new Rwsem.Waiter(this);
    /** Optimistic-spin queue (osq) link. */
    Task osqNext;
    boolean inOsq;
    /** An rwsem this task holds for write (spinners watch whether we are on CPU). */
    Rwsem writeOwned;
    private Task[] wakeQ = new Task[8];
    private int nWake;

    // ---- what this task holds (used by the checker and by the strategies) ---------------
    Mm heldMm;
    /** 0 none, 1 read, 2 write. */
    int heldMmapMode;
    Vma[] heldVmas = new Vma[4];
    int nHeldVmas;

    /** Checker: the VMAs this task write-locked in its current mmap write section. */
    java.util.ArrayList<Vma> chkWriteLocked;

    /** Lock operations (acquire attempts, releases, downgrades, VMA write locks, attach/detach) this task ran. */
    long lockOps;

    /** Flyweight event for tracepoint emission (listeners copy what they keep). */
    final Event ev = new Event();

    // ---- per-task op instances ------------------------------------------------------------
    private TaskOps ops;

    // ---- driver-private state --------------------------------------------------------------
    int simState;
    /** SimScheduler CPU model: holds one of the modelled CPUs; waits in the run queue for one. */
    boolean hasCpu, waitingCpu;
    /** SimScheduler CPU model: an on-CPU delay in progress and what is left of it (sliced). */
    boolean inDelay;
    long delayLeft;
    /** When the task last got a CPU (its time slice's start). */
    long sliceStart;
    long cpuWaitSince;
    /** Became runnable by a wake-up (from a lock wait or a sleep): may preempt a running task. */
    boolean wokenUp;
    /** When the current on-CPU delay chunk ends (its queued event). */
    long chunkEnd;
    /** Set by an op before {@link Op#DELAY}: the delay is spent off CPU (a sleep), not computing. */
    public boolean offCpuDelay;
    /** Set by an op before {@link Op#DELAY}: the delay is user-mode compute (else kernel work: a fault, a hold). */
    public boolean userDelay;
    /**
     * Set by the driver for the whole of an operation whose kernel work reaches {@code cond_resched()}: a VMA
     * syscall's page-table walk (zap_pte_range, change_pte_range). Without kernel preemption (preempt=none) its
     * delays are still preemptible there; a fault's are not (the anonymous fault path has no cond_resched).
     */
    public boolean condResched;
    /** The on-CPU delay it spends is kernel work (not user-mode compute): a preemption of it is an in-kernel one. */
    boolean kernelDelay;
    /** SimScheduler CPU model: the current on-CPU delay may be preempted (user mode, or a preemptible kernel). */
    boolean preemptibleDelay;
    /** SimScheduler CPU model: woken while every CPU ran non-preemptible kernel work; preempts at the next return to user. */
    boolean preemptPending;
    /** The CPU whose task owes {@link #preemptPending} to this one ({@link SimScheduler#wakeOnPrevCpu}); -1: any. */
    int pendingCpu = -1;
    /** SimScheduler CPU model: when a deferred wake-up preemption is due (0: none armed). */
    long preemptAt;
    /** The modelled CPU this task holds (-1: none) and the one it last ran on ({@link SimScheduler#migrationCostNs}). */
    int cpu = -1;
    int lastCpu = -1;
    /**
     * The CPU the trace first shows it on (-1: unknown): where its first run goes when that CPU is idle, or where it
     * queues when the scheduler keeps woken tasks on their previous CPU — as if it had last run there.
     */
    public int homeCpu = -1;
    /** Until then a task preempted off {@link #lastCpu} stays queued there (cache-hot: no other CPU pulls it). */
    long hotUntil;
    /** SimScheduler EEVDF model ({@link SimScheduler#eevdf}): virtual runtime, deadline, protected-slice end, lag (ns). */
    long vruntime, vdeadline, vprot, vlag;
    /** SimScheduler EEVDF: off CPU but still on its queue (DELAY_DEQUEUE's sched_delayed). */
    boolean schedDelayed;
    /** SimScheduler EEVDF model: when it last got its CPU (vruntime is charged from then); the CPU whose queue holds it (-1: none). */
    long execStart;
    int rqCpu = -1;
    /** SimScheduler CPU model: when this task last gave its CPU up (blocked, slept or was preempted). */
    long offCpuAt;
    int simIndex = -1;
    int gen;
    Thread thread;
    /** Free slot for the driver / replay (e.g. an index into its own tables). */
    public int userIndex = -1;
    /** Free slot for the caller (e.g. the replay's per-task program). */
    public Object userData;

    public Task(int tid, String comm) {
        this(tid, tid, comm);
    }

    public Task(int tid, int tgid, String comm) {
        this.tid = tid;
        this.tgid = tgid;
        this.comm = comm;
    }

    public Driver driver() {
        return driver;
    }

    public long now() {
        return driver.now();
    }

    /** The per-task op instances (created on first use). */
    public TaskOps ops() {
        TaskOps o = ops;
        if (o == null) ops = o = new TaskOps();
        return o;
    }

    /** Pushes a child op; the parent's step should return {@link Op#RUN} right after. */
    public int call(Op child) {
        if (sp == stack.length) stack = java.util.Arrays.copyOf(stack, sp * 2);
        stack[sp++] = child;
        return Op.RUN;
    }

    /** The op at stack position i (0 = the root). */
    public Op opAt(int i) {
        return stack[i];
    }

    Op top() {
        return sp == 0 ? null : stack[sp - 1];
    }

    void pop() {
        stack[--sp] = null;
    }

    /** Lock operations this task ran: acquire attempts (failed ones too), releases, downgrades, VMA write locks, attach/detach. */
    public long lockOps() {
        return lockOps;
    }

    public int depth() {
        return sp;
    }

    void resetStack() {
        while (sp > 0) stack[--sp] = null;
    }

    // ---- wake queue (kernel wake_q: wake after dropping the wait_lock) ---------------------
    void wakeQAdd(Task w) {
        if (nWake == wakeQ.length) wakeQ = java.util.Arrays.copyOf(wakeQ, nWake * 2);
        wakeQ[nWake++] = w;
    }

    void wakeUpQ() {
        for (int i = 0; i < nWake; i++) {
            driver.wake(wakeQ[i]);
            wakeQ[i] = null;
        }
        nWake = 0;
    }

    // ---- held-lock bookkeeping ----------------------------------------------------------------
    /** Mode in which this task holds {@code mm}'s mmap_lock: 0 none, 1 read, 2 write. */
    public int mmapMode(Mm mm) {
        return heldMm == mm ? heldMmapMode : 0;
    }

    public boolean holdsVmaRead(Vma v) {
        for (int i = 0; i < nHeldVmas; i++) if (heldVmas[i] == v) return true;
        return false;
    }

    public int heldVmaCount() {
        return nHeldVmas;
    }

    void addHeldVma(Vma v) {
        if (nHeldVmas == heldVmas.length) heldVmas = java.util.Arrays.copyOf(heldVmas, nHeldVmas * 2);
        heldVmas[nHeldVmas++] = v;
    }

    boolean removeHeldVma(Vma v) {
        for (int i = nHeldVmas - 1; i >= 0; i--) {
            if (heldVmas[i] == v) {
                heldVmas[i] = heldVmas[--nHeldVmas];
                heldVmas[nHeldVmas] = null;
                return true;
            }
        }
        return false;
    }

    void setMmapHeld(Mm mm, int mode) {
        if (mode == 0) {
            if (heldMm == mm) {
                heldMm = null;
                heldMmapMode = 0;
            }
        } else {
            heldMm = mm;
            heldMmapMode = mode;
        }
    }

    @Override
    public String toString() {
        return comm + "-" + tid;
    }
}
