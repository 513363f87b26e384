package vmalock.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vmalock.store.Ingester;
import vmalock.store.Workspace;

/**
 * The per-row tables {@code events}, {@code faults}, {@code syscalls} and {@code contention} are not loaded
 * with a run; a query naming one loads it (all named ones in one pass), the result equals loading it
 * with the run, and the unpaired counts kept for {@code data_quality} equal the NULL sides of the rows.
 */
class LazyTablesTest {
    @TempDir
    Path tmp;

    private static long scalar(WorkspaceDb db, String sql) throws Exception {
        try (var s = db.connection().createStatement(); var r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    private static List<Object[]> rows(QueryRunner qr, String sql) {
        return qr.run(Query.of("q", sql, "test")).get(0).rows();
    }

    @Test
    void namedTablesLoadOnFirstUseAndEqualAnEagerLoad() throws Exception {
        Path trace = Traces.shared("ftrace-overlap-default.txt");
        Path dir = tmp.resolve("ws");
        try (Workspace ws = Workspace.forIngest(dir)) {
            Ingester.ingest(ws, trace, null, false, null);
        }
        String pairs = "SELECT (SELECT count(*) FROM syscalls), (SELECT count(*) FILTER (WHERE enter_ts IS NULL) FROM syscalls),"
                + " (SELECT count(*) FILTER (WHERE exit_ts IS NULL) FROM syscalls), (SELECT count(*) FROM contention),"
                + " (SELECT count(*) FILTER (WHERE begin_ts IS NULL) FROM contention),"
                + " (SELECT count(*) FILTER (WHERE end_ts IS NULL) FROM contention),"
                + " (SELECT sum(range_len) FROM syscalls WHERE syscall = 'mprotect'), (SELECT sum(wait_ns) FROM contention)";
        Object[] lazy;
        try (Workspace ws = Workspace.open(dir); WorkspaceDb db = ObservedRun.open(ws)) {
            for (LazyTable t : LazyTable.values()) {
                assertFalse(db.loaded(RunInfo.OBSERVED, t), t + " loaded with the run");
                assertEquals(0, scalar(db, "SELECT count(*) FROM " + t.table()));
            }
            // data_quality reads the unpaired counts, not the per-row tables: nothing loads
            QueryRunner qr = new QueryRunner(db, List.of(), Map.of(), ObservedRun.events(ws));
            qr.run(QueryLibrary.bundled().get("data_quality"));
            assertFalse(db.loaded(RunInfo.OBSERVED, LazyTable.SYSCALLS));
            Object[] quality = rows(qr, "SELECT sum(value) FILTER (WHERE counter = 'unpaired.sys_exit_without_enter'),"
                    + " sum(value) FILTER (WHERE counter = 'unpaired.sys_enter_without_exit'),"
                    + " sum(value) FILTER (WHERE counter = 'unpaired.contention_end_without_begin'),"
                    + " sum(value) FILTER (WHERE counter = 'unpaired.contention_begin_without_end') FROM counters").get(0);

            lazy = rows(qr, pairs).get(0);
            assertTrue(db.loaded(RunInfo.OBSERVED, LazyTable.SYSCALLS));
            assertTrue(db.loaded(RunInfo.OBSERVED, LazyTable.CONTENTION));
            assertFalse(db.loaded(RunInfo.OBSERVED, LazyTable.EVENTS));
            // the shared trace's sys_enter/sys_exit and contention_begin/end counts (its truth file)
            assertEquals(9L + 1857 + 56 + 328 + 4, lazy[0]);
            assertEquals(189L, lazy[3]);
            assertEquals(List.of(lazy[1], lazy[2], lazy[4], lazy[5]), List.of(quality[0], quality[1], quality[2], quality[3]));
            // args filled from the plain columns, as printed
            assertEquals(lazy[6], rows(qr, "SELECT sum(args['len']) FROM syscalls WHERE syscall = 'mprotect'").get(0)[0]);
        }
        // the same rows as loading every table with the run
        Traces.Parsed p = Traces.parse(trace);
        try (WorkspaceDb db = WorkspaceDb.inMemory()) {
            db.load(RunInfo.observed(p.source().timeUnit()), List.of(p.source()), EventStream.of(p.events()),
                    ObservedPairing.FACTORY, true);
            for (LazyTable t : LazyTable.values()) {
                assertTrue(db.loaded(RunInfo.OBSERVED, t));
            }
            assertEquals(List.of(lazy), List.of(rows(new QueryRunner(db, List.of(), Map.of(), null), pairs).get(0)));
        }
    }
}
