package vmalock.db;

import java.sql.SQLException;
import java.util.Map;

/**
 * Where the derived tables of a run ({@link RunTables}) put their rows, value by value in the table's column
 * order ({@link Schema#DDL}): a DuckDB Appender ({@link Rows}) for a workspace, or plain Java values
 * ({@link ValueRows}) for the fleet job, which writes them as Parquet without DuckDB.
 */
public interface RowSink {
    RowSink begin() throws SQLException;

    void end() throws SQLException;

    RowSink str(String s) throws SQLException;

    RowSink i64(long v) throws SQLException;

    RowSink i32(int v) throws SQLException;

    RowSink bool(boolean v) throws SQLException;

    RowSink map(Map<String, Long> m) throws SQLException;

    RowSink list(java.util.Collection<String> l) throws SQLException;

    RowSink nul() throws SQLException;

    /** {@code v}, or NULL when {@code !present}. */
    default RowSink i64(long v, boolean present) throws SQLException {
        return present ? i64(v) : nul();
    }

    default RowSink i32(int v, boolean present) throws SQLException {
        return present ? i32(v) : nul();
    }

    default RowSink bool(boolean v, boolean present) throws SQLException {
        return present ? bool(v) : nul();
    }

    default RowSink boxed(Long v) throws SQLException {
        return v == null ? nul() : i64(v);
    }
}
