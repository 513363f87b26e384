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
     * The workspace tables (queries/README.md) the fleet output fills, in schema {@code ws}: one workspace run per
     * trace and run — {@code TRACE_ID/observed} and {@code TRACE_ID/POLICY} — so the bundled workspace reports that
     * read only these run over the fleet output unchanged. The other workspace tables exist there, empty: they hold
     * events, lock spans, faults or tasks, which the fleet does not write (it writes per-trace figures).
     */
    public static final List<String> WORKSPACE_TABLES = List.of("runs", "run_figures", "counters");
    /** The workspace macros that read event-level tables (lock_spans). */
    static final List<String> EVENT_MACROS = List.of("lock_samples", "sample_stats", "log2_hist");
    /** Where the fleet output answers what a workspace table held, for the "not applicable" notes. */
    static final java.util.Map<String, String> INSTEAD = java.util.Map.of(
            "lock_spans", "stats.{writer_wait,reader_wait,write_hold,read_hold}_* and fleet_writer_waits",
            "fault_counts", "stats.page_faults/fallback_* and fleet_fallback",
            "event_counts", "per_mm.events/start_locking/acquire_returned/released and traces.total_events",
            "mms", "per_mm",
            "sources", "traces",
            "lost", "stats.lost_events, traces.lossy",
            "tasks", "per_mm.tasks/comms");
    /** What the filled workspace tables lack against a workspace's, said under a report that reads them. */
    static final java.util.Map<String, String> CAVEATS = java.util.Map.of(
            "counters", "observed runs have no counters here: the probe counts (lock_vma_under_rcu, __vma_start_write) "
                    + "and unpaired.* need the events; replays' vma_lock_* and retries are exact",
            "runs", "runs.events of an observed run is stats' total_events; replays are seed 0, parameters NULL");

    /** The schema version this vmalock reads. */
    public static final int SCHEMA_VERSION = 1;

    private final Connection c;

    private FleetDb(Connection c) {
        this.c = c;
    }

    /** Opens the fleet output {@code dir}; a one-line DbException when it is not one. */
    public static FleetDb open(Path dir) {
        if (!Files.isDirectory(dir)) throw new DbException(dir + ": no such folder (the output of `vmalock fleet -o DIR`)");
        for (String t : TABLES) {
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
                for (String t : TABLES) {
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

    /** Fills schema {@code ws} (see {@link #WORKSPACE_TABLES}) from the fleet tables. */
    private void workspaceTables() throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA ws");
            s.execute("SET schema = 'ws'");
            for (String ddl : Schema.DDL.split(";\n")) {
                if (!ddl.isBlank()) s.execute(ddl);
            }
            s.execute("SET schema = 'main'");
            s.execute("INSERT INTO ws.runs SELECT run, row_number() OVER (ORDER BY trace_id, o), policy, NULL, seed, time_unit, "
                    + "events, false, false, false, false, description FROM ("
                    + "SELECT trace_id, -1 AS o, trace_id || '/observed' AS run, 'observed' AS policy, NULL::BIGINT AS seed, time_unit,"
                    + " total_events AS events, 'observed: ' || path AS description FROM traces UNION ALL "
                    + "SELECT trace_id, policy_order, trace_id || '/' || policy, policy, 0, 'ns', NULL, "
                    + "'replay of ' || trace_id || ' under ' || policy FROM runs)");
            com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
            try (ResultSet r = s.executeQuery("SELECT trace_id || '/' || policy, json FROM runs ORDER BY trace_id, policy_order");
                 java.sql.PreparedStatement events = c.prepareStatement("UPDATE ws.runs SET events = ? WHERE run = ?");
                 java.sql.PreparedStatement fig = c.prepareStatement("INSERT INTO ws.run_figures VALUES (?, ?, ?)");
                 java.sql.PreparedStatement cnt = c.prepareStatement("INSERT INTO ws.counters VALUES (?, ?, ?)")) {
                while (r.next()) {
                    String run = r.getString(1);
                    com.fasterxml.jackson.databind.JsonNode j = m.readTree(r.getString(2));
                    // compare's entry: its stats are stats --run of the replayed events
                    events.setLong(1, j.path("stats").path("total_events").asLong());
                    events.setString(2, run);
                    events.executeUpdate();
                    for (var en : ObservedRun.replayFigures(j).entrySet()) {
                        fig.setString(1, run);
                        fig.setString(2, en.getKey());
                        fig.setDouble(3, Double.parseDouble(String.format(java.util.Locale.ROOT, "%.6f", en.getValue())));
                        fig.executeUpdate();
                    }
                    for (var en : ObservedRun.replayCounters(j).entrySet()) {
                        cnt.setString(1, run);
                        cnt.setString(2, en.getKey());
                        cnt.setLong(3, en.getValue());
                        cnt.executeUpdate();
                    }
                }
            } catch (IOException e) {
                throw new SQLException("a runs.json value is not JSON: " + e.getMessage(), e);
            }
        }
    }

    /**
     * The workspace tables and macros a workspace report reads that the fleet output does not fill (empty: the
     * report cannot apply to it). Names are matched after FROM/JOIN (tables) or before "(" (macros), comments removed.
     */
    public static List<String> missing(Query q) {
        String sql = q.sql().replaceAll("--[^\n]*", " ");
        List<String> out = new ArrayList<>();
        for (String t : Schema.RUN_TABLES) {
            if (WORKSPACE_TABLES.contains(t)) continue;
            if (java.util.regex.Pattern.compile("(?i)\\b(from|join)\\s+" + t + "\\b").matcher(sql).find()) out.add(t);
        }
        for (String f : EVENT_MACROS) {
            if (java.util.regex.Pattern.compile("(?i)\\b" + f + "\\s*\\(").matcher(sql).find()) out.add(f + "()");
        }
        return out;
    }

    /**
     * Runs a workspace report (queries/*.sql) over the workspace-shaped tables of schema {@code ws}; when it reads a
     * table the fleet does not fill, one section saying so instead (which tables, and where the fleet output has
     * the same figures); a note under it when a table it reads is filled only in part.
     */
    public List<ResultTable> runWorkspace(Query q) {
        List<String> miss = missing(q);
        if (!miss.isEmpty()) {
            List<String> instead = new ArrayList<>();
            for (String t : miss) {
                String name = t.replace("()", "");
                String i = INSTEAD.get(EVENT_MACROS.contains(name) ? "lock_spans" : name); // the macros read lock_spans
                if (i != null && !instead.contains(i)) instead.add(i);
            }
            Object[] row = {q.name(), "reads " + String.join(", ", miss) + ": event-level workspace data (one row per event, lock span, "
                    + "fault or task) that vmalock fleet does not write", instead.isEmpty() ? "-" : String.join("; ", instead)};
            return List.of(new ResultTable(q.name(), "not applicable to a fleet output",
                    List.of("report", "why", "in the fleet output instead"), List.of("VARCHAR", "VARCHAR", "VARCHAR"),
                    List.<Object[]>of(row)));
        }
        List<ResultTable> out;
        try (Statement s = c.createStatement()) {
            s.execute("SET schema = 'ws'");
            try {
                out = new ArrayList<>(run(q));
            } finally {
                s.execute("SET schema = 'main'");
            }
        } catch (SQLException e) {
            throw DbException.query(q.name() + ": " + DbException.firstLine(e), e);
        }
        List<Object[]> notes = new ArrayList<>();
        for (var en : new java.util.TreeMap<>(CAVEATS).entrySet()) {
            if (java.util.regex.Pattern.compile("(?i)\\b(from|join)\\s+" + en.getKey() + "\\b").matcher(q.sql()).find()) {
                notes.add(new Object[] {en.getKey(), en.getValue()});
            }
        }
        if (!notes.isEmpty()) {
            out.add(new ResultTable(q.name(), "fleet output: what differs from a workspace", List.of("table", "note"),
                    List.of("VARCHAR", "VARCHAR"), notes));
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
