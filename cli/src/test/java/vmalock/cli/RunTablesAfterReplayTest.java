package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vmalock.db.WorkspaceDb;

/**
 * {@code compare} and {@code replay} load the runs they stored into the workspace's database and keep their page
 * figures ({@link RunTablesAfterReplay}): every table then holds the same rows as when the first
 * {@code report --html} loads the runs itself, the kept figures are the ones that report computes, and the pages
 * are byte-identical. Not where ingest left no database ({@code --no-tables}), nor under an event filter.
 */
class RunTablesAfterReplayTest {
    @TempDir
    Path tmp;

    private static final String[] POLICIES = {"--policies", "no-vma-lock,vma-refcount,remote-vma-lock"};

    @Test
    void compareLoadsWhatTheFirstReportWouldHave() throws IOException, SQLException {
        loadsWhatTheFirstReportWouldHave(3, "compare", POLICIES[0], POLICIES[1]);
    }

    @Test
    void replayLoadsWhatTheFirstReportWouldHave() throws IOException, SQLException {
        loadsWhatTheFirstReportWouldHave(2, "replay", "--policy", "no-vma-lock", "--policy", "remote-vma-lock");
    }

    /** Runs the command (then -w WS) on an ingested workspace: it stores {@code runs} runs and loads them. */
    private void loadsWhatTheFirstReportWouldHave(int runs, String... command) throws IOException, SQLException {
        Path trace = Cli.shared().resolve("traces/ftrace-overlap-default.txt");
        Path a = tmp.resolve("a");
        assertEquals(0, Cli.run("ingest", trace, "-w", a).code);
        Path b = tmp.resolve("b");
        copy(a, b); // ingested, not replayed
        List<Object> args = new ArrayList<>(List.of((Object[]) command));
        args.addAll(List.of("-w", a));
        Cli c = Cli.run(args.toArray());
        assertEquals(0, c.code, c.toString());
        List<String> ids = runIds(a);
        assertEquals(runs, ids.size(), ids.toString());
        try (WorkspaceDb db = WorkspaceDb.openReadOnly(a)) {
            assertEquals(runs + 1, db.runs().size(), command[0] + " loaded its runs: " + db.runs());
        }
        // b: the same runs stored, the database as ingest left it, no kept figures: its first report loads them
        copy(a.resolve("runs"), b.resolve("runs"));
        for (String id : ids) {
            assertTrue(Files.isRegularFile(a.resolve("runs").resolve(id).resolve(HtmlReportPage.REPLAY_STATS)), id);
            Files.delete(b.resolve("runs").resolve(id).resolve(HtmlReportPage.REPLAY_STATS));
        }
        try (WorkspaceDb db = WorkspaceDb.openReadOnly(b)) {
            assertEquals(1, db.runs().size(), "b's database has the observed run only: " + db.runs());
        }
        Path pa = tmp.resolve("a.html");
        Path pb = tmp.resolve("b.html");
        assertEquals(0, Cli.run("report", "-w", a, "--html", pa).code);
        assertEquals(0, Cli.run("report", "-w", b, "--html", pb).code);
        assertEquals(-1, Files.mismatch(pa, pb), "pages differ");
        for (String id : ids) {
            Path f = Path.of("runs", id, HtmlReportPage.REPLAY_STATS);
            assertEquals(-1, Files.mismatch(a.resolve(f), b.resolve(f)), "kept figures of " + id);
        }
        Map<String, List<String>> ta = tables(a);
        Map<String, List<String>> tb = tables(b);
        assertEquals(ta.keySet(), tb.keySet());
        assertTrue(ta.get("lock_spans").size() > 1000, "lock_spans of the runs");
        for (String t : ta.keySet()) {
            assertEquals(ta.get(t), tb.get(t), "table " + t);
        }
    }

    @Test
    void notWhereIngestBuiltNoDatabase() throws IOException {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", "--no-tables", Cli.shared().resolve("traces/ftrace-overlap-default.txt"), "-w", ws).code);
        assertEquals(0, Cli.run("compare", "-w", ws, POLICIES[0], "vma-refcount").code);
        assertFalse(Files.exists(ws.resolve(WorkspaceDb.FILE)), "compare created the database");
    }

    @Test
    void notUnderAFilter() throws IOException {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", Cli.shared().resolve("traces/ftrace-overlap-default.txt"), "-w", ws).code);
        Cli c = Cli.run("replay", "-w", ws, "--policy", "vma-refcount", "--comm", "capture.sh");
        assertEquals(0, c.code, c.toString());
        assertEquals(1, runIds(ws).size());
        try (WorkspaceDb db = WorkspaceDb.openReadOnly(ws)) {
            assertEquals(1, db.runs().size(), "a filtered replay's run was loaded: " + db.runs());
        }
    }

    private static List<String> runIds(Path ws) throws IOException {
        try (Stream<Path> s = Files.list(ws.resolve("runs"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    /** Every table's rows (but meta: which DuckDB and schema text wrote the file), each as text, sorted. */
    static Map<String, List<String>> tables(Path ws) throws SQLException {
        Map<String, List<String>> m = new LinkedHashMap<>();
        try (WorkspaceDb db = WorkspaceDb.openReadOnly(ws); Statement s = db.connection().createStatement()) {
            List<String> names = new ArrayList<>();
            try (ResultSet r = s.executeQuery("SELECT table_name FROM duckdb_tables() WHERE database_name = '"
                    + db.catalog() + "' AND table_name <> 'meta' ORDER BY 1")) {
                while (r.next()) names.add(r.getString(1));
            }
            for (String t : names) {
                List<String> rows = new ArrayList<>();
                try (ResultSet r = s.executeQuery("SELECT * FROM \"" + db.catalog() + "\".main.\"" + t + "\"")) {
                    int n = r.getMetaData().getColumnCount();
                    while (r.next()) {
                        StringBuilder sb = new StringBuilder();
                        for (int i = 1; i <= n; i++) sb.append(r.getString(i)).append('|');
                        rows.add(sb.toString());
                    }
                }
                rows.sort(null);
                m.put(t, rows);
            }
        }
        return m;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q);
            }
        }
    }
}
