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
 * The CPU count is unbounded (every runnable task runs at once).
 */
public final class SimScheduler implements Driver {
    private static final int QUEUED = 0, RUNNING = 1, BLOCKED = 2, DELAYED = 3, FINISHED = 4, NEW = 5;
    /** gen value marking a kill event instead of a resume. */
    private static final int KILL = -1;

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
            push(now + (wakeLatency != null ? wakeLatency.applyAsLong(t) : wakeLatencyNs), indexOf(t), t.gen);
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
        while (hSize > 0 && hTime[0] <= limitNs) {
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
            if (gen != t.gen || t.simState == FINISHED) continue; // stale timer
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
            int r = op.step(t);
            steps++;
            if (afterStep != null) afterStep.run();
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
                    t.gen++;
                    if (!t.spinning) {
                        t.onCpu = false;
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

    private void finish(Task t) {
        t.simState = FINISHED;
        t.gen++;
        live--;
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
