package vmalock.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which workspace reports can run over a fleet output's workspace tables (FleetDb.missing): all but the per-row ones. */
class FleetDbMissingTest {
    @Test
    void everyBundledReportApplies() {
        for (String n : QueryLibrary.BUNDLED) {
            assertEquals(List.of(), FleetDb.missing(QueryLibrary.bundled().get(n)), n);
        }
    }

    @Test
    void reportsReadingPerRowTablesNameThem() {
        assertEquals(List.of("faults"), FleetDb.missing(Query.of("x", "SELECT count(*) FROM faults", "x")));
        // a table named only in a comment does not count; FROM and JOIN in any case do
        assertEquals(List.of(), FleetDb.missing(Query.of("x", "-- reads syscalls\nSELECT * FROM runs", "x")));
        assertEquals(List.of("syscalls", "events"),
                FleetDb.missing(Query.of("x", "select * from events e left JOIN syscalls s using (run)", "x")));
    }

    @Test
    void theWorkspaceTablesTheFleetWritesAreTheRunTables() {
        // every table RunTables writes (plus run_figures and runs) is a workspace view over the fleet output
        for (String t : RunTables.TABLES) assertEquals(true, FleetDb.WORKSPACE_TABLES.contains(t), t);
        assertEquals(FleetDb.WORKSPACE_TABLES.size(), FleetDb.WORKSPACE_PARQUET.size());
    }
}
