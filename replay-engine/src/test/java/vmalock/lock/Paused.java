package vmalock.lock;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test op: runs {@code inner} (and the children it pushes) one step per call, and stops after the
 * given numbers of inner steps until the test {@link #release}s it — so a scenario can hold a task
 * at an exact point of an algorithm (e.g. between vma_start_read's early and late seq checks) on
 * any driver. Other tasks order themselves on {@link #reached()}; the paused task polls like
 * {@link WaitUntil}, so nothing is timed.
 */
final class Paused extends Op {
    private final Op inner;
    private final int[] points;
    private final AtomicInteger reached = new AtomicInteger();
    private final AtomicInteger released = new AtomicInteger();
    private Op[] sub = new Op[8];
    private int sp;
    private int steps;
    private int next;

    /** @param points pause after this many inner steps (ascending) */
    Paused(Op inner, int... points) {
        this.inner = inner;
        this.points = points;
    }

    /** How many pause points the task has reached (it is waiting at the last one unless released). */
    int reached() {
        return reached.get();
    }

    /** Lets the task go on past its current (or next) pause point. */
    void release() {
        released.incrementAndGet();
    }

    @Override
    public String name() {
        return "paused(" + inner.name() + ")";
    }

    @Override
    public int step(Task t) {
        if (pc == 0) {
            sub[sp++] = inner;
            pc = 1;
        }
        if (next < points.length && steps == points[next]) {
            if (reached.get() < next + 1) reached.set(next + 1);
            if (released.get() < next + 1) {
                t.deadline = t.driver.now() + 2_000;
                return BLOCK;
            }
            next++;
        }
        Op cur = sub[sp - 1];
        int base = t.depth();
        int r = cur.step(t);
        steps++;
        if (t.depth() > base) { // the inner op pushed a child: run it here, one step per call
            Op child = t.top();
            t.pop();
            if (sp == sub.length) sub = java.util.Arrays.copyOf(sub, sp * 2);
            sub[sp++] = child;
        }
        if (r == DONE) {
            sub[--sp] = null;
            return sp == 0 ? DONE : RUN;
        }
        return r;
    }
}
