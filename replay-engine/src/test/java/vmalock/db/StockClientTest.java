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
        try (URLClassLoader cl = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            Driver d = (Driver) cl.loadClass("org.duckdb.DuckDBDriver").getDeclaredConstructor().newInstance();
            Properties p = new Properties();
            p.setProperty("duckdb.read_only", "true");
            try (Connection c = d.connect("jdbc:duckdb:" + WorkspaceDb.file(dir).toAbsolutePath(), p);
                 Statement s = c.createStatement()) {
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
}
