package vmalock.lock;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import vmalock.event.Event;
import vmalock.event.EventKind;

/** Runs the same scenario on the deterministic scheduler or on real threads. */
abstract class Harness {
    final Findings findings = new Findings();
    final List<Event> events = Collections.synchronizedList(new ArrayList<>());
    final LockEventListener listener = e -> events.add(e.copy());

    static Stream<Harness> both() {
        return Stream.of(new Sim(), new Threads());
    }

    /** Extra diagnostics for failures. */
    String diag = "";

    abstract Driver driver();

    abstract Task spawn(Task t, Program p);

    /** Runs every task to completion; fails (never hangs) if they do not finish. */
    abstract void runAll();

    Mm mm(VmaLockDesign d) {
        return new Mm(0x1000, d, listener, new VmEvents(), Mm.DEFAULT_MMAP_LOCK_OFFSET);
    }

    static Function<Task, Op> waitUntil(BooleanSupplier c) {
        return t -> new WaitUntil().init(c);
    }

    static Function<Task, Op> act(Consumer<Task> a) {
        return t -> t.ops().call.init(a);
    }

    /** A fixed op instance as a program element (e.g. a {@link Paused} the scenario controls). */
    static Function<Task, Op> op(Op o) {
        return t -> o;
    }

    /** Delivers a fatal signal to {@code victim} from the running task (killable waits give up). */
    static void kill(Task from, Task victim) {
        victim.fatalSignal = true;
        from.driver().wake(victim);
    }

    /** Values recorded by tasks while the scenario runs, asserted after {@link #runAll()}. */
    final java.util.Map<String, Object> seen = new java.util.concurrent.ConcurrentHashMap<>();

    /** Records a value (under a name) from inside a task. */
    Function<Task, Op> see(String name, java.util.function.Supplier<Object> value) {
        return act(t -> seen.put(name, value.get()));
    }

    /** Events of one task, as "name w0/w1 [ok]" strings (contention: "cb 2" / "ce 0"). */
    List<String> shapes(int tid) {
        List<String> r = new ArrayList<>();
        synchronized (events) {
            for (Event e : events) {
                if (e.tid != tid) continue;
                r.add(shape(e));
            }
        }
        return r;
    }

    static String shape(Event e) {
        switch (e.kind) {
            case MMAP_LOCK_START_LOCKING: return "start w" + (e.write ? 1 : 0);
            case MMAP_LOCK_ACQUIRE_RETURNED: return "acq w" + (e.write ? 1 : 0) + " " + (e.success ? 1 : 0);
            case MMAP_LOCK_RELEASED: return "rel w" + (e.write ? 1 : 0);
            case CONTENTION_BEGIN: return "cb " + e.flags;
            case CONTENTION_END: return "ce " + e.ret;
            case PAGE_FAULT_USER: return "pf_user";
            case PAGE_FAULT_KERNEL: return "pf_kernel";
            default: return e.kind.name();
        }
    }

    long count(EventKind k) {
        synchronized (events) {
            return events.stream().filter(e -> e.kind == k).count();
        }
    }

    static final class Sim extends Harness {
        final SimScheduler s = new SimScheduler(findings, true);

        @Override
        Driver driver() {
            return s;
        }

        @Override
        Task spawn(Task t, Program p) {
            return s.spawn(t, p, 0);
        }

        @Override
        void runAll() {
            s.runUntil(10_000_000_000L); // 10 s of virtual time: polling scenarios never end on their own
            assertTrue(s.stuck().isEmpty(), () -> "stuck: " + s.stuck().stream().map(SimScheduler::describe).toList()
                    + " rwsem queues: " + diag);
        }

        @Override
        public String toString() {
            return "sim";
        }
    }

    static final class Threads extends Harness {
        final ThreadDriver d = new ThreadDriver(findings, true);

        @Override
        Driver driver() {
            return d;
        }

        @Override
        Task spawn(Task t, Program p) {
            return d.spawn(t, p);
        }

        @Override
        void runAll() {
            d.start();
            try {
                if (!d.await(30, TimeUnit.SECONDS)) {
                    String stuck = d.describeStuck();
                    d.abort();
                    fail("watchdog: tasks did not finish (lost wake-up or deadlock):\n" + stuck);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(e);
            }
            assertNull(d.failure(), () -> "task thread threw " + d.failure());
        }

        @Override
        public String toString() {
            return "threads";
        }
    }
}
