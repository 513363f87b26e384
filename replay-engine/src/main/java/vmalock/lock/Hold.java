package vmalock.lock;

/** Stay on CPU for a fixed time: a think time, a service time, a hold time. */
public final class Hold extends Op {
    private long ns;
    private boolean offCpu;
    private boolean user;

    public Hold init(long ns) {
        this.ns = ns;
        this.offCpu = false;
        this.user = false;
        pc = 0;
        return this;
    }

    /** Compute in user mode (a think time): preemptible under every kernel preemption model. */
    public Hold initUser(long ns) {
        init(ns);
        this.user = true;
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
            t.userDelay = user;
            return DELAY;
        }
        return DONE;
    }
}
