package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code vmalock report}: every bundled report runs on the real traces and its headline figures equal the
 * truth JSON; data_quality shows a lossy capture's lost events and a small-buffer trace file's overwritten
 * entries; a user's report folder works; SQL errors are one line naming the report.
 */
class ReportCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path ingest(Path trace) {
        Path ws = tmp.resolve("ws-" + trace.getFileName());
        Cli in = Cli.run("ingest", trace, "-w", ws);
        assertEquals(0, in.code, in.toString());
        return ws;
    }

    /** The rows of a section of a report in --format json output. */
    static JsonNode rows(JsonNode doc, String report, String sectionPrefix) {
        for (JsonNode r : doc.get("reports")) {
            if (r.get("name").asText().equals(report)) {
                for (JsonNode s : r.get("sections")) {
                    if (sectionPrefix == null || s.get("title").asText().startsWith(sectionPrefix)) {
                        return s.get("rows");
                    }
                }
            }
        }
        throw new AssertionError("no section " + report + " / " + sectionPrefix);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftrace-overlap-default", "perf-disjoint.perf", "tc-overlap.report"})
    void everyBundledReportOnARealTraceMatchesItsTruth(String base) throws IOException {
        Path ws = ingest(Cli.shared().resolve("traces/" + base + ".txt"));
        JsonNode truth = JSON.readTree(Cli.shared().resolve("traces/" + base + ".truth.json").toFile());
        Cli r = Cli.run("report", "-w", ws, "--format", "json", "summary", "fallback_rates", "writer_waits",
                "reader_waits", "hold_times", "per_mm", "top_tasks", "vma_lock_counters", "data_quality",
                "policy_compare", "stats");
        assertEquals(0, r.code, r.toString());
        assertEquals("", r.err);
        JsonNode doc = JSON.readTree(r.out);
        assertEquals(11, doc.get("reports").size());
        JsonNode sum = rows(doc, "summary", null).get(0);
        assertEquals("observed", sum.get("run").asText());
        assertEquals(truth.get("page_faults").asLong(), sum.get("page_faults").asLong());
        assertEquals(truth.get("fallback_faults_strict").asLong(), sum.get("fallback_faults").asLong());
        assertEquals(truth.get("fallback_rate_strict").asDouble(), sum.get("fallback_rate").asDouble());
        assertEquals(truth.get("mmap_lock").get("read_acquisitions").asLong(), sum.get("read_acq").asLong());
        assertEquals(truth.get("mmap_lock").get("write_acquisitions").asLong(), sum.get("write_acq").asLong());
        assertEquals(truth.get("mmap_lock").get("failed_acquisitions").asLong(), sum.get("failed_acq").asLong());
        JsonNode fr = rows(doc, "fallback_rates", "overall").get(0);
        assertEquals(truth.get("fallback_faults").asLong(), fr.get("fallback_faults_loose").asLong());
        String[][] stats = {{"writer_waits", "writer wait (", "writer_wait_us"}, {"reader_waits", "reader wait (", "reader_wait_us"},
            {"hold_times", "write hold (", "write_hold_us"}, {"hold_times", "read hold (", "read_hold_us"}};
        for (String[] s : stats) {
            JsonNode got = rows(doc, s[0], s[1]).get(0);
            JsonNode want = truth.get(s[2]);
            for (String k : List.of("count", "sum", "min", "p50", "p90", "p99", "max")) {
                String col = k.equals("count") ? k : k + "_us";
                assertEquals(want.get(k).asDouble(), got.get(col).asDouble(), s[2] + "." + k);
            }
            // the histogram counts add up to the samples that are not negative
            long n = 0;
            for (JsonNode b : rows(doc, s[0], s[1].replace(" (", ", log2"))) {
                n += b.get("count").asLong();
            }
            assertEquals(want.get("count").asLong() - want.get("negative_samples").asLong(), n, s[2] + " histogram");
        }
        assertEquals(truth.get("per_mm").size(), rows(doc, "per_mm", null).size());
        JsonNode dq = rows(doc, "data_quality", "input").get(0);
        assertEquals(truth.get("lost_events").asLong(), dq.get("lost_events").asLong());
        assertEquals("ok", dq.get("verdict").asText());
        JsonNode pc = rows(doc, "policy_compare", null).get(0);
        assertEquals(0.0, pc.get("d_fallback_rate").asDouble());
    }

    @Test
    void defaultSetIsAReadableTableWithUnits() {
        Path ws = ingest(Cli.shared().resolve("traces/ftrace-overlap-default.txt"));
        Cli r = Cli.run("report", "-w", ws);
        assertEquals(0, r.code, r.toString());
        for (String s : List.of("== summary", "== fallback_rates — overall", "== writer_waits — writer wait (µs)",
                "== reader_waits", "== hold_times", "== data_quality", "p99 (µs)", "[2, 4)", "|@@@")) {
            assertTrue(r.out.contains(s), s + " in\n" + r.out);
        }
        // aligned: every line of the summary table has the same width as its rule line
        String[] lines = r.out.split("\n");
        assertEquals(lines[2].length(), lines[1].length());
        assertTrue(lines[3].contains("0.013548"), lines[3]);
    }

    @Test
    void dataQualityShowsLostEventsAndOverwrittenEntries() throws IOException {
        Path lossy = ingest(Cli.sample("ftrace-pipe-lost.txt"));
        JsonNode want = JSON.readTree(Cli.sample("ftrace-pipe-lost.expected.json").toFile());
        JsonNode dq = rows(JSON.readTree(Cli.run("report", "-w", lossy, "data_quality", "--format", "json").out),
                "data_quality", "input").get(0);
        assertEquals(want.get("lost_events").asLong(), dq.get("lost_events").asLong());
        assertTrue(dq.get("lost_events").asLong() > 0);
        assertEquals(want.get("lost_event_markers").asLong(), dq.get("lost_markers").asLong());
        assertTrue(dq.get("verdict").asText().startsWith("LOSSY"));

        Path small = ingest(Cli.sample("ftrace-overwrite.txt"));
        JsonNode w2 = JSON.readTree(Cli.sample("ftrace-overwrite.expected.json").toFile());
        JsonNode dq2 = rows(JSON.readTree(Cli.run("report", "-w", small, "data_quality", "--format", "json").out),
                "data_quality", "input").get(0);
        long overwritten = w2.get("header_entries_written").asLong() - w2.get("header_entries_in_buffer").asLong();
        assertTrue(overwritten > 0);
        assertEquals(overwritten, dq2.get("overwritten_entries").asLong());
        assertTrue(dq2.get("verdict").asText().startsWith("LOSSY"));
    }

    @Test
    void aUsersOwnReportFolderWorksAndErrorsAreOneLine() throws IOException {
        Path ws = ingest(Cli.shared().resolve("traces/ftrace-overlap-default.txt"));
        Path mine = Files.createDirectories(tmp.resolve("my-queries"));
        Files.writeString(mine.resolve("slow_mprotects.sql"), String.join("\n",
                "-- slow_mprotects: Which mprotect calls took longest?",
                "SELECT run, tid, hex16(range_start) AS start, range_len, dur_ns / 1000.0 AS dur_us",
                "FROM syscalls WHERE syscall = 'mprotect' AND dur_ns IS NOT NULL",
                "ORDER BY dur_ns DESC, enter_seq LIMIT 3;"));
        Files.writeString(mine.resolve("broken.sql"), "-- broken: a typo\nSELECT no_such_column FROM faults;\n");
        Cli r = Cli.run("report", "-w", ws, "--queries", mine, "slow_mprotects", "--format", "csv");
        assertEquals(0, r.code, r.toString());
        List<CSVRecord> recs = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(r.out)).getRecords();
        assertEquals(3, recs.size());
        assertEquals("observed", recs.get(0).get("run"));
        assertTrue(Double.parseDouble(recs.get(0).get("dur_us")) >= Double.parseDouble(recs.get(2).get("dur_us")));

        Cli list = Cli.run("report", "-w", ws, "--queries", mine, "--list");
        assertTrue(list.out.contains("slow_mprotects") && list.out.contains("Which mprotect calls took longest?"), list.out);

        Cli bad = Cli.run("report", "-w", ws, "--queries", mine, "broken");
        assertEquals(ExitCode.QUERY, bad.code, bad.toString());
        assertEquals(1, bad.err.strip().split("\n").length, bad.err);
        assertTrue(bad.err.startsWith("vmalock report: broken: Binder Error"), bad.err);
        assertFalse(bad.err.contains("\tat "));

        Cli unknown = Cli.run("report", "-w", ws, "nope");
        assertEquals(ExitCode.USAGE, unknown.code);
        assertTrue(unknown.err.contains("no report named nope"), unknown.err);
        Cli noRun = Cli.run("report", "-w", ws, "--run", "r9");
        assertEquals(ExitCode.WORKSPACE, noRun.code);
        assertTrue(noRun.err.contains("no run r9"), noRun.err);
        Cli md = Cli.run("report", "-w", ws, "summary", "--format", "markdown");
        assertTrue(md.out.startsWith("### summary\n\n| run | policy |"), md.out);
    }
}
