package vmalock.db;

import java.sql.SQLException;
import java.util.Map;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * A DuckDB Appender on one table with the few helpers the loaders need (nullable values). The
 * Appender is the only bulk path: prepared-statement batches are ~400× slower
 * ({@code ../shared/docs/dependencies.md}).
 */
final class Rows implements AutoCloseable {
    private final DuckDBAppender appender;
    private final String table;
    private long count;

    Rows(WorkspaceDb db, String table) {
        this.table = table;
        try {
            // catalog-qualified: never a QueryRunner's temporary view of the same name
            this.appender = db.connection().unwrap(DuckDBConnection.class)
                    .createAppender(db.catalog(), DuckDBConnection.DEFAULT_SCHEMA, table);
        } catch (SQLException e) {
            throw new DbException("cannot append to table " + table + ": " + DbException.firstLine(e));
        }
    }

    Rows begin() throws SQLException {
        appender.beginRow();
        return this;
    }

    void end() throws SQLException {
        appender.endRow();
        count++;
    }

    Rows str(String s) throws SQLException {
        if (s == null) {
            appender.appendNull();
        } else {
            appender.append(s);
        }
        return this;
    }

    Rows i64(long v) throws SQLException {
        appender.append(v);
        return this;
    }

    Rows i32(int v) throws SQLException {
        appender.append(v);
        return this;
    }

    Rows bool(boolean v) throws SQLException {
        appender.append(v);
        return this;
    }

    /** {@code v}, or NULL when {@code !present}. */
    Rows i64(long v, boolean present) throws SQLException {
        if (present) {
            appender.append(v);
        } else {
            appender.appendNull();
        }
        return this;
    }

    Rows i32(int v, boolean present) throws SQLException {
        if (present) {
            appender.append(v);
        } else {
            appender.appendNull();
        }
        return this;
    }

    Rows bool(boolean v, boolean present) throws SQLException {
        if (present) {
            appender.append(v);
        } else {
            appender.appendNull();
        }
        return this;
    }

    Rows boxed(Long v) throws SQLException {
        if (v == null) {
            appender.appendNull();
        } else {
            appender.append(v.longValue());
        }
        return this;
    }

    Rows map(Map<String, Long> m) throws SQLException {
        if (m == null) {
            appender.appendNull();
        } else {
            appender.append(m);
        }
        return this;
    }

    Rows list(java.util.Collection<String> l) throws SQLException {
        appender.append(l);
        return this;
    }

    Rows nul() throws SQLException {
        appender.appendNull();
        return this;
    }

    long count() {
        return count;
    }

    String table() {
        return table;
    }

    @Override
    public void close() {
        try {
            appender.close();
        } catch (SQLException e) {
            throw new DbException("cannot finish appending to table " + table + ": " + DbException.firstLine(e));
        }
    }
}
