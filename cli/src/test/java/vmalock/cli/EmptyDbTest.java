package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vmalock.db.WorkspaceDb;

/**
 * A new workspace's database copied from the empty one ({@link EmptyDb}): the same tables, rows and meta as a
 * database whose schema ingest created, the same stored stats; a damaged template costs only the speed-up.
 */
class EmptyDbTest {
    @TempDir
    Path tmp;

    @AfterEach
    void noTemplate() {
        EmptyDb.folder = null;
    }

    private Path ingest(String name) {
        Path ws = tmp.resolve(name);
        Cli in = Cli.run("ingest", Cli.shared().resolve("traces/ftrace-overlap-default.txt"), "-w", ws);
        assertEquals(0, in.code, in.toString());
        assertEquals("", in.err);
        return ws;
    }

    private static String meta(Path ws) throws SQLException {
        try (WorkspaceDb db = WorkspaceDb.openReadOnly(ws)) {
            return db.meta("schema_version") + " " + db.meta("schema_ddl") + " " + db.meta("duckdb_version") + " " + db.meta("written_by");
        }
    }

    @Test
    void aDatabaseFromTheTemplateEqualsOneBuiltByIngest() throws IOException, SQLException {
        Path fresh = ingest("fresh");
        Path dir = Files.createDirectories(tmp.resolve("jar"));
        EmptyDb.folder = dir;
        Path template = EmptyDb.besideJar();
        assertTrue(EmptyDb.ensure(template, null));
        assertTrue(Files.isRegularFile(template));
        // a mark in the template shows that the new workspace's database is a copy of it
        Path marked = Files.createDirectories(tmp.resolve("mark"));
        Files.copy(template, WorkspaceDb.file(marked));
        try (WorkspaceDb db = WorkspaceDb.open(marked); java.sql.Statement st = db.connection().createStatement()) {
            st.execute("INSERT INTO meta VALUES ('test_mark', 'template')");
        }
        Files.copy(WorkspaceDb.file(marked), template, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path seeded = ingest("seeded");
        try (WorkspaceDb db = WorkspaceDb.openReadOnly(seeded)) {
            assertEquals("template", db.meta("test_mark"));
        }
        assertEquals(RunTablesAfterReplayTest.tables(fresh), RunTablesAfterReplayTest.tables(seeded));
        assertEquals(meta(fresh), meta(seeded));
        assertEquals(-1, Files.mismatch(fresh.resolve("stats-observed.json"), seeded.resolve("stats-observed.json")));
        assertEquals(-1, Files.mismatch(fresh.resolve("manifest.json"), seeded.resolve("manifest.json")));
        // a database is never overwritten; no template, nothing copied
        assertFalse(EmptyDb.seed(template, seeded));
        assertFalse(EmptyDb.seed(null, tmp.resolve("none")));
        assertFalse(EmptyDb.seed(dir.resolve("missing.duckdb"), Files.createDirectories(tmp.resolve("none"))));
        assertFalse(Files.exists(WorkspaceDb.file(tmp.resolve("none"))));
    }

    @Test
    void aDamagedTemplateOnlyCostsTheSpeedUp() throws IOException, SQLException {
        Path fresh = ingest("fresh");
        EmptyDb.folder = Files.createDirectories(tmp.resolve("jar"));
        Files.write(EmptyDb.besideJar(), new byte[4096]); // zeroed: not a DuckDB file
        Path seeded = ingest("seeded");
        assertEquals(RunTablesAfterReplayTest.tables(fresh), RunTablesAfterReplayTest.tables(seeded));
        assertEquals(meta(fresh), meta(seeded));
    }
}
