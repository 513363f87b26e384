package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vmalock query}: ad-hoc SQL, a .sql file, the lazily loaded events table, one-line errors. */
class QueryCommandTest {
    @TempDir
    Path tmp;

    @Test
    void sqlTextFileAndLazyEvents() throws IOException {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", Cli.shared().resolve("traces/perf-disjoint.perf.txt"), "-w", ws).code);
        JsonNode truth = new ObjectMapper().readTree(Cli.shared().resolve("traces/perf-disjoint.perf.truth.json").toFile());
        // the raw events load on first use, and agree with the derived tables
        Cli q = Cli.run("query", "-w", ws, "--format", "json",
                "SELECT count(*) FILTER (WHERE kind <> 'lost') AS n, count(*) FILTER (WHERE name = 'page_fault_user') AS faults,"
                        + " (SELECT count(*) FROM faults) AS fault_rows FROM events");
        assertEquals(0, q.code, q.toString());
        JsonNode row = new ObjectMapper().readTree(q.out).get("reports").get(0).get("sections").get(0).get("rows").get(0);
        assertEquals(truth.get("total_events").asLong(), row.get("n").asLong());
        assertEquals(truth.get("page_faults").asLong(), row.get("faults").asLong());
        assertEquals(truth.get("page_faults").asLong(), row.get("fault_rows").asLong());

        Path f = tmp.resolve("two.sql");
        Files.writeString(f, "-- two: two results\n-- section: tasks\nSELECT count(*) AS tasks FROM tasks;\n"
                + "-- section: mms\nSELECT count(*) AS mms FROM mms;\n");
        Cli file = Cli.run("query", "-w", ws, "-f", f);
        assertEquals(0, file.code, file.toString());
        assertTrue(file.out.contains("== two — tasks") && file.out.contains("== two — mms"), file.out);
        assertTrue(file.out.contains(String.valueOf(truth.get("distinct_mm").asLong())), file.out);

        // syscall arguments by name, as printed
        Cli args = Cli.run("query", "-w", ws, "--format", "csv", "SELECT count(*) AS n, count(*) FILTER (WHERE args['len'] = range_len)"
                + " AS same FROM syscalls WHERE syscall = 'mprotect' AND enter_ts IS NOT NULL");
        assertEquals(0, args.code, args.toString());
        String[] nv = args.out.split("\r\n")[1].split(",");
        assertTrue(Long.parseLong(nv[0]) > 0, args.out);
        assertEquals(nv[0], nv[1], args.out);

        Cli bad = Cli.run("query", "-w", ws, "SELEC 1");
        assertEquals(ExitCode.QUERY, bad.code);
        assertEquals(1, bad.err.strip().split("\n").length, bad.err);
        assertTrue(bad.err.startsWith("vmalock query: query: Parser Error"), bad.err);

        Cli missing = Cli.run("query", "-w", ws, "-f", tmp.resolve("nope.sql"));
        assertEquals(ExitCode.INPUT, missing.code);
        assertTrue(missing.err.contains("nope.sql: cannot read"), missing.err);
    }

    /** Issue 12 item 1: a query sees the observed run unless told otherwise, and says which runs it covers. */
    @Test
    void defaultsToTheObservedRunAndSaysWhichRuns() throws IOException {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", Cli.shared().resolve("traces/perf-disjoint.perf.txt"), "-w", ws).code);
        JsonNode truth = new ObjectMapper().readTree(Cli.shared().resolve("traces/perf-disjoint.perf.truth.json").toFile());
        Cli rp = Cli.run("replay", "-w", ws, "--policy", "vma-refcount");
        assertEquals(0, rp.code, rp.toString());
        long faults = truth.get("page_faults").asLong();

        Cli q = Cli.run("query", "-w", ws, "SELECT count(*) AS n FROM faults");
        assertEquals(0, q.code, q.toString());
        assertTrue(q.out.startsWith("runs: observed\n"), q.out);
        assertTrue(q.out.contains(" " + faults + "\n") || q.out.endsWith("\n" + faults + "\n"), q.out);

        Cli json = Cli.run("query", "-w", ws, "--format", "json", "SELECT count(*) AS n FROM faults");
        JsonNode doc = new ObjectMapper().readTree(json.out);
        assertEquals("[\"observed\"]", doc.get("runs").toString());
        assertEquals(faults, doc.get("reports").get(0).get("sections").get(0).get("rows").get(0).get("n").asLong());

        Cli all = Cli.run("query", "-w", ws, "--run", "all", "--format", "json", "SELECT count(DISTINCT run) AS runs FROM faults");
        assertEquals(0, all.code, all.toString());
        JsonNode ad = new ObjectMapper().readTree(all.out);
        assertEquals(2, ad.get("runs").size(), all.out);
        assertEquals(2, ad.get("reports").get(0).get("sections").get(0).get("rows").get(0).get("runs").asLong());

        Cli csv = Cli.run("query", "-w", ws, "--format", "csv", "SELECT count(*) AS n FROM faults");
        assertEquals("n\r\n" + faults + "\r\n", csv.out);
        assertTrue(csv.err.contains("runs: observed"), csv.err);

        Cli rep = Cli.run("report", "-w", ws, "summary", "--format", "json");
        assertEquals("[\"observed\"]", new ObjectMapper().readTree(rep.out).get("runs").toString());
        Cli cmp = Cli.run("report", "-w", ws, "policy_compare", "--format", "json");
        assertEquals(2, new ObjectMapper().readTree(cmp.out).get("runs").size(), cmp.out);
    }
}
