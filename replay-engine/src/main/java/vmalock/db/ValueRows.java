package vmalock.db;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@link RowSink} that keeps the rows as plain Java values, one {@code Object[]} per row in the table's column
 * order: {@code Long} (BIGINT), {@code Integer} (INTEGER), {@code Boolean}, {@code String}, {@code String[]}
 * (VARCHAR[]), {@code Map} (MAP), {@code null}. The fleet job's stand-in for a DuckDB Appender.
 */
public final class ValueRows implements RowSink {
    private final List<Object[]> rows = new ArrayList<>();
    private final int width;
    private Object[] cur;
    private int n;

    /** @param width the table's columns ({@link Schema#columns}) */
    public ValueRows(int width) {
        this.width = width;
    }

    /** The rows so far. */
    public List<Object[]> rows() {
        return rows;
    }

    private ValueRows put(Object v) {
        cur[n++] = v;
        return this;
    }

    @Override
    public ValueRows begin() {
        cur = new Object[width];
        n = 0;
        return this;
    }

    @Override
    public void end() {
        if (n != width) {
            throw new IllegalStateException("a row of " + n + " values for " + width + " columns");
        }
        rows.add(cur);
        cur = null;
    }

    @Override
    public ValueRows str(String s) {
        return put(s);
    }

    @Override
    public ValueRows i64(long v) {
        return put(v);
    }

    @Override
    public ValueRows i32(int v) {
        return put(v);
    }

    /** A DOUBLE (run_figures.value). */
    public ValueRows f64(double v) {
        return put(v);
    }

    @Override
    public ValueRows bool(boolean v) {
        return put(v);
    }

    @Override
    public ValueRows map(Map<String, Long> m) {
        return put(m == null ? null : new java.util.TreeMap<>(m));
    }

    @Override
    public ValueRows list(java.util.Collection<String> l) {
        return put(l == null ? null : l.toArray(new String[0]));
    }

    @Override
    public ValueRows nul() {
        return put(null);
    }
}
