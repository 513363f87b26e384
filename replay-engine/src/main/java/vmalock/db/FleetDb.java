package vmalock.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The fleet job's Parquet output (`vmalock fleet -o DIR`) seen through DuckDB: an in-memory database with
 * one view per table ({@code traces}, {@code stats}, {@code runs}, {@code per_mm}, {@code fault_latency},
 * {@code errors}, {@code schema_version}) over {@code DIR/TABLE/**}{@code /*.parquet}, Hive partitions
 * (host=…) as columns; and the bundled fleet reports of {@code queries/fleet/}.
 */
public final class FleetDb implements AutoCloseable {
    public static final List<String> TABLES = List.of("traces", "stats", "runs", "per_mm", "fault_latency", "errors");
    /** The fleet reports, in the order {@code vmalock report --parquet DIR} prints them. */
    public static final List<String> REPORTS = List.of("fleet_summary", "fleet_fallback", "fleet_fault_latency",
            "fleet_writer_waits", "fleet_best_policy", "fleet_errors");
    /**
     * The workspace tables (queries/README.md) the fleet job writes, one workspace run per trace and run — run
     * {@code TRACE_ID/observed} and {@code TRACE_ID/POLICY} — by the code that loads them into a workspace
     * ({@link RunTables}); as Parquet tables of the same names (with the fleet keys), but {@code runs}, which is
     * {@code ws_runs} there. In schema {@code ws} they are views with the workspace's columns, so the bundled
     * workspace reports run over the fleet output unchanged, each run's rows under its own run id.
     */
    public static final List<String> WORKSPACE_TABLES = List.of("runs", "sources", "event_counts", "lock_spans", "fault_counts",
            "tasks", "mms", "lost", "counters", "quality", "run_figures");
    /** The Parquet tables of the workspace tables. */
    public static final List<String> WORKSPACE_PARQUET = List.of("ws_runs", "sources", "event_counts", "lock_spans",
            "fault_counts", "tasks", "mms", "lost", "counters", "quality", "run_figures");
    /** Where the fleet output answers what an unwritten (per-row, lazily loaded) workspace table holds. */
    static final java.util.Map<String, String> INSTEAD = java.util.Map.of(
            "events", "event_counts (events by source, task, comm, kind, name and mm)",
            "faults", "fault_counts (faults by task, comm and path)");

    /** The schema version this vmalock reads. */
    public static final int SCHEMA_VERSION = 2;

    private final Connection c;

    private FleetDb(Connection c) {
        this.c = c;
    }

    /** Opens the fleet output {@code dir}; a one-line DbException when it is not one. */
    public static FleetDb open(Path dir) {
        if (!Files.isDirectory(dir)) throw new DbException(dir + ": no such folder (the output of `vmalock fleet -o DIR`)");
        for (String t : all()) {
            if (!hasParquet(dir.resolve(t))) {
                throw new DbException(dir + ": not a complete fleet output (no Parquet files under " + t + "/)");
            }
        }
        if (!hasParquet(dir.resolve("_schema_version"))) {
            throw new DbException(dir + ": not a fleet output (no _schema_version/)");
        }
        try {
            Connection c = DriverManager.getConnection("jdbc:duckdb:");
            FleetDb db = new FleetDb(c);
            try (Statement s = c.createStatement()) {
                s.execute("CREATE VIEW schema_version AS SELECT * FROM read_parquet(" + glob(dir.resolve("_schema_version")) + ")");
                try (ResultSet r = s.executeQuery("SELECT max(schema_version) FROM schema_version")) {
                    r.next();
                    int v = r.getInt(1);
                    if (v != SCHEMA_VERSION) {
                        c.close();
                        throw new DbException(dir + ": fleet output schema version " + v + ", this vmalock reads version "
                                + SCHEMA_VERSION + "; run `vmalock fleet` again");
                    }
                }
                for (String t : all()) {
                    s.execute("CREATE VIEW " + t + " AS SELECT * FROM read_parquet(" + glob(dir.resolve(t))
                            + ", hive_partitioning = true, union_by_name = true)");
                }
            }
            db.workspaceTables();
            return db;
        } catch (SQLException e) {
            throw new DbException(dir + ": cannot open the fleet output: " + DbException.firstLine(e), e);
        }
    }

    /** Every Parquet table of a fleet output but _schema_version. */
    private static List<String> all() {
        List<String> l = new ArrayList<>(TABLES);
        l.addAll(WORKSPACE_PARQUET);
        return l;
    }

    private static String glob(Path table) {
        return WorkspaceDb.quote(table.toAbsolutePath() + "/**/*.parquet");
    }

    private static boolean hasParquet(Path d) {
        if (!Files.isDirectory(d)) return false;
        try (Stream<Path> s = Files.walk(d)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".parquet"));
        } catch (IOException e) {
            return false;
        }
    }

    /** The bundled fleet reports (queries/fleet/*.sql in the jar). */
    public static List<Query> reports() {
        List<Query> l = new ArrayList<>();
        for (String name : REPORTS) {
            String res = "vmalock/queries/fleet/" + name + ".sql";
            try (InputStream in = FleetDb.class.getClassLoader().getResourceAsStream(res)) {
                if (in == null) throw new DbException("bundled fleet report " + name + " is missing from the jar (" + res + ")");
                l.add(Query.of(name, new String(in.readAllBytes(), StandardCharsets.UTF_8), res));
            } catch (IOException e) {
                throw new DbException("cannot read bundled fleet report " + name + ": " + e.getMessage(), e);
            }
        }
        return l;
    }

    /** Runs every statement of a report; each one returning rows is a section. */
    public List<ResultTable> run(Query q) {
        List<ResultTable> out = new ArrayList<>();
        for (Query.Statement st : q.statements()) {
            try (Statement s = c.createStatement()) {
                if (s.execute(st.sql())) {
                    try (ResultSet r = s.getResultSet()) {
                        out.add(QueryRunner.table(q.name(), st.title(), r));
                    }
                }
            } catch (SQLException e) {
                throw DbException.query(q.name() + ": " + DbException.firstLine(e), e);
            }
        }
        return out;
    }

    /** The time units of the runs in the output: ns first, then ticks (counter clocks). */
    private final List<String> units = new ArrayList<>();

    /** Schema {@code ws}: the workspace's tables and macros, the ones the fleet writes as views over its Parquet. */
    private void workspaceTables() throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA ws");
            s.execute("SET schema = 'ws'");
            for (String ddl : Schema.DDL.split(";\n")) {
                if (!ddl.isBlank()) s.execute(ddl);
            }
            s.execute("SET schema = 'main'");
            for (String t : WORKSPACE_TABLES) s.execute("DROP TABLE ws." + t);
            try (ResultSet r = s.executeQuery("SELECT DISTINCT time_unit FROM ws_runs ORDER BY time_unit <> 'ns', time_unit")) {
                while (r.next()) units.add(r.getString(1));
            }
            if (units.isEmpty()) units.add("ns");
        }
        useUnit(units.get(0));
    }

    /**
     * Points the {@code ws} views at the runs in one time unit (a workspace report runs over runs of one unit:
     * {@code time_div()} and the {@code _us}/{@code _ticks} column names depend on it), all runs when there is one.
     */
    private void useUnit(String unit) throws SQLException {
        String only = units.size() < 2 ? "" : " WHERE run IN (SELECT run FROM main.ws_runs WHERE time_unit = "
                + WorkspaceDb.quote(unit) + ")";
        try (Statement s = c.createStatement()) {
            for (String t : WORKSPACE_TABLES) {
                List<String> cols = new ArrayList<>();
                for (String[] col : Schema.columns(t)) cols.add(col[0]);
                String sql;
                if (t.equals("runs")) {
                    // ord: the runs in trace order, each trace's observed run first, then its replays in policy order
                    cols.set(cols.indexOf("ord"), "CAST(row_number() OVER (ORDER BY trace_id, ord) AS INTEGER) AS ord");
                    sql = "SELECT " + String.join(", ", cols) + " FROM main.ws_runs" + (only.isEmpty() ? ""
                            : " WHERE time_unit = " + WorkspaceDb.quote(unit));
                } else {
                    sql = "SELECT " + String.join(", ", cols) + " FROM main." + t + only;
                }
                s.execute("CREATE OR REPLACE VIEW ws." + t + " AS " + sql);
            }
            s.execute("SET VARIABLE time_div = " + ("ns".equals(unit) ? "1000.0" : "1.0"));
        }
    }

    /**
     * The workspace tables a report reads that the fleet output does not write (the per-row {@link LazyTable}s:
     * events, faults, syscalls, contention). Names are matched after FROM/JOIN, comments removed.
     */
    public static List<String> missing(Query q) {
        String sql = q.sql().replaceAll("--[^\n]*", " ");
        List<String> out = new ArrayList<>();
        for (String t : Schema.RUN_TABLES) {
            if (WORKSPACE_TABLES.contains(t)) continue;
            if (java.util.regex.Pattern.compile("(?i)\\b(from|join)\\s+" + t + "\\b").matcher(sql).find()) out.add(t);
        }
        return out;
    }

    /**
     * Runs a workspace report (queries/*.sql) over the workspace tables of schema {@code ws}: every run of every
     * trace, each under its run id {@code TRACE_ID/…}; once per time unit when the output holds traces in ns and
     * in ticks (sections titled so, ticks columns named {@code *_ticks} as a workspace in ticks names them). When
     * it reads a table the fleet does not write, one section saying so instead.
     */
    public List<ResultTable> runWorkspace(Query q) {
        List<String> miss = missing(q);
        if (!miss.isEmpty()) {
            List<String> instead = new ArrayList<>();
            for (String t : miss) {
                String i = INSTEAD.get(t);
                if (i != null) instead.add(i);
            }
            Object[] row = {q.name(), "reads " + String.join(", ", miss) + ": one row per event, fault, syscall or contention "
                    + "pair, which vmalock fleet does not write", instead.isEmpty() ? "-" : String.join("; ", instead)};
            return List.of(new ResultTable(q.name(), "not applicable to a fleet output",
                    List.of("report", "why", "in the fleet output instead"), List.of("VARCHAR", "VARCHAR", "VARCHAR"),
                    List.<Object[]>of(row)));
        }
        List<ResultTable> out = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            for (String unit : units) {
                useUnit(unit);
                s.execute("SET schema = 'ws'");
                try {
                    for (ResultTable t : run(q)) {
                        if ("ticks".equals(unit)) t = QueryRunner.inTicks(t);
                        if (units.size() > 1) {
                            t = new ResultTable(t.report(), (t.title() == null ? "" : t.title() + ", ") + "runs in " + unit,
                                    t.columns(), t.types(), t.rows());
                        }
                        out.add(t);
                    }
                } finally {
                    s.execute("SET schema = 'main'");
                }
            }
            useUnit(units.get(0));
        } catch (SQLException e) {
            throw DbException.query(q.name() + ": " + DbException.firstLine(e), e);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            c.close();
        } catch (SQLException e) {
            // nothing was written
        }
    }
}
