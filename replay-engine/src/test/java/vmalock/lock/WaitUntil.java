package vmalock.lock;

import java.util.function.BooleanSupplier;

/** Test op: polls a condition (every 2 µs of driver time) so scenarios order themselves on any driver. */
final class WaitUntil extends Op {
    private BooleanSupplier cond;

    WaitUntil init(BooleanSupplier cond) {
        this.cond = cond;
        return this;
    }

    @Override
    public String name() {
        return "wait_until";
    }

    @Override
    public int step(Task t) {
        if (cond.getAsBoolean()) return DONE;
        t.deadline = t.driver.now() + 2_000;
        return BLOCK;
    }
}
