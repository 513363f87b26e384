package vmalock.db;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.EnumSet;
import java.util.Set;

/**
 * Runs reports and ad-hoc SQL over a {@link WorkspaceDb}, restricted to chosen runs: each per-run table
 * is shadowed by a temporary view of the same name that keeps only those runs, so a report's SQL
 * names plain tables ({@code lock_spans}) and works on the observed run, on any replay, or on several.
 * Report variables (e.g. {@code baseline}) are DuckDB variables: {@code getvariable('baseline')}.
 * The per-row tables {@code events}, {@code faults}, {@code syscalls} and {@code contention} load lazily
 * ({@link LazyTable}): the first query that reads one ({@code FROM events}, {@code JOIN faults}, …) loads
 * it for the selected runs.
 */
public final class QueryRunner {

    /** Supplies the events of a run whose {@code events} rows are not loaded yet. */
    @FunctionalInterface
    public interface EventsSource {
        /** The run's event stream, or null if it cannot be loaded (the query then sees no rows of it). */
        EventStream open(String run);
    }

    private final WorkspaceDb db;
    private final List<String> runs;
    private final EventsSource eventsSource;
    /** Every run seen is in ticks (counter/TSC clocks): durations stay ticks, columns are named *_ticks. */
    private final boolean ticks;

    /**
     * @param runs      the runs to see (empty: every run)
     * @param variables report variables, e.g. {@code baseline → vma-refcount}
     */
    public QueryRunner(WorkspaceDb db, Collection<String> runs, Map<String, String> variables, EventsSource eventsSource) {
        this.db = db;
        this.eventsSource = eventsSource;
        List<String> known = db.runs();
        for (String r : runs) {
            if (!known.contains(r)) {
                throw new DbException("no run " + r + " in " + (db.file() == null ? "the database" : db.file())
                        + " (runs: " + String.join(", ", known) + ")");
            }
        }
        this.runs = runs.isEmpty() ? known : new ArrayList<>(runs);
        try (Statement s = db.connection().createStatement()) {
            String in = String.join(", ", this.runs.stream().map(WorkspaceDb::quote).toList());
            for (String t : Schema.RUN_TABLES) {
                db.session("CREATE OR REPLACE TEMP VIEW " + t + " AS SELECT * FROM " + ident(db.catalog()) + ".main." + t
                        + (runs.isEmpty() ? "" : " WHERE run IN (" + in + ")"));
            }
            for (Map.Entry<String, String> v : variables.entrySet()) {
                db.session("SET VARIABLE " + ident(v.getKey()) + " = " + WorkspaceDb.quote(v.getValue()));
            }
            boolean allTicks = false;
            try (ResultSet r = s.executeQuery("SELECT count(*) > 0 AND count(*) FILTER (WHERE time_unit IS NULL OR time_unit = 'ns') = 0"
                    + " FROM runs")) {
                allTicks = r.next() && r.getBoolean(1);
            }
            this.ticks = allTicks;
            db.session("SET VARIABLE time_div = " + (allTicks ? "1.0" : "1000.0"));
        } catch (SQLException e) {
            throw new DbException("cannot prepare the run views: " + DbException.firstLine(e), e);
        }
    }

    /** The runs the queries see. */
    public List<String> runs() {
        return runs;
    }

