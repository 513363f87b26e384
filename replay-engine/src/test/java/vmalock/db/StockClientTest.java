package vmalock.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vmalock.store.Ingester;
import vmalock.store.Workspace;

/**
 * Issue 12 item 8: the workspace database is readable by a DuckDB client vmalock does not ship
 * (duckdb_jdbc 1.4.4, loaded in its own class loader from target/stock-duckdb). DuckDB 2.0's default
 * storage version (69) is refused by every 1.x client; this test fails without the storage setting.
 */
class StockClientTest {
    @TempDir
    Path tmp;

    @Test
    void aFileInDuckDb2sDefaultFormatIsRebuiltReadable() throws Exception {
        Path dir = tmp.resolve("old");
        Files.createDirectories(dir);
        Path f = WorkspaceDb.file(dir);
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:" + f.toAbsolutePath());
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE old_data AS SELECT 1 AS x");
        }
        assertTrue(WorkspaceDb.storageVersion(f) > WorkspaceDb.MAX_STORAGE_VERSION, "DuckDB 2.0's default");
        try (WorkspaceDb db = WorkspaceDb.open(dir)) {
            assertEquals("vmalock", db.meta("written_by"));
        }
        assertEquals(WorkspaceDb.MAX_STORAGE_VERSION, WorkspaceDb.storageVersion(f));
    }

    @Test
    void aStockOneXClientReadsTheWorkspaceDatabase() throws Exception {
        Path jar = Path.of("target/stock-duckdb/duckdb_jdbc-stock.jar");
        assertTrue(Files.isRegularFile(jar), jar + " (copied by the pom's stock-duckdb-client execution)");
        Path dir = tmp.resolve("ws");
        Files.createDirectories(dir);
        try (WorkspaceDb db = WorkspaceDb.open(dir)) {
            try (Statement s = db.connection().createStatement()) {
                s.execute("CREATE TABLE t AS SELECT range AS x FROM range(1000)");
            }
        }
        assertEquals(WorkspaceDb.MAX_STORAGE_VERSION, WorkspaceDb.storageVersion(WorkspaceDb.file(dir)));
        try (StockClient client = new StockClient(jar, dir); Statement s = client.statement()) {
            {
                try (ResultSet r = s.executeQuery("SELECT library_version FROM pragma_version()")) {
                    r.next();
                    assertTrue(r.getString(1).startsWith("v1.4"), r.getString(1));
                }
                try (ResultSet r = s.executeQuery("SELECT value FROM meta WHERE key = 'written_by'")) {
                    assertTrue(r.next());
                    assertEquals("vmalock", r.getString(1));
                }
                try (ResultSet r = s.executeQuery("SELECT count(*), sum(x) FROM t")) {
                    r.next();
                    assertEquals(1000, r.getLong(1));
                    assertEquals(499500, r.getLong(2));
                }
            }
        }
    }

    /**
     * Issue 12 item 8, issue 13: right after an ingest (the CLI's ingest ends with
     * {@link ObservedRun#materialize}), a client vmalock does not ship sees every table filled —
     * {@code events} and {@code faults} not empty, all four per-row tables with the rows vmalock itself
     * reads — without vmalock loading anything first.
     */
    @Test
    void aStockClientSeesEveryTableFilledRightAfterIngest() throws Exception {
        Path jar = Path.of("target/stock-duckdb/duckdb_jdbc-stock.jar");
        assertTrue(Files.isRegularFile(jar), jar + " (copied by the pom's stock-duckdb-client execution)");
        Path dir = tmp.resolve("ingested");
        try (Workspace ws = Workspace.forIngest(dir)) {
            Ingester.ingest(ws, Traces.shared("ftrace-overlap-default.txt"), null, false, null);
            try (WorkspaceDb db = WorkspaceDb.open(ws.dir())) {
                ObservedRun.materialize(ws, db, ws.orphanBlocks());
            }
        }
        java.util.Map<String, Long> ours = new java.util.TreeMap<>();
        try (WorkspaceDb db = WorkspaceDb.open(dir); Statement s = db.connection().createStatement()) {
            for (LazyTable t : LazyTable.values()) {
                assertTrue(db.loaded(RunInfo.OBSERVED, t), t + " loaded by the ingest");
                try (ResultSet r = s.executeQuery("SELECT count(*) FROM " + t.table())) {
                    r.next();
                    ours.put(t.table(), r.getLong(1));
                }
            }
        }
        assertTrue(ours.get("events") > 0 && ours.get("faults") > 0, ours.toString());
        try (StockClient client = new StockClient(jar, dir); Statement s = client.statement()) {
            {
                for (java.util.Map.Entry<String, Long> t : ours.entrySet()) {
                    try (ResultSet r = s.executeQuery("SELECT count(*) FROM " + t.getKey() + " WHERE run = 'observed'")) {
                        r.next();
                        assertEquals(t.getValue(), r.getLong(1), t.getKey() + " as a stock client sees it");
                    }
                }
                try (ResultSet r = s.executeQuery("SELECT count(*) FILTER (WHERE fallback), count(*) FROM faults")) {
                    r.next();
                    assertTrue(r.getLong(2) > 0);
                }
            }
        }
    }

    /** A read-only connection of the stock client (its own class loader) to a workspace's database. */
    private static final class StockClient implements AutoCloseable {
        private final URLClassLoader loader;
        private final Connection conn;

        StockClient(Path jar, Path dir) throws Exception {
            loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            Driver d = (Driver) loader.loadClass("org.duckdb.DuckDBDriver").getDeclaredConstructor().newInstance();
            Properties p = new Properties();
            p.setProperty("duckdb.read_only", "true");
            conn = d.connect("jdbc:duckdb:" + WorkspaceDb.file(dir).toAbsolutePath(), p);
        }

        Statement statement() throws java.sql.SQLException {
            return conn.createStatement();
        }

        @Override
        public void close() throws Exception {
            conn.close();
            loader.close();
        }
    }
}
