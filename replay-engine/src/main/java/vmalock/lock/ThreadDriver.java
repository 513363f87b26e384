package vmalock.lock;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The live driver: each task runs on its own (daemon) Java thread; a {@link Op#BLOCK} parks the
 * thread until {@link #wake} unparks it (or its deadline passes); a {@link Op#DELAY} spins for short
 * times and parks for long ones. Lock state is the same atomics the simulator uses, now under real
 * concurrency. Time is {@link System#nanoTime()} since the driver was made.
 *
 * <p>{@link #await} is a watchdog: it returns false (and {@link #describeStuck()} says which tasks
 * sit in which ops) instead of hanging when a wake-up was lost or a task deadlocked.
 */
public final class ThreadDriver implements Driver {
    private static final long SPIN_LIMIT_NS = 20_000;
    private final long origin = System.nanoTime();
    private final Findings findings;
    private final InvariantChecker checker;
    private final List<Task> tasks = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean aborted;

    public ThreadDriver() {
        this(new Findings(), false);
    }

    public ThreadDriver(Findings findings, boolean check) {
        this.findings = findings;
        this.checker = check ? new InvariantChecker(findings, true) : null;
    }

    @Override
    public long now() {
        return System.nanoTime() - origin;
    }

    @Override
    public Findings findings() {
        return findings;
    }

    @Override
    public InvariantChecker checker() {
        return checker;
    }

    @Override
    public void wake(Task t) {
        t.woken = true;
        Thread th = t.thread;
        if (th != null) LockSupport.unpark(th);
    }

    /** Adds a task; it starts with {@link #start()}. */
    public Task spawn(Task t, Program program) {
        if (t.driver != null) throw new IllegalStateException(t + " already belongs to a driver");
        t.driver = this;
        t.call(new ProgramRunner(program));
        Thread th = new Thread(() -> runTask(t), "vmalock-" + t.comm + "-" + t.tid);
        th.setDaemon(true);
        t.thread = th;
        tasks.add(t);
        threads.add(th);
        return t;
    }

    public void start() {
        for (Thread th : threads) th.start();
    }

    /** Waits for every task; false on timeout (the watchdog fired) — call {@link #abort()} then. */
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (Thread th : threads) {
            long rem = deadline - System.nanoTime();
            if (rem <= 0) return !anyAlive();
            TimeUnit.NANOSECONDS.timedJoin(th, rem);
        }
        return !anyAlive();
    }

    private boolean anyAlive() {
        for (Thread th : threads) if (th.isAlive()) return true;
        return false;
    }

    /** Makes every parked task give up at its next wake-up check (after a watchdog timeout). */
    public void abort() {
        aborted = true;
        for (Task t : tasks) wake(t);
    }

    /** The first exception a task thread threw, or null. */
    public Throwable failure() {
        return failure.get();
    }

    /** The tasks still running and their op stacks. */
    public String describeStuck() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < tasks.size(); i++) {
            if (threads.get(i).isAlive()) sb.append(SimScheduler.describe(tasks.get(i))).append('\n');
        }
        return sb.toString();
    }

    public List<Task> tasks() {
        return tasks;
    }

    private void runTask(Task t) {
        try {
            for (;;) {
                Op op = t.top();
                if (op == null) return;
                int r = op.step(t);
                switch (r) {
                    case Op.RUN:
                        continue;
                    case Op.DONE:
                        t.pop();
                        continue;
                    case Op.DELAY:
                        delay(t.delay);
                        continue;
                    case Op.BLOCK:
                        if (!block(t)) return;
                        continue;
                    default:
                        throw new IllegalStateException(op.name() + " returned " + r);
                }
            }
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        }
    }

    private boolean block(Task t) {
        if (!t.spinning) {
            t.onCpu = false;
            Rwsem w = t.writeOwned;
            if (w != null) w.ownerBlocked(t);
        }
        long dl = t.deadline;
        boolean timedOut = false;
        while (!t.woken) {
            if (aborted) return false;
            if (dl != Task.NO_DEADLINE) {
                long rem = dl - now();
                if (rem <= 0) {
                    timedOut = true;
                    break;
                }
                LockSupport.parkNanos(this, rem);
            } else {
                LockSupport.park(this);
            }
        }
        // Consume the wake only when we saw it: after a timeout, a wake() racing in between the
        // deadline check and here must survive, or it is lost (the next BLOCK would sleep forever).
        // Leaving it set costs at most one spurious return, which every op tolerates (it re-checks).
        if (!timedOut) t.woken = false;
        t.deadline = Task.NO_DEADLINE;
        t.spinning = false;
        t.onCpu = true;
        return !aborted;
    }

    private void delay(long ns) {
        if (ns <= 0) return;
        long end = System.nanoTime() + ns;
        if (ns <= SPIN_LIMIT_NS) {
            while (System.nanoTime() < end) Thread.onSpinWait();
            return;
        }
        long rem;
        while ((rem = end - System.nanoTime()) > 0) LockSupport.parkNanos(rem);
    }

    /**
     * Binds {@code t} to the calling thread so {@link #runInline} can run ops on it (benchmarks, a live
     * caller that is itself the task).
     */
    public Task attachCurrentThread(Task t) {
        if (t.driver != null && t.driver != this) throw new IllegalStateException(t + " belongs to another driver");
        t.driver = this;
        t.thread = Thread.currentThread();
        return t;
    }

    /**
     * Runs {@code op} to completion on the calling thread (which must be {@code t}'s, see
     * {@link #attachCurrentThread}), parking on BLOCK exactly like a spawned task.
     */
    public void runInline(Task t, Op op) {
        int base = t.depth();
        t.call(op);
        while (t.depth() > base) {
            int r = t.top().step(t);
            if (r == Op.RUN) continue;
            if (r == Op.DONE) {
                t.pop();
            } else if (r == Op.DELAY) {
                delay(t.delay);
            } else if (!block(t)) {
                throw new IllegalStateException("aborted");
            }
        }
    }

    /** Delivers a fatal signal now. */
    public void kill(Task t) {
        t.fatalSignal = true;
        wake(t);
    }
}
