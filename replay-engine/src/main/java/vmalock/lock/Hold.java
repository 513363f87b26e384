package vmalock.lock;

/** Stay on CPU for a fixed time: a think time, a service time, a hold time. */
public final class Hold extends Op {
    private long ns;
    private boolean offCpu;

    public Hold init(long ns) {
        this.ns = ns;
        this.offCpu = false;
        pc = 0;
        return this;
    }

    /** A sleep: the time passes off CPU (a scheduler with a CPU model lets others run meanwhile). */
    public Hold initSleep(long ns) {
        init(ns);
        this.offCpu = true;
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
            t.offCpuDelay = offCpu;
            return DELAY;
        }
        return DONE;
    }
}
