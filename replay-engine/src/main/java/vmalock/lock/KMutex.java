package vmalock.lock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A kernel {@code struct mutex} as far as the trylock-only callers of spec §6 (f)/(g) use it: the
 * binder shrinker's {@code mutex_trylock(&alloc->mutex)}. Only the owner word is modelled (trylock is
 * one compare-and-swap of NULL → current, like {@code __mutex_trylock}); sleeping lockers are not
 * needed by any modelled path, so there is no wait list. {@link Mm#binderAllocMutex} is the one binder
 * proc's {@code alloc->mutex} for an mm.
 */
public final class KMutex {
    private static final VarHandle OWNER;

    static {
        try {
            OWNER = MethodHandles.lookup().findVarHandle(KMutex.class, "owner", Task.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile Task owner;

    /** mutex_trylock: true if {@code t} now owns the mutex. */
    public boolean trylock(Task t) {
        return OWNER.compareAndSet(this, null, t);
    }

    /** mutex_unlock; unlocking a mutex one does not own is reported (DEBUG_MUTEXES would warn). */
    public void unlock(Task t) {
        if (!OWNER.compareAndSet(this, t, null)) {
            t.driver.findings().report("mutex-unlock-not-owner", t, null, null,
                    "mutex_unlock by " + t + " while owned by " + owner);
        }
    }

    public Task owner() {
        return owner;
    }
}
