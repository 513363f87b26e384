package vmalock.db;

import java.sql.SQLException;

/** A database failure, already phrased as one line for the user (no stack trace needed). */
public final class DbException extends RuntimeException {
    public DbException(String message) {
        super(message);
    }

    public DbException(String message, Throwable cause) {
        super(message, cause);
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
