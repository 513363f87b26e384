package vmalock.lock;

/**
 * One resumable step machine: the single place where each locking algorithm is written. An op never
 * blocks the Java thread that runs it; it returns a code saying what the driver must do next, and the
 * driver calls {@link #step} again when that has happened. The deterministic scheduler turns a
 * {@link #BLOCK} into a continuation in its event queue; the thread driver parks the thread. Each call
 * of {@code step} does at most one access to shared lock state that another task could race with (or
 * a section the kernel makes atomic with a spinlock), so the interleaving explorer can interleave
 * tasks between any two steps.
 *
 * <p>Ops are preallocated per task (see {@link Task#ops()}) and reset with an {@code init(...)}
 * method: running an operation allocates nothing.
 */
public abstract class Op {
    /** Call {@code step} again (on the top of the task's op stack, which may be a child just pushed). */
    public static final int RUN = 0;
    /** Sleep until {@link Driver#wake} (or until {@link Task#deadline}, if set), then call {@code step} again. */
    public static final int BLOCK = 1;
    /** Stay on CPU for {@link Task#delay} ns of virtual time (a hold / service / think time), then step again. */
    public static final int DELAY = 2;
    /** Finished; the result is in {@link Task#ret} / {@link Task#retObj}. The driver pops the op. */
    public static final int DONE = 3;

    /** Program counter of the state machine. */
    protected int pc;

    public abstract int step(Task t);

    /**
     * Finishes an operation that returns to user space (or to a caller that must hold nothing): the
     * checker's invariant 7/11 hook, then the result registers. Returns {@link #DONE}.
     */
    protected static int returnToUser(Task t, String what, long ret, int reason) {
        InvariantChecker ck = t.driver.checker();
        if (ck != null) ck.returnToUser(t, what);
        t.ret = ret;
        t.reason = reason;
        t.retObj = null;
        return DONE;
    }

    /** Short kernel-style name for diagnostics. */
    public abstract String name();
}