    private static String ident(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    /** Runs every statement of a report; each one returning rows is a section of the result. */
    public List<ResultTable> run(Query q) {
        ensure(LazyTable.namedIn(stripComments(q.sql())));
        List<ResultTable> out = new ArrayList<>();
        // in a transaction that is always rolled back: a report or query cannot change the tables that
        // stats and the other reports read (DELETE, UPDATE, CREATE … are undone)
        exec("BEGIN TRANSACTION");
        try {
            for (Query.Statement st : q.statements()) {
                try (Statement s = db.connection().createStatement()) {
                    if (s.execute(st.sql())) {
                        try (ResultSet r = s.getResultSet()) {
                            ResultTable t = table(q.name(), st.title(), r);
                            out.add(ticks ? inTicks(t) : t);
                        }
                    }
                } catch (SQLException e) {
                    throw DbException.query(q.name() + ": " + DbException.firstLine(e), e);
                }
            }
        } finally {
            exec("ROLLBACK");
        }
        return out;
    }

    private void exec(String sql) {
        try (Statement s = db.connection().createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            if (sql.equals("ROLLBACK") && String.valueOf(e.getMessage()).contains("no transaction is active")) {
                return; // the user's SQL ended the transaction itself (COMMIT/ROLLBACK): nothing to undo
            }
            throw DbException.query(sql + ": " + DbException.firstLine(e), e);
        }
    }

    /**
     * Closes the database to the outside for user SQL: no file or network access ({@code read_csv},
     * {@code COPY … TO}, {@code ATTACH}, http/s3 URLs) and no extension installed or loaded on demand.
     * Irreversible for this database instance. {@code vmalock query/report --allow-external} skips it.
     */
    public void noExternalAccess() {
        for (String sql : new String[] {"SET autoinstall_known_extensions = false", "SET autoload_known_extensions = false",
                "SET enable_external_access = false"}) {
            try {
                db.session(sql);
            } catch (SQLException e) {
                throw DbException.query(sql + ": " + DbException.firstLine(e), e);
            }
        }
    }

    /**
     * Loads the rows of lazily loaded tables the selected runs lack (what a query naming them
     * triggers), one pass over each run's events for all of them.
     */
    public void ensure(Set<LazyTable> tables) {
        if (tables.isEmpty() || eventsSource == null) {
            return;
        }
        for (String r : runs) {
            Set<LazyTable> missing = EnumSet.noneOf(LazyTable.class);
            for (LazyTable t : tables) {
                if (!db.loaded(r, t)) {
                    missing.add(t);
                }
            }
            if (!missing.isEmpty()) {
                db.makeWritable(); // a database opened read-only (nothing needed loading then) takes the writer's lock for it
                EventStream es = eventsSource.open(r);
                if (es != null) {
                    db.loadLazy(r, missing, es);
                }
            }
        }
    }

    private static String stripComments(String sql) {
        StringBuilder b = new StringBuilder();
        for (String line : sql.split("\n")) {
            int c = line.indexOf("--");
            b.append(c < 0 ? line : line.substring(0, c)).append('\n');
        }
        return b.toString();
    }

    /** Whether the runs seen are all in ticks: the reports' µs columns then hold ticks and are named so. */
    public boolean ticks() {
        return ticks;
    }

    /** A result over runs in ticks: {@code *_us} columns named {@code *_ticks}, "µs" in the title "ticks". */
    static ResultTable inTicks(ResultTable t) {
        List<String> cols = new ArrayList<>();
        for (String c : t.columns()) {
            cols.add(c.endsWith("_us") ? c.substring(0, c.length() - 3) + "_ticks" : c);
        }
        String title = t.title() == null ? null : t.title().replace("whole µs", "ticks").replace("µs", "ticks");
        return new ResultTable(t.report(), title, cols, t.types(), t.rows());
    }

    static ResultTable table(String report, String title, ResultSet r) throws SQLException {
        ResultSetMetaData md = r.getMetaData();
        int n = md.getColumnCount();
        List<String> cols = new ArrayList<>(n);
        List<String> types = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            cols.add(md.getColumnLabel(i));
            types.add(md.getColumnTypeName(i));
        }
        List<Object[]> rows = new ArrayList<>();
        while (r.next()) {
            Object[] row = new Object[n];
            for (int i = 1; i <= n; i++) {
                row[i - 1] = value(r.getObject(i));
            }
            rows.add(row);
        }
        return new ResultTable(report, title, cols, types, rows);
    }

    private static Object value(Object o) throws SQLException {
        if (o instanceof Array) {
            Object a = ((Array) o).getArray();
            List<Object> l = new ArrayList<>();
            if (a instanceof Object[]) {
                for (Object x : (Object[]) a) {
                    l.add(value(x));
                }
            }
            return l;
        }
        if (o instanceof Map) {
            Map<Object, Object> m = new LinkedHashMap<>();
            for (Map.Entry<?, ?> en : ((Map<?, ?>) o).entrySet()) {
                m.put(value(en.getKey()), value(en.getValue()));
            }
            return m;
        }
        if (o instanceof Integer || o instanceof Short || o instanceof Byte) {
            return ((Number) o).longValue();
        }
        if (o instanceof Float) {
            return ((Float) o).doubleValue();
        }
        if (o instanceof java.math.BigInteger) {
            java.math.BigInteger b = (java.math.BigInteger) o;
            return b.bitLength() < 64 ? (Object) b.longValue() : b;
        }
        return o;
    }

    static List<Object> list(Object... xs) {
        return Arrays.asList(xs);
    }
}
