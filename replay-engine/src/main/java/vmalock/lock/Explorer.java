package vmalock.lock;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * A driver that explores every interleaving of a small scenario at step granularity (stateless
 * model checking by re-execution, depth-first over the scheduling choices). Each {@link Op#step} is
 * one atomic move; after every step the scenario's checks run (the {@link InvariantChecker}'s hooks
 * run inside the steps). An execution that ends with unfinished tasks and nothing runnable is a
 * deadlock or a lost wake-up and is reported as a finding.
 *
 * <p>Preemption bounding (Musuvathi &amp; Qadeer's CHESS): switching away from a task that could
 * still run costs one preemption; with a bound of K every interleaving with at most K preemptions is
 * explored exhaustively (switches at blocking points are free). Unbounded ({@code Integer.MAX_VALUE})
 * explores everything, which only tiny scenarios afford.
 *
 * <p>Time is a step counter; a {@link Op#DELAY} completes when its task is next chosen; a timed
 * {@link Op#BLOCK} (spinning) fires only when nothing else can run, and time jumps to its deadline.
 */
public final class Explorer implements Driver {
    /** A scenario: fresh state for every execution. */
    public interface Scenario {
        /** Creates mms/VMAs and spawns tasks with {@link Explorer#spawn}. */
        void setup(Explorer x);

        /** Runs after every step (e.g. {@code x.checker().checkVma(v)}). */
        default void afterStep(Explorer x) {
        }

        /** Runs when an execution ends with every task finished. */
        default void atEnd(Explorer x) {
        }
    }

    /** Outcome of an exploration. */
    public record Result(long executions, boolean exhaustive, long maxSteps, long deadlocks, long findings,
                         List<Finding> firstFindings, String firstFailingSchedule) {
    }

    private static final int RUNNABLE = 0, BLOCKED = 1, TIMED = 2, FINISHED = 3;

    private final Findings findings = new Findings(100);
    private final InvariantChecker checker;
    private final List<Task> tasks = new ArrayList<>();
    private long now;

    private Explorer(boolean check) {
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

    @Override
    public void wake(Task t) {
        if (t.simState == BLOCKED || t.simState == TIMED) t.simState = RUNNABLE;
        else t.woken = true;
    }

    public Task spawn(Task t, Program p) {
        t.driver = this;
        t.call(new ProgramRunner(p));
        t.simState = RUNNABLE;
        tasks.add(t);
        return t;
    }

    public List<Task> tasks() {
        return tasks;
    }

    /**
     * Explores up to {@code maxExecutions} interleavings (each at most {@code maxSteps} steps).
     *
     * @param check enable the invariant checker's hooks
     */
    public static Result explore(Supplier<Scenario> factory, long maxExecutions, int maxSteps, boolean check) {
        return explore(factory, maxExecutions, maxSteps, Integer.MAX_VALUE, check);
    }

    /** As {@link #explore(Supplier, long, int, boolean)} with at most {@code preemptionBound} preemptions. */
    public static Result explore(Supplier<Scenario> factory, long maxExecutions, int maxSteps, int preemptionBound,
                                 boolean check) {
        int[] prefix = new int[0];
        long executions = 0, deadlocks = 0, total = 0, longest = 0;
        List<Finding> first = new ArrayList<>();
        String failing = null;
        boolean exhaustive = false;
        while (executions < maxExecutions) {
            Explorer x = new Explorer(check);
            Scenario sc = factory.get();
            sc.setup(x);
            int[] choices = new int[maxSteps];
            int[] widths = new int[maxSteps];
            int depth = x.execute(sc, prefix, choices, widths, maxSteps, preemptionBound);
            executions++;
            longest = Math.max(longest, depth);
            boolean dead = false;
            if (depth < maxSteps) {
                for (Task t : x.tasks) {
                    if (t.simState != FINISHED) {
                        dead = true;
                        break;
                    }
                }
                if (dead) {
                    deadlocks++;
                    StringBuilder sb = new StringBuilder("no task can run: ");
                    for (Task t : x.tasks) if (t.simState != FINISHED) sb.append(SimScheduler.describe(t)).append("; ");
                    x.findings.report("deadlock-or-lost-wakeup", null, null, null, sb.toString());
                } else {
                    sc.atEnd(x);
                }
            }
            long n = x.findings.total();
            if (n > 0) {
                total += n;
                if (first.size() < 20) first.addAll(x.findings.list().subList(0, (int) Math.min(n, 20 - first.size())));
                if (failing == null) failing = Arrays.toString(Arrays.copyOf(choices, depth));
            }
            // next prefix: deepest point with an untried alternative
            int d = depth - 1;
            while (d >= 0 && choices[d] + 1 >= widths[d]) d--;
            if (d < 0) {
                exhaustive = true;
                break;
            }
            prefix = Arrays.copyOf(choices, d + 1);
            prefix[d]++;
        }
        return new Result(executions, exhaustive, longest, deadlocks, total, first, failing);
    }

    private int execute(Scenario sc, int[] prefix, int[] choices, int[] widths, int maxSteps, int bound) {
        int[] enabled = new int[tasks.size()];
        int depth = 0;
        int current = -1;
        int preemptions = 0;
        while (depth < maxSteps) {
            int n = 0;
            boolean currentEnabled = current >= 0 && tasks.get(current).simState == RUNNABLE;
            if (currentEnabled) enabled[n++] = current; // choice 0: keep running the current task
            for (int i = 0; i < tasks.size(); i++) if (i != current && tasks.get(i).simState == RUNNABLE) enabled[n++] = i;
            if (n == 0) { // fire the earliest timed block (a spinner's limit)
                Task best = null;
                for (Task t : tasks) if (t.simState == TIMED && (best == null || t.deadline < best.deadline)) best = t;
                if (best == null) return depth;
                now = Math.max(now, best.deadline);
                best.simState = RUNNABLE;
                continue;
            }
            int width = currentEnabled && preemptions >= bound ? 1 : n;
            int c = depth < prefix.length ? prefix[depth] : 0;
            if (c >= width) c = width - 1;
            choices[depth] = c;
            widths[depth] = width;
            depth++;
            if (currentEnabled && c != 0) preemptions++;
            current = enabled[c];
            stepOnce(tasks.get(current));
            sc.afterStep(this);
        }
        return depth;
    }

    private void stepOnce(Task t) {
        now++;
        if (t.gen == 1) { // resuming from a block
            t.gen = 0;
            t.deadline = Task.NO_DEADLINE;
            t.onCpu = true;
            t.spinning = false;
            t.woken = false;
        }
        Op op = t.top();
        if (op == null) {
            t.simState = FINISHED;
            return;
        }
        int r = op.step(t);
        switch (r) {
            case Op.RUN:
                return;
            case Op.DONE:
                t.pop();
                if (t.depth() == 0) t.simState = FINISHED;
                return;
            case Op.DELAY:
                now += Math.max(0, t.delay);
                return;
            case Op.BLOCK:
                if (t.woken) {
                    t.woken = false;
                    t.spinning = false;
                    t.deadline = Task.NO_DEADLINE;
                    return;
                }
                if (!t.spinning) {
                    t.onCpu = false;
                    Rwsem w = t.writeOwned;
                    if (w != null) w.ownerBlocked(t);
                }
                t.simState = t.deadline != Task.NO_DEADLINE ? TIMED : BLOCKED;
                t.gen = 1; // marks "resume from a block" for the next step
                return;
            default:
                throw new IllegalStateException(op.name() + " returned " + r);
        }
    }
}
