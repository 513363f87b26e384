package vmalock.replay;

import java.util.ArrayDeque;
import vmalock.lock.Op;
import vmalock.lock.Task;

/**
 * {@code --cpus N}: a task needs one of N CPUs to run an operation and keeps it until the operation
 * ends, lock waits included (the model does not deschedule sleeping waiters); think time is spent off
 * CPU. FIFO hand-off, so the run stays deterministic. Not a kernel lock: the replay's own resource.
 */
final class CpuPool {
    private final int cpus;
    private int busy;
    private final ArrayDeque<Task> waiting = new ArrayDeque<>();
    /** Total ns tasks waited for a CPU. */
    long waitNs;

    CpuPool(int cpus) {
        this.cpus = cpus;
    }

    void release(Task t) {
        Task next = waiting.pollFirst();
        if (next != null) {
            next.userIndex = 1; // handed over: next owns the CPU
            t.driver().wake(next);
        } else {
            busy--;
        }
    }

    /** The op that takes a CPU (preallocate one per task). */
    final class Acquire extends Op {
        private long since;

        Acquire init() {
            pc = 0;
            return this;
        }

        @Override
        public String name() {
            return "cpu";
        }

        @Override
        public int step(Task t) {
            if (pc == 0) {
                if (busy < cpus) {
                    busy++;
                    return DONE;
                }
                since = t.now();
                t.userIndex = 0;
                waiting.addLast(t);
                pc = 1;
                return BLOCK;
            }
            if (t.userIndex != 1) return BLOCK; // spurious wake-up: keep waiting
            t.userIndex = -1;
            waitNs += t.now() - since;
            return DONE;
        }
    }
}
