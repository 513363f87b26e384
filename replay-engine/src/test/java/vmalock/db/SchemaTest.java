package vmalock.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The schema the issue names: every per-run table has a {@code run} column first (observed data and any
 * replay in the same shapes), and the database records the DuckDB version that wrote it.
 */
class SchemaTest {
    @Test
    void everyRunTableHasARunColumnFirstAndTheWriterVersionIsRecorded() throws Exception {
        try (WorkspaceDb db = WorkspaceDb.inMemory()) {
            List<String> named = List.of("events", "lock_spans", "faults", "contention", "syscalls", "tasks", "mms",
                    "lost", "sources", "runs");
            assertTrue(Schema.RUN_TABLES.containsAll(named), Schema.RUN_TABLES.toString());
            for (String t : Schema.RUN_TABLES) {
                List<String> cols = new ArrayList<>();
                try (var s = db.connection().createStatement();
                     var r = s.executeQuery("SELECT column_name FROM duckdb_columns() WHERE table_name = '" + t
                             + "' AND NOT internal ORDER BY column_index")) {
                    while (r.next()) {
                        cols.add(r.getString(1));
                    }
                }
                assertEquals("run", cols.isEmpty() ? null : cols.get(0), t + " " + cols);
            }
            assertTrue(db.duckdbVersion().startsWith("v"), db.duckdbVersion());
            assertEquals(db.duckdbVersion(), db.meta("duckdb_version"));
            assertEquals(String.valueOf(Schema.VERSION), db.meta("schema_version"));
        }
    }
}
