package vmalock.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Exports one table of the workspace database (for some runs, or all): CSV through Commons CSV, streamed
 * row by row, or Parquet written by DuckDB's own {@code COPY … (FORMAT parquet)}. Rows come in the
 * table's stored order (runs in load order), so the same database gives the same file.
 */
public final class TableExport {
    private TableExport() {
    }

    /** The tables that can be exported. */
    public static List<String> tables() {
        List<String> t = new ArrayList<>(Schema.RUN_TABLES);
        t.add("meta");
        t.add("run_meta");
        return t;
    }

    private static String select(WorkspaceDb db, String table, Collection<String> runs, QueryRunner.EventsSource events) {
        if (!tables().contains(table)) {
            throw new DbException("no table " + table + " (tables: " + String.join(", ", tables()) + ")");
        }
        // the run views of a QueryRunner filter by run, and see lazily loaded events
        QueryRunner qr = new QueryRunner(db, runs, Map.of(), events);
        LazyTable lazy = LazyTable.of(table);
        if (lazy != null) {
            qr.ensure(java.util.EnumSet.of(lazy));
        }
        return "SELECT * FROM " + table;
    }

    /**
     * Writes the table as CSV with a header row; returns the number of rows. {@code events} loads the raw
     * events when the table is {@code events} and they are not loaded yet.
     */
    public static long csv(WorkspaceDb db, String table, Collection<String> runs, QueryRunner.EventsSource events,
                           Writer out) {
        String sql = select(db, table, runs, events);
        long n = 0;
        try (Statement s = db.connection().createStatement(); ResultSet r = s.executeQuery(sql)) {
            ResultSetMetaData md = r.getMetaData();
            int cols = md.getColumnCount();
            List<String> head = new ArrayList<>();
            for (int i = 1; i <= cols; i++) {
                head.add(md.getColumnLabel(i));
            }
            CSVPrinter p = new CSVPrinter(out, CSVFormat.RFC4180.builder().setHeader(head.toArray(new String[0])).get());
            Object[] row = new Object[cols];
            while (r.next()) {
                for (int i = 1; i <= cols; i++) {
                    row[i - 1] = r.getString(i);
                }
                p.printRecord(row);
                n++;
            }
            p.flush();
        } catch (SQLException e) {
            throw DbException.query("export " + table + ": " + DbException.firstLine(e), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }

    /** Writes the table as a Parquet file (DuckDB's writer); returns the number of rows. */
    public static long parquet(WorkspaceDb db, String table, Collection<String> runs, QueryRunner.EventsSource events,
                               Path file) {
        String sql = select(db, table, runs, events);
        try (Statement s = db.connection().createStatement()) {
            s.execute("COPY (" + sql + ") TO " + WorkspaceDb.quote(file.toAbsolutePath().toString()) + " (FORMAT parquet)");
            try (ResultSet r = s.executeQuery("SELECT count(*) FROM (" + sql + ")")) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw DbException.query("export " + table + ": " + DbException.firstLine(e), e);
        }
    }
}
