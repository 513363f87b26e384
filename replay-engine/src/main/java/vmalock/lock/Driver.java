package vmalock.lock;

/**
 * What an algorithm needs from whoever runs it: the time, and a way to make a sleeping task run again.
 * Waiting itself is expressed by returning {@link Op#BLOCK} from a step after registering on a wait
 * list; conditions are always re-checked after a wake-up, so spurious wake-ups are harmless and a
 * wake-up that arrives before the task actually sleeps is never lost ({@link Task#woken}).
 *
 * <p>Implementations: {@link SimScheduler} (deterministic virtual time, ns), {@link Explorer}
 * (exhaustive interleavings, no time), {@link ThreadDriver} (real threads, park/unpark).
 */
public interface Driver {
    /** Nanoseconds: virtual time for the simulator, {@link System#nanoTime()}-based for threads. */
    long now();

    /** Makes {@code t} run again if it is blocked; remembered if it is not blocked yet. Thread-safe. */
    void wake(Task t);

    /** Where findings (invariant violations, modelled defects) go; never null. */
    Findings findings();

    /** The invariant checker, or {@code null} when checking is off. */
    InvariantChecker checker();
}
