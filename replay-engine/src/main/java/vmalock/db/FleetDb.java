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

    @Override
    public void close() {
        try {
            c.close();
        } catch (SQLException e) {
            // nothing was written
        }
    }
}
