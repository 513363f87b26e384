package vmalock.lock;

/** Stay on CPU for a fixed time: a think time, a service time, a hold time. */
public final class Hold extends Op {
    private long ns;

    public Hold init(long ns) {
        this.ns = ns;
        pc = 0;
        return this;
    }

    @Override
    public String name() {
        return "hold";
    }

    @Override
    public int step(Task t) {
        if (pc == 0 && ns > 0) {
            pc = 1;
            t.delay = ns;
            return DELAY;
        }
        return DONE;
    }
}
