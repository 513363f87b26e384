package vmalock.db;

import java.sql.SQLException;

/** A database failure, already phrased as one line for the user (no stack trace needed). */
public final class DbException extends RuntimeException {
    private final boolean query;

    public DbException(String message) {
        super(message);
        this.query = false;
    }

    private DbException(String message, Throwable cause, boolean query) {
        super(message, cause);
        this.query = query;
    }

    /** A report's or query's SQL failed; the message starts with the query's name. */
    public static DbException query(String message, Throwable cause) {
        return new DbException(message, cause, true);
    }

    /** True when the SQL of a query failed (as opposed to opening or loading the database). */
    public boolean isQuery() {
        return query;
    }

    public DbException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /** The first line of a DuckDB error ("Binder Error: Referenced column …"), without the caret diagram. */
    public static String firstLine(Throwable e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        m = m.strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl).strip();
    }
}
