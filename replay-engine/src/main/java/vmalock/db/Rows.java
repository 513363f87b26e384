package vmalock.db;

import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * A DuckDB Appender on one table with the few helpers the loaders need (nullable values). The
 * Appender is the only bulk path: prepared-statement batches are ~400× slower
 * ({@code ../shared/docs/dependencies.md}).
 *
 * <p>With a {@link RowWriter} the values are recorded in batches of {@value #BATCH_ROWS} rows and the
 * Appender calls run on the writer's thread (the caller's thread only fills arrays); without one they
 * run at once. Either way a value's errors surface as {@link DbException} naming the table, by
 * {@link #close()} at the latest.
 */
final class Rows implements RowSink, AutoCloseable {
    /** Wall time the producing threads waited for a free batch (the writer was behind), for {@link LoadTiming}. */
    static final java.util.concurrent.atomic.AtomicLong BLOCKED_NS = new java.util.concurrent.atomic.AtomicLong();

    /** Rows per batch handed to the writer thread (the Appender's own chunk size). */
    static final int BATCH_ROWS = 2048;

    private static final byte NULL = 0;
    private static final byte LONG = 1;
    private static final byte INT = 2;
    private static final byte BOOL = 3;
    private static final byte STR = 4;
    private static final byte MAP = 5;
    private static final byte LIST = 6;
    private static final byte END = 7;

    /** One batch of recorded values: a tag per value, numbers in {@code longs}, objects in {@code objs}. */
    private static final class Batch {
        byte[] tags = new byte[BATCH_ROWS * 8];
        long[] longs = new long[BATCH_ROWS * 8];
        Object[] objs = new Object[BATCH_ROWS * 8];
        int n;
        int rows;

        void grow() {
            int c = tags.length * 2;
            tags = java.util.Arrays.copyOf(tags, c);
            longs = java.util.Arrays.copyOf(longs, c);
            objs = java.util.Arrays.copyOf(objs, c);
        }
    }

    /** Created, used and closed on one thread (the Appender checks): the writer's, or the caller's. */
    private DuckDBAppender appender;
    private final String table;
    private final RowWriter writer;
    private final BlockingQueue<Batch> free;
    private Batch cur;
    private long count;
    private boolean closed;

    /** Appends at once, on the caller's thread. */
    Rows(WorkspaceDb db, String table) {
        this(db, table, null);
    }

    /** Appends on {@code writer}'s thread when it is not null. */
    Rows(WorkspaceDb db, String table, RowWriter writer) {
        this.table = table;
        this.writer = writer;
        if (writer == null) {
            this.appender = create(db, table);
        } else {
            writer.submit(() -> appender = create(db, table));
        }
        if (writer != null) {
            // three batches: one filling, one queued, one being appended
            free = new ArrayBlockingQueue<>(3);
            free.add(new Batch());
            free.add(new Batch());
            cur = new Batch();
        } else {
            free = null;
        }
    }

    private static DuckDBAppender create(WorkspaceDb db, String table) {
        try {
            // catalog-qualified: never a QueryRunner's temporary view of the same name
            return db.connection().unwrap(DuckDBConnection.class)
                    .createAppender(db.catalog(), DuckDBConnection.DEFAULT_SCHEMA, table);
        } catch (SQLException e) {
            throw new DbException("cannot append to table " + table + ": " + DbException.firstLine(e));
        }
    }

    private void put(byte tag, long v, Object o) {
        Batch b = cur;
        if (b.n == b.tags.length) {
            b.grow();
        }
        b.tags[b.n] = tag;
        b.longs[b.n] = v;
        b.objs[b.n] = o;
        b.n++;
    }

    @Override
    public Rows begin() throws SQLException {
        if (writer == null) {
            appender.beginRow();
        }
        return this;
    }

    @Override
    public void end() throws SQLException {
        count++;
        if (writer == null) {
            appender.endRow();
            return;
        }
        put(END, 0, null);
        if (++cur.rows == BATCH_ROWS) {
            submit();
            try {
                long t0 = System.nanoTime();
                cur = free.take();
                BLOCKED_NS.addAndGet(System.nanoTime() - t0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DbException("interrupted while loading table " + table, e);
            }
        }
    }

    /** Hands the current batch to the writer; it comes back to {@code free} once appended (or skipped). */
    private void submit() {
        Batch b = cur;
        cur = null;
        writer.submit(new RowWriter.Task() {
            @Override
            public void run() throws SQLException {
                try {
                    replay(b);
                } catch (SQLException e) {
                    throw new DbException("cannot append to table " + table + ": " + DbException.firstLine(e), e);
                } finally {
                    recycle(b);
                }
            }

            @Override
            public void skip() {
                recycle(b);
            }
        });
    }

    private void recycle(Batch b) {
        java.util.Arrays.fill(b.objs, 0, b.n, null);
        b.n = 0;
        b.rows = 0;
        free.offer(b);
    }

    @SuppressWarnings("unchecked")
    private void replay(Batch b) throws SQLException {
        DuckDBAppender a = appender;
        byte[] tags = b.tags;
        long[] longs = b.longs;
        Object[] objs = b.objs;
        boolean inRow = false;
        for (int i = 0; i < b.n; i++) {
            if (!inRow) {
                a.beginRow();
                inRow = true;
            }
            switch (tags[i]) {
                case NULL -> a.appendNull();
                case LONG -> a.append(longs[i]);
                case INT -> a.append((int) longs[i]);
                case BOOL -> a.append(longs[i] != 0);
                case STR -> a.append((String) objs[i]);
                case MAP -> a.append((Map<String, Long>) objs[i]);
                case LIST -> a.append((java.util.Collection<String>) objs[i]);
                default -> {
                    a.endRow();
                    inRow = false;
                }
            }
        }
    }

    @Override
    public Rows str(String s) throws SQLException {
        if (writer != null) {
            put(s == null ? NULL : STR, 0, s);
        } else if (s == null) {
            appender.appendNull();
        } else {
            appender.append(s);
        }
        return this;
    }

    @Override
    public Rows i64(long v) throws SQLException {
        if (writer != null) {
            put(LONG, v, null);
        } else {
            appender.append(v);
        }
        return this;
    }

    @Override
    public Rows i32(int v) throws SQLException {
        if (writer != null) {
            put(INT, v, null);
        } else {
            appender.append(v);
        }
        return this;
    }

    @Override
    public Rows bool(boolean v) throws SQLException {
        if (writer != null) {
            put(BOOL, v ? 1 : 0, null);
        } else {
            appender.append(v);
        }
        return this;
    }

    @Override
    public Rows map(Map<String, Long> m) throws SQLException {
        if (writer != null) {
            put(m == null ? NULL : MAP, 0, m);
        } else if (m == null) {
            appender.appendNull();
        } else {
            appender.append(m);
        }
        return this;
    }

    @Override
    public Rows list(java.util.Collection<String> l) throws SQLException {
        if (writer != null) {
            put(LIST, 0, l);
        } else {
            appender.append(l);
        }
        return this;
    }

    @Override
    public Rows nul() throws SQLException {
        if (writer != null) {
            put(NULL, 0, null);
        } else {
            appender.appendNull();
        }
        return this;
    }

    long count() {
        return count;
    }

    String table() {
        return table;
    }

    /** Appends what is left and closes the Appender (waiting for the writer thread); idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (writer == null) {
            closeAppender();
            return;
        }
        if (cur != null && cur.n > 0) {
            submit();
        }
        writer.submit(this::closeAppender);
        writer.sync();
    }

    /** Closes the Appender on this thread, ignoring errors: after a failed load, once the writer thread has stopped. */
    void abandon() {
        closed = true;
        try {
            if (appender != null) {
                appender.unsafeBreakThreadConfinement();
                appender.close();
            }
        } catch (SQLException | RuntimeException ignored) {
            // the rollback discards whatever it appended
        }
    }

    private void closeAppender() {
        try {
            appender.close();
        } catch (SQLException e) {
            throw new DbException("cannot finish appending to table " + table + ": " + DbException.firstLine(e));
        }
    }
}
