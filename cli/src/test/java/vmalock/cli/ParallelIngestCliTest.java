package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vmalock ingest} on two threads with chunks small enough to cut every file in hundreds of places
 * gives the workspace one thread gives: the same output and messages, manifest, stored {@code stats} figures,
 * {@code stats --json}, and every table of the workspace database row for row — for every shared trace, a
 * compressed one, the bundled plain ones of each format, and their CSV export. (The queue's blocks are
 * compared byte for byte by the parsers module's {@code ParallelIngestTest}.)
 */
class ParallelIngestCliTest {
    @TempDir
    Path tmp;

    /** Everything a user or a DuckDB client can see of a workspace, as text. */
    private static List<String> everything(Cli ingest, Path ws) throws Exception {
        List<String> all = new ArrayList<>();
        all.add("exit " + ingest.code);
        all.add(ingest.out);
        all.add(ingest.err.replace(ws.toString(), "WS"));
        all.add(Files.readString(ws.resolve("manifest.json")));
        all.add(Files.readString(ws.resolve("stats-observed.json")));
        Cli stats = Cli.run("stats", "-w", ws, "--json");
        all.add(stats.code + " " + stats.out);
        Cli tables = Cli.run("query", "-w", ws, "--format", "csv",
                "SELECT DISTINCT table_schema || '.' || table_name FROM information_schema.tables ORDER BY 1");
        assertEquals(0, tables.code, tables.toString());
        List<String> names = tables.out.lines().skip(1).toList();
        assertTrue(names.size() >= 10, tables.out);
        StringBuilder sql = new StringBuilder();
        for (String t : names) {
            sql.append(sql.length() == 0 ? "" : " UNION ALL ").append("SELECT '").append(t).append("', count(*), ")
                    .append("md5(coalesce(string_agg(r::VARCHAR, '|' ORDER BY r::VARCHAR), '')) FROM ").append(t).append(" r");
        }
        Cli rows = Cli.run("query", "-w", ws, "--format", "csv", sql + " ORDER BY 1");
        assertEquals(0, rows.code, rows.toString());
        all.addAll(rows.out.lines().toList());
        return all;
    }

    private void same(Path trace) throws Exception {
        String n = trace.getFileName().toString();
        Path one = tmp.resolve("one-" + n);
        Path two = tmp.resolve("two-" + n);
        Cli a = Cli.run("ingest", "--threads", "1", trace, "-w", one);
        Cli b = Cli.run("ingest", "--threads", "2", "--chunk-bytes", "4093", trace, "-w", two);
        assertTrue(a.code <= ExitCode.PROBLEMS, a.toString());
        List<String> want = everything(a, one);
        List<String> got = everything(b, two);
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i), got.get(i), n + ": item " + i);
        }
        assertEquals(want.size(), got.size(), n);
    }

    @Test
    void sharedTracesGiveTheSameWorkspace() throws Exception {
        Path dir = Path.of(System.getProperty("vmalock.root", ".."), "..", "shared", "traces").normalize();
        if (!Files.isDirectory(dir)) dir = Path.of(System.getProperty("vmalock.root", ".."), "sample-traces", "shared", "traces");
        List<Path> traces = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.toString().endsWith(".txt") || p.toString().endsWith("u1.txt.xz")).sorted().forEach(traces::add);
        }
        assertTrue(traces.size() >= 4, "traces: " + traces);
        for (Path t : traces) same(t);
    }

    @Test
    void bundledTracesOfEachFormatAndCsvGiveTheSameWorkspace() throws Exception {
        Path samples = Path.of(System.getProperty("vmalock.root", ".."), "sample-traces");
        for (String n : new String[] {"ftrace-pipe-lost.txt", "ftrace-function-fixture.txt", "tc-dropped.report.txt",
            "perf-lost.perf.txt"}) {
            same(samples.resolve(n));
        }
        Path ws = tmp.resolve("export");
        assertEquals(0, Cli.run("ingest", samples.resolve("ftrace-remote-heavy.txt"), "-w", ws).code);
        Path csv = tmp.resolve("remote-heavy.csv");
        Cli export = Cli.run("export", "-w", ws, "-o", csv);
        assertEquals(0, export.code, export.toString());
        same(csv);
    }
}
