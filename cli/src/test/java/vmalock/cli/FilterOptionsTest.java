package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vmalock.store.EventFilter;

/**
 * Issue 12 item 5: --pid/--tid/--comm/--mm/--from/--to on stats, report, export, replay and compare, one mixin,
 * the same meaning everywhere, and every output says which filter it applied.
 */
class FilterOptionsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    Path ws;

    @BeforeEach
    void ingest() {
        ws = tmp.resolve("ws");
        Cli in = Cli.run("ingest", Cli.sample("ftrace-overlap-default.txt"), "-w", ws);
        assertEquals(0, in.code, in.toString());
    }

    @Test
    void statsByCommCountsOnlyThatTaskAndSaysSo() throws IOException {
        Cli all = Cli.run("stats", "-w", ws, "--json");
        Cli one = Cli.run("stats", "-w", ws, "--json", "--comm", "ov-writer");
        assertEquals(0, one.code, one.toString());
        JsonNode a = JSON.readTree(all.out);
        JsonNode j = JSON.readTree(one.out);
        long writerEvents = a.get("per_comm_top40").get("ov-writer").get("events").asLong();
        assertEquals(writerEvents, j.get("total_events").asLong());
        assertEquals(List.of("ov-writer"), iter(j.get("per_comm_top40").fieldNames()));
        assertEquals("comm=ov-writer", j.get("filter").asText());
        assertEquals(writerEvents, j.get("filter_kept_events").asLong());
        assertEquals(a.get("total_events").asLong(), j.get("filter_seen_events").asLong());
        Cli text = Cli.run("stats", "-w", ws, "--comm", "ov-writer");
        assertTrue(text.out.startsWith("filter: comm=ov-writer (kept " + String.format("%,d", writerEvents)), text.out);
        assertFalse(all.out.contains("filter"), all.out);
    }

    @Test
    void timeWindowTakesTraceSecondsUnitsAndOffsets() throws IOException {
        JsonNode a = JSON.readTree(Cli.run("stats", "-w", ws, "--json", "--from", "1216.52").out);
        JsonNode b = JSON.readTree(Cli.run("stats", "-w", ws, "--json", "--from", "1216520ms").out);
        assertEquals(a.get("total_events"), b.get("total_events"));
        JsonNode all = JSON.readTree(Cli.run("stats", "-w", ws, "--json").out);
        long total = all.get("total_events").asLong();
        long after = a.get("total_events").asLong();
        assertTrue(after > 0 && after < total, after + " of " + total);
        JsonNode before = JSON.readTree(Cli.run("stats", "-w", ws, "--json", "--to", "1216.52s").out);
        assertEquals(total, after + before.get("total_events").asLong(), "[from, to) windows partition the trace");
        JsonNode first10ms = JSON.readTree(Cli.run("stats", "-w", ws, "--json", "--to", "+10ms").out);
        assertTrue(first10ms.get("total_events").asLong() < total);
        Cli bad = Cli.run("stats", "-w", ws, "--from", "soon");
        assertEquals(ExitCode.USAGE, bad.code, bad.toString());
        assertTrue(bad.err.contains("--from soon: not a time"), bad.err);
        Cli empty = Cli.run("stats", "-w", ws, "--from", "2s", "--to", "1s");
        assertEquals(ExitCode.USAGE, empty.code, empty.toString());
    }

    @Test
    void parseTime() {
        assertEquals(1_216_420_000_000L, EventFilter.parseTime("--from", "1216.42", false, 0));
        assertEquals(1_500_000_000L, EventFilter.parseTime("--from", "1.5s", false, 0));
        assertEquals(200_000_000L, EventFilter.parseTime("--from", "200ms", false, 0));
        assertEquals(300_000L, EventFilter.parseTime("--from", "300µs", false, 0));
        assertEquals(300_000L, EventFilter.parseTime("--from", "300us", false, 0));
        assertEquals(1_000 + 2_000_000_000L, EventFilter.parseTime("--from", "+2s", false, 1_000));
        assertEquals(12345L, EventFilter.parseTime("--from", "12345", true, 0));
        assertThrows(IllegalArgumentException.class, () -> EventFilter.parseTime("--from", "2ms", true, 0));
        assertThrows(IllegalArgumentException.class, () -> EventFilter.parseTime("--from", "-1", false, 0));
    }

    @Test
    void tidPidAndMmSelectTheSameTask() throws IOException {
        // capture.sh-16869 takes the locks of mm 5f3681c8 and c4a8aad3 in the first lines of the trace
        JsonNode tid = JSON.readTree(Cli.run("stats", "-w", ws, "--json", "--tid", "16869").out);
        JsonNode pid = JSON.readTree(Cli.run("stats", "-w", ws, "--json", "--pid", "16869").out);
        assertEquals(tid.get("total_events"), pid.get("total_events"), "no tgid in this trace: --pid falls back to the tid");
        Cli note = Cli.run("stats", "-w", ws, "--pid", "16869");
        assertTrue(note.out.contains("records no thread-group ids"), note.out);
        JsonNode mm = JSON.readTree(Cli.run("stats", "-w", ws, "--json", "--mm", "0x000000005f3681c8").out);
        assertTrue(mm.get("total_events").asLong() > 0);
        assertEquals(1, mm.get("per_mm").size(), mm.get("per_mm").toString());
        Cli bad = Cli.run("stats", "-w", ws, "--mm", "xyz");
        assertEquals(ExitCode.USAGE, bad.code, bad.toString());
    }

    @Test
    void exportWritesOnlyTheFilteredEvents() throws IOException {
        Path csv = tmp.resolve("w.csv");
        Cli ex = Cli.run("export", "-w", ws, "-o", csv, "--comm", "ov-writer");
        assertEquals(0, ex.code, ex.toString());
        assertTrue(ex.err.contains("filter: comm=ov-writer (kept 4,731 of 19,444 events)"), ex.err);
        List<String> lines = Files.readAllLines(csv);
        assertEquals(4731 + 2, lines.size()); // the clock line and the header
        Cli table = Cli.run("export", "-w", ws, "-o", tmp.resolve("t.csv"), "--table", "faults", "--comm", "x");
        assertEquals(ExitCode.USAGE, table.code, table.toString());
    }

    @Test
    void reportRunsOverTheFilteredEventsAndLeavesTheWorkspaceDatabaseWhole() throws IOException {
        Cli r = Cli.run("report", "-w", ws, "summary", "--format", "json", "--comm", "ov-writer");
        assertEquals(0, r.code, r.toString());
        assertTrue(r.err.contains("filter: comm=ov-writer"), r.err);
        assertTrue(r.out.contains("\"events\" : 4731") || r.out.contains("\"events\":4731"), r.out);
        Path html = tmp.resolve("f.html");
        Cli h = Cli.run("report", "-w", ws, "--html", html, "--comm", "ov-writer");
        assertEquals(0, h.code, h.toString());
        assertTrue(Files.readString(html).contains("Filtered: only the events with comm=ov-writer"));
        Cli whole = Cli.run("report", "-w", ws, "summary", "--format", "json");
        assertTrue(whole.out.contains("19444"), whole.out);
        assertFalse(whole.err.contains("filter"), whole.err);
    }

    @Test
    void replayAndCompareReplayOnlyTheFilteredTasksUnderTheirOwnRunIds() throws IOException {
        Cli rp = Cli.run("replay", "-w", ws, "--policy", "no-vma-lock", "--comm", "ov-writer", "--json");
        assertEquals(0, rp.code, rp.toString());
        JsonNode rec = JSON.readTree(rp.out).get(0);
        assertEquals("comm=ov-writer", rec.get("filter").asText());
        String id = rec.get("run").asText();
        assertTrue(id.startsWith("no-vma-lock-s0-f"), id);
        long replayed = rec.get("stats").get("total_events").asLong();
        assertTrue(replayed > 0 && replayed < 19444, "replayed events: " + replayed);
        JsonNode runJson = JSON.readTree(ws.resolve("runs").resolve(id).resolve("run.json").toFile());
        assertEquals("comm=ov-writer", runJson.get("filter").asText());
        Cli text = Cli.run("replay", "-w", ws, "--policy", "no-vma-lock", "--tid", "16869");
        assertTrue(text.out.startsWith("filter: tid=16869 (kept "), text.out);

        Cli c = Cli.run("compare", "-w", ws, "--policies", "no-vma-lock", "--format", "json", "--comm", "ov-writer");
        assertEquals(0, c.code, c.toString());
        JsonNode cj = JSON.readTree(c.out);
        assertEquals("comm=ov-writer", cj.get("filter").asText());
        assertTrue(c.err.contains("filter: comm=ov-writer"), c.err);
        Cli ct = Cli.run("compare", "-w", ws, "--policies", "no-vma-lock", "--comm", "ov-writer");
        assertTrue(ct.out.startsWith("filter: comm=ov-writer"), ct.out);
    }

    private static <T> List<T> iter(java.util.Iterator<T> it) {
        java.util.List<T> l = new java.util.ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }
}
