package vmalock.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which bundled workspace reports can run over a fleet output's workspace-shaped tables (FleetDb.missing). */
class FleetDbMissingTest {
    static List<String> missing(String name) {
        return FleetDb.missing(QueryLibrary.bundled().get(name));
    }

    @Test
    void reportsReadingOnlyRunsCountersAndFiguresApply() {
        assertEquals(List.of(), missing("policy_figures"));
        assertEquals(List.of(), missing("vma_lock_counters"));
    }

    @Test
    void reportsReadingEventLevelTablesNameThem() {
        assertEquals(List.of("lock_spans", "fault_counts", "lost"), missing("summary"));
        assertEquals(List.of("sample_stats()", "log2_hist()"), missing("writer_waits"));
        assertEquals(List.of("lock_samples()"), missing("wait_cdf"));
        // a table named only in a comment does not count; FROM and JOIN in any case do
        assertEquals(List.of(), FleetDb.missing(Query.of("x", "-- reads lock_spans\nSELECT * FROM runs", "x")));
        assertEquals(List.of("mms"), FleetDb.missing(Query.of("x", "select * from runs r left JOIN mms m using (run)", "x")));
        for (String n : QueryLibrary.BUNDLED) {
            if (!n.equals("policy_figures") && !n.equals("vma_lock_counters")) {
                assertEquals(false, missing(n).isEmpty(), n + " reads event-level tables");
            }
        }
    }
}
