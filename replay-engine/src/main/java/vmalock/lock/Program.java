package vmalock.lock;

/**
 * What a task does: a generator of operations. The driver asks for the next op each time the
 * previous one finished (its results are still in {@link Task#ret}/{@link Task#retObj}/{@link
 * Task#reason}), so a replay can stream a task's work from storage with bounded memory. Return an
 * op from {@link Task#ops()} (or one the program owns) already {@code init}ed; {@code null} ends
 * the task. Think time is {@link TaskOps#hold}.
 */
@FunctionalInterface
public interface Program {
    Op next(Task t);
}
