package vmalock.store;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import vmalock.event.Event;
import vmalock.event.EventSink;

/**
 * Runs a sink (the store: encoding and queue writes) on a thread of its own, so parsing and storing
 * overlap on two cores. The parser's callbacks are copied, in order, into batches handed over through
 * a bounded queue of reused batches (memory stays bounded: {@value #DEPTH} batches of
 * {@value #BATCH} entries); the downstream sink sees exactly the single-threaded call sequence.
 *
 * <p>A failure of the downstream sink is rethrown to the parser at its next hand-over (and by
 * {@link #finish}); {@link #close} always stops the thread. Used by {@code ingest --threads 2} and by
 * the bench's two-thread figure; the default ingest stays on one thread.
 */
final class PipelinedSink implements EventSink, AutoCloseable {
    static final int BATCH = 2048;
    static final int DEPTH = 4;
    private static final byte EVENT = 0;
    private static final byte NON_EVENT = 1;
    private static final byte PROBLEM = 2;

    private static final class Batch {
        final byte[] type = new byte[BATCH];
        final Event[] events = new Event[BATCH];
        final long[] line = new long[BATCH];
        final NonEventKind[] kind = new NonEventKind[BATCH];
        final String[] reason = new String[BATCH];
        int n;
        boolean last;

        Batch() {
            for (int i = 0; i < BATCH; i++) {
                events[i] = new Event();
            }
        }
    }

    private final EventSink downstream;
    private final BlockingQueue<Batch> full = new ArrayBlockingQueue<>(DEPTH + 1);
    private final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(DEPTH + 1);
    private final Thread consumer;
    private volatile Throwable failure;
    private Batch current;
    private boolean finished;

    PipelinedSink(EventSink downstream, String name) {
        this.downstream = downstream;
        for (int i = 0; i < DEPTH; i++) {
            free.add(new Batch());
        }
        current = take(free);
        consumer = new Thread(this::consume, "vmalock-store-" + name);
        consumer.setDaemon(true);
        consumer.start();
    }

    @Override
    public void event(Event e) {
        Batch b = current;
        int i = b.n;
        b.type[i] = EVENT;
        b.events[i].copyFrom(e);
        next(b);
    }

    @Override
    public void nonEventLine(NonEventKind kind, long line) {
        Batch b = current;
        b.kind[slot(b, NON_EVENT, line)] = kind;
        next(b);
    }

    @Override
    public void problem(long line, String reason) {
        Batch b = current;
        b.reason[slot(b, PROBLEM, line)] = reason;
        next(b);
    }

    /** Fills the next entry's type and line; returns its index. */
    private static int slot(Batch b, byte type, long line) {
        int i = b.n;
        b.type[i] = type;
        b.line[i] = line;
        return i;
    }

    private void next(Batch b) {
        if (++b.n == BATCH) {
            handOver(b);
        }
    }

    private void handOver(Batch b) {
        rethrow();
        put(full, b);
        current = b.last ? null : take(free);
    }

    /** Hands over what is left and waits until the downstream sink has seen every call; rethrows its failure. */
    void finish() {
        if (finished) {
            return;
        }
        finished = true;
        Batch b = current;
        b.last = true;
        put(full, b);
        current = null;
        join();
        rethrow();
    }

    @Override
    public void close() {
        if (!finished) {
            finished = true;
            consumer.interrupt();
            join();
        }
    }

    private void consume() {
        try {
            while (true) {
                Batch b = full.take();
                if (failure == null) {
                    try {
                        deliver(b);
                    } catch (Throwable t) {
                        failure = t; // keep draining, so the parser never blocks on a dead consumer
                    }
                }
                boolean last = b.last;
                b.n = 0;
                b.last = false;
                java.util.Arrays.fill(b.reason, null);
                free.put(b);
                if (last) {
                    return;
                }
            }
        } catch (InterruptedException stop) {
            // close() without finish(): the ingest was abandoned
        }
    }

    private void deliver(Batch b) {
        EventSink d = downstream;
        for (int i = 0; i < b.n; i++) {
            switch (b.type[i]) {
                case EVENT:
                    d.event(b.events[i]);
                    break;
                case NON_EVENT:
                    d.nonEventLine(b.kind[i], b.line[i]);
                    break;
                default:
                    d.problem(b.line[i], b.reason[i]);
                    break;
            }
        }
    }

    private void rethrow() {
        Throwable t = failure;
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        if (t != null) {
            throw new StoreException("store thread failed: " + t, t);
        }
    }

    private void join() {
        boolean interrupted = false;
        while (true) {
            try {
                consumer.join();
                break;
            } catch (InterruptedException x) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static Batch take(BlockingQueue<Batch> q) {
        try {
            return q.take();
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
            throw new StoreException("ingest interrupted", x);
        }
    }

    private static void put(BlockingQueue<Batch> q, Batch b) {
        try {
            q.put(b);
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
            throw new StoreException("ingest interrupted", x);
        }
    }
}
