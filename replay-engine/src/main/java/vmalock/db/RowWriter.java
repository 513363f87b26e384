package vmalock.db;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The one thread that makes a load's Appender calls. While a run loads, the reading thread decodes the
 * queue and pairs the events; the rows it produces are recorded in batches ({@link Rows} in writer mode)
 * and appended here, so DuckDB's append work runs beside the decoding on the second core instead of after
 * it. Tasks run in submission order; the database connection is used by this thread only between the
 * first submitted task and {@link #sync()} (the caller touches the connection only after a sync), so the
 * load stays one transaction on one connection.
 *
 * <p>A failed task is kept and reported by the next {@link #submit} or {@link #sync()}; later tasks are
 * skipped (but still run their {@code onSkip}), so the reading thread never waits forever.
 */
final class RowWriter implements AutoCloseable {
    /** A unit of work: runs on the writer thread, or is skipped after a failure. */
    interface Task {
        void run() throws Exception;

        /** Called instead of {@link #run} after an earlier task failed (give back buffers). */
        default void skip() {
        }
    }

    private static final Task STOP = () -> { };

    private final BlockingQueue<Task> tasks = new ArrayBlockingQueue<>(32);
    private final Thread thread;
    private volatile Exception failure;

    RowWriter() {
        thread = new Thread(this::loop, "vmalock-db-writer");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (true) {
            Task t;
            try {
                t = tasks.take();
            } catch (InterruptedException e) {
                return;
            }
            if (t == STOP) {
                return;
            }
            if (failure != null) {
                t.skip();
                continue;
            }
            try {
                t.run();
            } catch (Exception e) {
                failure = e;
                t.skip();
            }
        }
    }

    /** Queues a task (blocks while 32 are pending: the writer is the bottleneck, memory stays bounded). */
    void submit(Task t) {
        check();
        try {
            tasks.put(t);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DbException("interrupted while loading the database", e);
        }
    }

    /** Waits until every queued task has run; throws the first failure. */
    void sync() {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        submit(new Task() {
            @Override
            public void run() {
                done.countDown();
            }

            @Override
            public void skip() {
                done.countDown();
            }
        });
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DbException("interrupted while loading the database", e);
        }
        check();
    }

    private void check() {
        Exception f = failure;
        if (f instanceof DbException) {
            throw (DbException) f;
        }
        if (f != null) {
            throw new DbException(DbException.firstLine(f), f);
        }
    }

    /** Runs what is queued, then stops the thread (failures are not reported here: see {@link #sync()}). */
    @Override
    public void close() {
        try {
            tasks.put(STOP);
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
