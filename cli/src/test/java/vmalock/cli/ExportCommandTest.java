package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vmalock.event.Event;
import vmalock.parse.CsvEventWriter;
import vmalock.store.EventReader;
import vmalock.store.Workspace;

/** {@code vmalock export}: CSV out, ingested again, gives an identical event stream (on real traces). */
class ExportCommandTest {
    @TempDir
    Path tmp;

    private static List<Event> events(Path ws) {
        List<Event> l = new ArrayList<>();
        try (Workspace w = Workspace.open(ws); EventReader r = w.reader()) {
            Event e = new Event();
            while (r.next(e)) {
                l.add(e.copy());
            }
        }
        return l;
    }

    private void roundTrip(Path trace) throws IOException {
        Path a = tmp.resolve("a-" + trace.getFileName());
        Path b = tmp.resolve("b-" + trace.getFileName());
        Path csv = tmp.resolve(trace.getFileName() + ".csv");
        assertEquals(0, Cli.run("ingest", trace, "-w", a).code);
        Cli ex = Cli.run("export", "-w", a, "-o", csv);
        assertEquals(0, ex.code, ex.toString());
        assertTrue(Files.readString(csv).contains(CsvEventWriter.HEADER_LINE));
        Cli in = Cli.run("ingest", csv, "-w", b);
        assertEquals(0, in.code, in.toString());
        assertTrue(in.out.contains("csv, "), in.out);
        List<Event> want = events(a);
        List<Event> got = events(b);
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i), got.get(i), "event " + i);
        }
        // the figures computed from the stored events are the same (line accounting is the CSV's own)
        ObjectMapper m = new ObjectMapper();
        JsonNode sa = m.readTree(Cli.run("stats", "-w", a, "--json").out);
        JsonNode sb = m.readTree(Cli.run("stats", "-w", b, "--json").out);
        for (String k : List.of("total_events", "events_by_type", "fallback_faults_strict", "reader_wait_us", "write_hold_us",
                "lost_events", "per_mm", "per_comm_top40", "pairing_diagnostics", "first_ts", "last_ts")) {
            assertEquals(sa.get(k), sb.get(k), k);
        }
    }

    @Test
    void roundTripOfARealFtraceTrace() throws IOException {
        roundTrip(Cli.shared().resolve("traces/ftrace-overlap-default.txt"));
    }

    @Test
    void roundTripKeepsLostMarkersAndSyscallArguments() throws IOException {
        roundTrip(Cli.sample("perf-lost.perf.txt"));
        roundTrip(Cli.sample("tc-ns.report.txt"));
    }

    @Test
    void missingWorkspaceIsAWorkspaceError() {
        Cli c = Cli.run("export", "-w", tmp.resolve("nope"), "-o", tmp.resolve("x.csv"));
        assertEquals(ExitCode.WORKSPACE, c.code);
        assertTrue(c.err.startsWith("vmalock: ") && c.err.contains("no such workspace"), c.err);
        assertTrue(!Files.exists(tmp.resolve("x.csv")));
    }

    @Test
    void aDatabaseTableAsCsvAndParquet() throws IOException {
        Path ws = tmp.resolve("ws-table");
        assertEquals(0, Cli.run("ingest", Cli.shared().resolve("traces/ftrace-overlap-default.txt"), "-w", ws).code);
        Path csv = tmp.resolve("spans.csv");
        Cli c = Cli.run("export", "-w", ws, "--table", "lock_spans", "-o", csv);
        assertEquals(0, c.code, c.toString());
        List<String> lines = Files.readAllLines(csv);
        assertTrue(lines.get(0).startsWith("run,span,tid,comm,mm,write,"), lines.get(0));
        // one row per acquire_returned (1366 in the truth's events_by_type)
        assertEquals(1366 + 1, lines.size());
        Path pq = tmp.resolve("faults.parquet");
        Cli p = Cli.run("export", "-w", ws, "--table", "faults", "--format", "parquet", "-o", pq);
        assertEquals(0, p.code, p.toString());
        assertTrue(p.err.contains("wrote 10,555 rows of faults"), p.err);
        // DuckDB reads the Parquet file back: as many rows, as many fallbacks as the truth
        Cli q = Cli.run("query", "-w", ws, "--allow-external", "--format", "csv", "SELECT count(*) AS n, count(*) FILTER (WHERE fallback) AS fb"
                + " FROM read_parquet('" + pq + "')");
        assertEquals("n,fb\r\n10555,143\r\n", q.out);
        Cli ev = Cli.run("export", "-w", ws, "--table", "events", "-o", tmp.resolve("events.csv"));
        assertEquals(0, ev.code, ev.toString());
        assertEquals(19444 + 1, Files.readAllLines(tmp.resolve("events.csv")).size());
        Cli bad = Cli.run("export", "-w", ws, "--table", "nope", "-o", tmp.resolve("x.csv"));
        assertEquals(ExitCode.USAGE, bad.code);
        assertTrue(bad.err.startsWith("vmalock export: no table nope"), bad.err);
    }

    /** Issue 12 item 11: --format parquet without --table writes the events as Parquet, not CSV into a .parquet file. */
    @Test
    void parquetWithoutTableIsTheEventsTable() throws IOException {
        Path ws = tmp.resolve("pqws");
        Path pq = tmp.resolve("events.parquet");
        Cli ing = Cli.run("ingest", Cli.shared().resolve("traces/ftrace-overlap-default.txt"), "-w", ws);
        Cli p = Cli.run("export", "-w", ws, "--format", "parquet", "-o", pq);
        assertEquals(0, ing.code + p.code, ing + "\n" + p);
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(pq), 4);
        assertEquals("PAR1", new String(head, java.nio.charset.StandardCharsets.US_ASCII));
        Cli q = Cli.run("query", "-w", ws, "--allow-external", "--format", "csv", "SELECT count(*) AS n FROM read_parquet('" + pq + "') WHERE kind <> 'lost'");
        assertEquals("n\r\n19444\r\n", q.out);
        Cli bad = Cli.run("export", "-w", ws, "--format", "xml", "-o", tmp.resolve("x.xml"));
        assertEquals(ExitCode.USAGE, bad.code, bad.toString());
    }
}
