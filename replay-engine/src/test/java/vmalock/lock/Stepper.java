package vmalock.lock;

/** Test driver: runs one task's op step by step under the test's control (no scheduling). */
final class Stepper implements Driver {
    long now;
    int wakes;
    final Findings findings = new Findings();
    final InvariantChecker checker = new InvariantChecker(findings, false);

    Task task(int tid) {
        Task t = new Task(tid, "t" + tid);
        t.driver = this;
        return t;
    }

    /** Pushes {@code op} and runs it until DONE (true) or BLOCK (false). */
    boolean start(Task t, Op op) {
        t.call(op);
        return resume(t, Integer.MAX_VALUE);
    }

    /** Runs at most {@code maxSteps} steps; true when the task's stack is empty. */
    boolean resume(Task t, int maxSteps) {
        for (int i = 0; i < maxSteps; i++) {
            Op top = t.top();
            if (top == null) return true;
            int r = top.step(t);
            switch (r) {
                case Op.RUN:
                    continue;
                case Op.DONE:
                    t.pop();
                    if (t.depth() == 0) return true;
                    continue;
                case Op.DELAY:
                    now += t.delay;
                    continue;
                case Op.BLOCK:
                    if (t.woken) {
                        t.woken = false;
                        continue;
                    }
                    return false;
                default:
                    throw new IllegalStateException();
            }
        }
        return t.depth() == 0;
    }

    @Override
    public long now() {
        return now;
    }

    @Override
    public void wake(Task t) {
        wakes++;
        t.woken = true;
    }

    @Override
    public Findings findings() {
        return findings;
    }

    @Override
    public InvariantChecker checker() {
        return checker;
    }
}
