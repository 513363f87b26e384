package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code vmalock stats}: golden tests. Each real trace is ingested and {@code stats --json} must equal
 * its independently computed figures on every field they contain: the three shared traces against
 * their {@code *.truth.json} (Python + awk), the bundled sample captures against
 * {@code *.expected.json} (sample-traces/expected.awk).
 */
class StatsCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static Stream<String> sharedTraces() {
        return Stream.of("ftrace-overlap-default.txt", "perf-disjoint.perf.txt", "tc-overlap.report.txt");
    }

    static Stream<String> sampleTraces() throws IOException {
        try (Stream<Path> s = Files.list(Cli.root().resolve("sample-traces"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".expected.json")).sorted()
                    .map(n -> n.substring(0, n.length() - ".expected.json".length())).toList().stream();
        }
    }

    private JsonNode ingestAndStats(Path trace) throws IOException {
        Path ws = tmp.resolve("ws");
        Cli in = Cli.run("ingest", trace, "-w", ws);
        assertEquals(0, in.code, in.toString());
        assertTrue(in.out.contains(", 0 problems"), in.out);
        Cli st = Cli.run("stats", "-w", ws, "--json");
        assertEquals(0, st.code, st.toString());
        JsonNode sql = JSON.readTree(st.out);
        // --source takes the Java aggregation (vmalock.stats.StatsJson) instead of the SQL report: same figures
        Cli java = Cli.run("stats", "-w", ws, "--json", "--source", "0");
        assertEquals(0, java.code, java.toString());
        List<String> diffs = new ArrayList<>();
        compare("", JSON.readTree(java.out), sql, diffs, false);
        assertEquals(List.of(), diffs, "Java aggregation vs SQL report");
        return sql;
    }

    @ParameterizedTest
    @MethodSource("sharedTraces")
    void sharedTraceEqualsItsTruth(String name) throws IOException {
        Path trace = Cli.shared().resolve("traces").resolve(name);
        JsonNode truth = JSON.readTree(trace.resolveSibling(name.replaceAll("\\.txt$", ".truth.json")).toFile());
        JsonNode got = ingestAndStats(trace);
        assertTrue(truth.has("per_mm") && truth.has("per_comm_top40"));
        List<String> diffs = new ArrayList<>();
        compare("", truth, got, diffs, false);
        assertEquals(List.of(), diffs, name);
    }

    @ParameterizedTest
    @MethodSource("sampleTraces")
    void sampleTraceEqualsItsAwkFigures(String base) throws IOException {
        Path dir = Cli.root().resolve("sample-traces");
        Path trace;
        try (Stream<Path> s = Files.list(dir)) {
            trace = s.filter(p -> p.getFileName().toString().equals(base + ".txt")).findFirst().orElseThrow();
        }
        JsonNode expected = JSON.readTree(dir.resolve(base + ".expected.json").toFile());
        JsonNode got = ingestAndStats(trace);
        List<String> diffs = new ArrayList<>();
        compare("", expected, got, diffs, got.get("format").asText().equals("perf"));
        assertEquals(List.of(), diffs, base);
    }

    /** The counterfactual captures of two configurations (one per layout), both modes: stats = awk truth. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"o2-u1", "o2-k1", "d2-u1", "d2-k1"})
    void counterfactualCaptureEqualsItsAwkFigures(String base) throws IOException {
        Path dir = Cli.root().resolve("sample-traces/cf");
        JsonNode expected = JSON.readTree(dir.resolve(base + ".expected.json").toFile());
        JsonNode got = ingestAndStats(dir.resolve(base + ".txt.xz"));
        List<String> diffs = new ArrayList<>();
        compare("", expected, got, diffs, false);
        assertEquals(List.of(), diffs, base);
    }

    /**
     * Every field of {@code want} must be in {@code got} with an equal value (numbers compared as
     * numbers: 722.0 == 722). Objects that are breakdowns (maps keyed by data) must have exactly the
     * same keys in the same order; pairing_diagnostics may carry extra counters of ours. For perf
     * sources the awk does not attribute PERF_RECORD_LOST to a CPU (the Java tool does, from the
     * record's [cpu] column), so lost_events_by_cpu is compared by its total only.
     */
    static void compare(String path, JsonNode want, JsonNode got, List<String> diffs, boolean perf) {
        if (got == null) {
            diffs.add(path + ": missing (want " + want + ")");
            return;
        }
        if (want.isObject()) {
            if (!got.isObject()) {
                diffs.add(path + ": want object, got " + got);
                return;
            }
            String leaf = path.substring(path.lastIndexOf('.') + 1);
            if (perf && leaf.equals("lost_events_by_cpu")) {
                long sum = 0;
                for (JsonNode v : got) {
                    sum += v.asLong();
                }
                long wantSum = 0;
                for (JsonNode v : want) {
                    wantSum += v.asLong();
                }
                if (want.size() > 0 && sum != wantSum) {
                    diffs.add(path + ": total " + sum + " != " + wantSum);
                }
                return;
            }
            // rankings: same keys in the same order (events desc, ties by name)
            boolean ranked = leaf.equals("per_mm") || leaf.equals("per_comm_top40") || leaf.equals("comms");
            // maps keyed by data: same key set (the awk prints lost_events_by_cpu in hash order)
            boolean keyed = ranked || leaf.equals("events_by_type") || leaf.equals("non_event_lines_by_kind")
                    || leaf.equals("lost_events_by_cpu");
            if (keyed) {
                List<String> wk = new ArrayList<>();
                want.fieldNames().forEachRemaining(wk::add);
                List<String> gk = new ArrayList<>();
                got.fieldNames().forEachRemaining(gk::add);
                if (ranked ? !wk.equals(gk) : !new java.util.TreeSet<>(wk).equals(new java.util.TreeSet<>(gk))) {
                    diffs.add(path + ": keys " + gk + " != " + wk);
                    return;
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = want.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> f = it.next();
                if (path.isEmpty() && (f.getKey().equals("capture") || f.getKey().equals("format") || f.getKey().equals("trace_clock"))) {
                    // file name and format spelling: checked below; the clock: the awk is told it (the capture's
                    // setting), a text trace does not print it (vmalock says unknown: ClockLabelTest)
                    continue;
                }
                compare(path + "." + f.getKey(), f.getValue(), got.get(f.getKey()), diffs, perf);
            }
            return;
        }
        if (want.isNumber() && got.isNumber()) {
            if (want.decimalValue().compareTo(got.decimalValue()) != 0) {
                diffs.add(path + ": " + got + " != " + want);
            }
            return;
        }
        if (!want.equals(got)) {
            diffs.add(path + ": " + got + " != " + want);
        }
    }

    @Test
    void formatAndCaptureNamesFollowTheTruth() throws IOException {
        JsonNode got = ingestAndStats(Cli.shared().resolve("traces/tc-overlap.report.txt"));
        assertEquals("tc-overlap.report.txt", got.get("capture").asText());
        assertEquals("trace-cmd", got.get("format").asText());
        assertEquals("unknown", got.get("trace_clock").asText(), "trace-cmd report does not print the clock");
        assertFalse(got.get("lossy").asBoolean());
        assertEquals(0, got.get("warnings").size());
    }

    @Test
    void humanSummaryHasUnitsAndTheRule2FallbackRate() {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", Cli.sample("ftrace-overlap-default.txt"), "-w", ws).code);
        Cli st = Cli.run("stats", "-w", ws);
        assertEquals(0, st.code, st.toString());
        assertTrue(st.out.contains("(µs)"), st.out);
        // rule 2: 143 / 10555 = 1.355 %
        assertTrue(st.out.matches("(?s).*fallback rate, rule 2\\s+1\\.355 %\\s+\\(143 faults.*"), st.out);
        assertTrue(st.out.contains("writer wait"), st.out);
        assertEquals("", st.err);
        assertFalse(st.out.contains("WARNING"), st.out);
    }

    @Test
    void lossyTracesAreFlaggedOnStderrAndInTheOutput() throws IOException {
        Path ws = tmp.resolve("ws");
        Cli in = Cli.run("ingest", Cli.sample("ftrace-pipe-lost.txt"), "-w", ws);
        assertEquals(0, in.code, in.toString());
        assertTrue(in.err.contains("lost 1,357 events"), in.err);
        Cli st = Cli.run("stats", "-w", ws);
        assertTrue(st.out.contains("WARNING"), st.out);
        assertTrue(st.err.contains("vmalock: warning: the trace lost events (1357"), st.err);
        JsonNode j = JSON.readTree(Cli.run("stats", "-w", ws, "--json").out);
        assertTrue(j.get("lossy").asBoolean());
        assertEquals(1, j.get("warnings").size());

        Path ws2 = tmp.resolve("ws2");
        Cli in2 = Cli.run("ingest", Cli.sample("ftrace-overwrite.txt"), "-w", ws2);
        assertTrue(in2.err.contains("overwrote 2,026 entries"), in2.err);
        Cli st2 = Cli.run("stats", "-w", ws2);
        assertTrue(st2.err.contains("2026 entries overwritten"), st2.err);
        assertTrue(JSON.readTree(Cli.run("stats", "-w", ws2, "--json").out).get("lossy").asBoolean());
    }

    @Test
    void severalSourcesAndTheSourceFilter() throws IOException {
        Path ws = tmp.resolve("ws");
        Cli in = Cli.run("ingest", Cli.sample("tc-plain.report.txt"), Cli.sample("perf-fields.perf.txt"), "-w", ws);
        assertEquals(0, in.code, in.toString());
        assertTrue(in.out.contains("source 0: ") && in.out.contains("source 1: "), in.out);
        JsonNode all = JSON.readTree(Cli.run("stats", "-w", ws, "--json").out);
        JsonNode one = JSON.readTree(Cli.run("stats", "-w", ws, "--json", "--source", "1").out);
        JsonNode want = JSON.readTree(Cli.sample("perf-fields.perf.expected.json").toFile());
        List<String> diffs = new ArrayList<>();
        compare("", want, one, diffs, true);
        assertEquals(List.of(), diffs);
        JsonNode tc = JSON.readTree(Cli.sample("tc-plain.report.expected.json").toFile());
        assertEquals(tc.get("total_events").asLong() + want.get("total_events").asLong(), all.get("total_events").asLong());
        assertEquals(tc.get("fallback_faults_strict").asLong() + want.get("fallback_faults_strict").asLong(),
                all.get("fallback_faults_strict").asLong());
    }

    @Test
    void workspaceErrorsAreOneLineWithExitCode4() {
        Cli st = Cli.run("stats", "-w", tmp.resolve("missing"));
        assertEquals(4, st.code);
        assertTrue(st.err.startsWith("vmalock: ") && st.err.contains("no such workspace"), st.err);
        assertEquals(1, st.err.strip().split("\n").length, st.err);
        Cli bad = Cli.run("stats", "-w", tmp);
        assertEquals(4, bad.code);
        assertTrue(bad.err.contains("not a vmalock workspace"), bad.err);
        Cli usage = Cli.run("stats");
        assertEquals(2, usage.code);
        assertTrue(usage.err.contains("Missing required option"), usage.err);
        Cli noSource = Cli.run("stats", "-w", tmp.resolve("ws0"));
        assertEquals(4, noSource.code);
        if (noSource.err.contains("Exception")) {
            fail(noSource.err);
        }
    }

    /**
     * Issue 12 item 2: a writer's request and acquisition on either side of a lost-events marker of its
     * CPU is not a wait sample (it was a 7,435 µs writer wait where p99 was 1 µs); the count is shown in
     * JSON (both the SQL and the Java path) and text.
     */
    @Test
    void pairsAcrossLostEventsAreNotSamples() throws IOException {
        String fmt = "%16s-%-7d [%03d] ..... %s: %s: %s%n";
        String mm = "mm=00000000deadbeef memcg_id=1 ";
        String t = "# tracer: nop\n#\n"
                + String.format(fmt, "w", 10, 1, "100.000010", "mmap_lock_start_locking", mm + "write=true")
                + "CPU:1 [LOST 9 EVENTS]\n"
                + String.format(fmt, "w", 10, 1, "100.007445", "mmap_lock_acquire_returned", mm + "write=true success=true")
                + String.format(fmt, "w", 10, 1, "100.007446", "mmap_lock_released", mm + "write=true")
                + String.format(fmt, "r", 11, 0, "100.007500", "mmap_lock_start_locking", mm + "write=false")
                + String.format(fmt, "r", 11, 0, "100.007501", "mmap_lock_acquire_returned", mm + "write=false success=true")
                + "CPU:0 [LOST 3 EVENTS]\n"
                + String.format(fmt, "r", 11, 0, "100.007700", "mmap_lock_released", mm + "write=false");
        Path f = tmp.resolve("lossy.txt");
        Files.writeString(f, t);
        JsonNode j = ingestAndStats(f);
        assertEquals(0, j.get("writer_wait_us").get("count").asLong(), j.toString());
        assertEquals(1, j.get("write_hold_us").get("count").asLong());
        assertEquals(1, j.get("reader_wait_us").get("count").asLong());
        assertEquals(0, j.get("read_hold_us").get("count").asLong());
        assertEquals(1, j.get("pairing_diagnostics").get("wait_pairs_across_lost_events").asLong());
        assertEquals(1, j.get("pairing_diagnostics").get("hold_pairs_across_lost_events").asLong());
        assertEquals(0, j.get("pairing_diagnostics").get("acquire_without_start_write").asLong());
        Cli st = Cli.run("stats", "-w", tmp.resolve("ws"));
        assertTrue(st.out.contains("pairs across lost events  1 waits, 1 holds"), st.out);
    }
}
