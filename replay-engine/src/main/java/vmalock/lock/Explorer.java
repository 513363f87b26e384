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
 *
 * <p><b>Exhaustive mode</b> ({@link #exploreAll}): no preemption bound, and a visited-state cache
 * (stateful search): after every step the state reachable from the tasks (op stacks with their
 * program counters and locals, the locks, VMAs, mm, counters, the checker's shadow state; see
 * {@link StateHasher}) is fingerprinted, and an execution stops when it reaches a state some earlier
 * execution already reached — every continuation from that state is explored (or being explored)
 * from there. Pruning at a visited state is sound for everything checked per state (the invariants
 * after every step, deadlocks, {@link Scenario#atEnd} when it reads only reachable state), so when the
 * search finishes with no execution cut at the step limit, every interleaving has been covered. Steps
 * take no time here (as in {@link SimScheduler}: lock code is instantaneous, holds and spins take
 * time), so virtual time is part of the state but only changes at delays and timer jumps.
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

        /**
         * Extra objects whose state counts in exhaustive mode besides what the tasks reach (the scenario
         * object itself is never hashed: keep what {@link #atEnd} reads reachable from here or the tasks).
         */
        default List<Object> stateRoots() {
            return List.of();
        }
    }

    /** Outcome of an exploration. */
    public record Result(long executions, boolean exhaustive, long maxSteps, long deadlocks, long findings,
                         List<Finding> firstFindings, String firstFailingSchedule, long states, long pruned,
                         long truncated, long steps) {
        /** Every interleaving was covered: the choice tree was exhausted and no execution hit the step limit. */
        public boolean complete() {
            return exhaustive && truncated == 0;
        }

        @Override
        public String toString() {
            return (complete() ? "complete" : exhaustive ? "exhausted with truncated executions" : "incomplete")
                    + ": " + executions + " executions (" + pruned + " ended at a visited state, " + truncated
                    + " cut at the step limit), " + (states > 0 ? states + " distinct states, " : "") + steps
                    + " steps, longest " + maxSteps + ", " + deadlocks + " deadlocks, " + findings + " findings";
        }
    }

    private static final int RUNNABLE = 0, BLOCKED = 1, TIMED = 2, FINISHED = 3;

    private final Findings findings = new Findings(100);
    private final InvariantChecker checker;
    private final List<Task> tasks = new ArrayList<>();
    private long now;
    /** Virtual time per step: 1 (bounded mode) or 0 (exhaustive mode). */
    private final long stepNs;
    /** Exhaustive mode: the visited-state cache shared by all executions, and the hasher. */
    private final StateHasher.Visited visited;
    private final StateHasher hasher;
    private List<Object> roots;
    private boolean prunedHere;

    private Explorer(boolean check, StateHasher.Visited visited) {
        this.checker = check ? new InvariantChecker(findings, false) : null;
        this.visited = visited;
        this.hasher = visited == null ? null : new StateHasher();
        this.stepNs = visited == null ? 1 : 0;
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
        return search(factory, maxExecutions, maxSteps, preemptionBound, check, null);
    }

    /**
     * Exhaustive mode: every interleaving, no preemption bound, with the visited-state cache (see the
     * class comment). Stops early only at {@code maxExecutions}; {@link Result#complete()} says whether
     * the search covered everything.
     */
    public static Result exploreAll(Supplier<Scenario> factory, long maxExecutions, int maxSteps, boolean check) {
        return search(factory, maxExecutions, maxSteps, Integer.MAX_VALUE, check, new StateHasher.Visited());
    }

    private static Result search(Supplier<Scenario> factory, long maxExecutions, int maxSteps, int preemptionBound,
                                 boolean check, StateHasher.Visited visited) {
        int[] prefix = new int[0];
        long executions = 0, deadlocks = 0, total = 0, longest = 0, pruned = 0, truncated = 0, steps = 0;
        List<Finding> first = new ArrayList<>();
        String failing = null;
        boolean exhaustive = false;
        while (executions < maxExecutions) {
            Explorer x = new Explorer(check, visited);
            Scenario sc = factory.get();
            sc.setup(x);
            if (visited != null) {
                x.roots = new ArrayList<>(x.tasks);
                x.roots.addAll(sc.stateRoots());
                if (executions == 0) visited.add(x.fingerprint());
            }
            int[] choices = new int[maxSteps];
            int[] widths = new int[maxSteps];
            int depth = x.execute(sc, prefix, choices, widths, maxSteps, preemptionBound);
            executions++;
            steps += depth;
            longest = Math.max(longest, depth);
            boolean dead = false;
            if (x.prunedHere) {
                pruned++;
            } else if (depth >= maxSteps) {
                truncated++;
            } else {
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
        return new Result(executions, exhaustive, longest, deadlocks, total, first, failing,
                visited == null ? 0 : visited.size(), pruned, truncated, steps);
    }

    private long[] fingerprint() {
        return hasher.hash(roots, now);
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
            // a new state (the last replayed choice is a new alternative): stop if an earlier execution got here
            if (visited != null && depth >= prefix.length && !visited.add(fingerprint())) {
                prunedHere = true;
                return depth;
            }
        }
        return depth;
    }

    private void stepOnce(Task t) {
        now += stepNs;
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
