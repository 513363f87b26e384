package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code vmalock report}: every bundled report runs on the real traces and its headline figures equal the
 * truth JSON; data_quality shows a lossy capture's lost events and a small-buffer trace file's overwritten
 * entries; a user's report folder works; SQL errors are one line naming the report. {@code --html}: the page
 * of a real trace with replays is self-contained, has every promised figure with the right series, the
 * calibration figures of {@code compare --format json}, the same bytes on every run, loud data-quality
 * warnings on lossy traces, and renders in headless Chromium.
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
        assertEquals(truth.get("fallback_faults_strict").asLong(), sum.get("fallback_faults_strict").asLong());
        assertEquals(truth.get("fallback_rate_strict").asDouble(), sum.get("fallback_rate_strict").asDouble());
        assertEquals(truth.get("mmap_lock").get("read_acquisitions").asLong(), sum.get("read_acquisitions").asLong());
        assertEquals(truth.get("mmap_lock").get("write_acquisitions").asLong(), sum.get("write_acquisitions").asLong());
        assertEquals(truth.get("mmap_lock").get("failed_acquisitions").asLong(), sum.get("failed_acquisitions").asLong());
        JsonNode fr = rows(doc, "fallback_rates", "overall").get(0);
        assertEquals(truth.get("fallback_faults").asLong(), fr.get("fallback_faults").asLong());
        assertEquals(truth.get("fallback_rate").asDouble(), fr.get("fallback_rate").asDouble());
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
        assertEquals(0.0, pc.get("d_fallback_rate_strict").asDouble());
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
        assertTrue(r.out.startsWith("runs: observed\n\n"), r.out);
        String[] lines = r.out.substring(r.out.indexOf("== summary")).split("\n");
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
        assertEquals(want.get("lost_event_markers").asLong(), dq.get("lost_event_markers").asLong());
        assertTrue(dq.get("verdict").asText().startsWith("LOSSY"));

        Path small = ingest(Cli.sample("ftrace-overwrite.txt"));
        JsonNode w2 = JSON.readTree(Cli.sample("ftrace-overwrite.expected.json").toFile());
        JsonNode dq2 = rows(JSON.readTree(Cli.run("report", "-w", small, "data_quality", "--format", "json").out),
                "data_quality", "input").get(0);
        long overwritten = w2.get("header_entries_written").asLong() - w2.get("header_entries_in_buffer").asLong();
        assertTrue(overwritten > 0);
        assertEquals(overwritten, dq2.get("header_entries_overwritten").asLong());
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
        assertTrue(md.out.startsWith("_runs: observed_\n\n### summary\n\n| run | policy |"), md.out);
    }

    // ---- report --html ------------------------------------------------------------------------------

    private static final Pattern FIGURE = Pattern.compile("<figure id=\"([^\"]+)\" data-series=\"([^\"]*)\">(.*?)</figure>", Pattern.DOTALL);

    /** figure id → its series (data-series) and body. */
    static Map<String, String[]> figures(String html) {
        Map<String, String[]> m = new LinkedHashMap<>();
        Matcher f = FIGURE.matcher(html);
        while (f.find()) {
            assertFalse(m.containsKey(f.group(1)), "figure " + f.group(1) + " twice");
            m.put(f.group(1), new String[] {f.group(2), f.group(3)});
        }
        return m;
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }

    /** The data-value of the observed and replayed cells of a calibration row. */
    private static double[] calibrationRow(String html, String figure) {
        Matcher m = Pattern.compile("<tr data-figure=\"" + Pattern.quote(figure) + "\"><td>[^<]*</td>"
                + "<td class=\"n\" data-value=\"([^\"]*)\">[^<]*</td><td class=\"n\" data-value=\"([^\"]*)\">").matcher(html);
        assertTrue(m.find(), "calibration row " + figure);
        return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))};
    }

    /** A workspace of a real trace with three stored replays (by compare), and compare's JSON. */
    private Path replayedWorkspace(JsonNode[] compareJson) throws IOException {
        Path ws = ingest(Cli.shared().resolve("traces/ftrace-overlap-default.txt"));
        Cli c = Cli.run("compare", "-w", ws, "--policies", "no-vma-lock,vma-refcount,remote-vma-lock", "--format", "json");
        assertEquals(0, c.code, c.toString());
        compareJson[0] = JSON.readTree(c.out);
        return ws;
    }

    /** A closed-loop replay's row in the Replays table says how many sleeps follow their traced waker (run.json sleeps). */
    @Test
    void theReplaysTableSaysWhichSleepsFollowTheirWaker() throws IOException {
        Path ws = ingest(Cli.sample("tc-latency-sched.report.txt"));
        Cli c = Cli.run("replay", "-w", ws, "--policy", "vma-refcount", "--json");
        assertEquals(0, c.code, c.toString());
        JsonNode sl = JSON.readTree(c.out).get(0).get("sleeps");
        Path page = tmp.resolve("sleeps.html");
        assertEquals(0, Cli.run("report", "-w", ws, "--html", page).code);
        String html = Files.readString(page, StandardCharsets.UTF_8);
        assertTrue(html.contains("; " + sl.get("woken_by_traced_task_replayed").asLong() + " of "
                + sl.get("between_operations").asLong() + " sleeps end when their traced waker gets there"), sl.toString());
    }

    @Test
    void htmlPageOfARealTraceWithReplays() throws IOException {
        JsonNode[] cj = new JsonNode[1];
        Path ws = replayedWorkspace(cj);
        JsonNode cmp = cj[0];
        Path page = tmp.resolve("report.html");
        Cli r = Cli.run("report", "-w", ws, "--html", page);
        assertEquals(0, r.code, r.toString());
        assertEquals("", r.out);
        assertEquals("", r.err);
        String html = Files.readString(page, StandardCharsets.UTF_8);
        assertTrue(html.startsWith("<!DOCTYPE html>"), html.substring(0, 100));

        // self-contained: nothing to fetch (no URL at all, no script, stylesheet link, image or font)
        for (String bad : List.of("http:", "https:", "<script", "<link", "<img", "<iframe", "@import", "@font-face", "src=", "//")) {
            assertEquals(-1, html.indexOf(bad), bad + " in the page");
        }
        for (Matcher u = Pattern.compile("url\\(([^)]*)\\)").matcher(html); u.find(); ) {
            assertTrue(u.group(1).startsWith("#"), "url(" + u.group(1) + ") points off the page");
        }

        // one chart per promised figure, with the runs as series (observed first, presets in `policies` order)
        List<String> runs = List.of("observed", "no-vma-lock-s0", "vma-refcount-s0", "remote-vma-lock-s0");
        Map<String, String[]> figs = figures(html);
        assertEquals(HtmlReportWriter.FIGURES, List.copyOf(figs.keySet()));
        assertEquals(HtmlReportWriter.FIGURES.size(), count(html, "<svg "));
        for (Map.Entry<String, String[]> f : figs.entrySet()) {
            String body = f.getValue()[1];
            assertEquals(1, count(body, "<svg "), f.getKey());
            assertEquals(runs, List.of(f.getValue()[0].split(",")), f.getKey() + " series");
            Matcher t = Pattern.compile("<title id=\"" + f.getKey() + "-title\">([^<]*)</title>").matcher(body);
            assertTrue(t.find(), f.getKey() + " has an SVG title");
            assertTrue(t.group(1).endsWith(": " + String.join(", ", runs)), t.group(1));
            assertTrue(count(body, "<path") > 20, f.getKey() + " draws something");
        }
        assertTrue(figs.get("fig-writer-wait-cdf")[1].contains("Writer wait CDF"));
        assertTrue(figs.get("fig-reader-wait-hist")[1].contains("@no-vma-lock-s0:"), "bpftrace-style counts per run");

        // the calibration table has compare --format json's numbers, exactly
        JsonNode cal = cmp.get("calibration");
        assertEquals("vma-refcount", cal.get("policy").asText());
        assertTrue(html.contains("<b>vma-refcount</b>, run <code>vma-refcount-s0</code>"), "calibration names its run");
        String[][] figures = {{"fallback_rate_strict"}, {"writer_wait_us", "sum"}, {"writer_wait_us", "p99"}, {"reader_wait_us", "p99"}};
        for (String[] f : figures) {
            double[] got = calibrationRow(html, String.join(".", f));
            JsonNode o = cal.get("observed");
            JsonNode rp = cal.get("replayed");
            for (String k : f) {
                o = o.get(k);
                rp = rp.get(k);
            }
            assertEquals(o.asDouble(), got[0], "observed " + String.join(".", f));
            assertEquals(rp.asDouble(), got[1], "replayed " + String.join(".", f));
        }
        // the compare table: one row per run with compare's faults and faults per second
        for (JsonNode run : cmp.get("runs")) {
            JsonNode st = run.get("stats");
            String row = "<td>" + run.get("policy").asText() + "</td><td>" + run.get("run").asText() + "</td><td class=\"n\">"
                    + st.get("page_faults").asLong() + "</td><td class=\"n\">"
                    + String.format(java.util.Locale.ROOT, "%.0f", run.get("faults_per_s").asDouble()) + "</td>";
            assertTrue(html.contains(row), row);
        }
        assertTrue(html.contains("<tr class=\"base\"><td>vma-refcount</td>"), "the baseline row is marked");
        // the replays' modelling assumptions, verbatim
        JsonNode runJson = JSON.readTree(ws.resolve("runs/vma-refcount-s0/run.json").toFile());
        assertTrue(runJson.get("assumptions").size() >= 5);
        for (JsonNode a : runJson.get("assumptions")) {
            assertTrue(html.contains(HtmlReportWriter.esc(a.asText())), a.asText());
        }
        assertFalse(html.contains("id=\"data-quality-warning\""), "a trace that lost nothing gets no warning");

        // deterministic: a rerun, and a rerun over a database rebuilt from scratch, give the same bytes
        Path again = tmp.resolve("again.html");
        assertEquals(0, Cli.run("report", "-w", ws, "--html", again).code);
        assertEquals(-1, Files.mismatch(page, again), "rerun differs");
        Files.delete(ws.resolve("vmalock.duckdb"));
        Path rebuilt = tmp.resolve("rebuilt.html");
        assertEquals(0, Cli.run("report", "-w", ws, "--html", rebuilt).code);
        assertEquals(-1, Files.mismatch(page, rebuilt), "rebuilt database gives other bytes");

        // --run: observed plus the chosen replays only
        Path one = tmp.resolve("one.html");
        Cli sel = Cli.run("report", "-w", ws, "--html", one, "--run", "no-vma-lock-s0");
        assertEquals(0, sel.code, sel.toString());
        String oneHtml = Files.readString(one, StandardCharsets.UTF_8);
        assertEquals("observed,no-vma-lock-s0", figures(oneHtml).get("fig-writer-wait-cdf")[0]);
        assertTrue(oneHtml.contains("No replay under the trace's own kernel policy (vma-refcount)"), "calibration run not selected");

        screenshot(page);
    }

    /**
     * The page renders in headless Chromium: the screenshot shows the observed line (black) and the replays'
     * colours. Needs /usr/bin/chromium: .ci/run installs it, so under CI a missing browser fails the test.
     */
    private void screenshot(Path page) throws IOException {
        Path chromium = Path.of("/usr/bin/chromium");
        if (!Files.isExecutable(chromium)) {
            assertTrue(System.getenv("CI") == null, "CI must have chromium (.ci/run installs it)");
            Assumptions.abort("no /usr/bin/chromium: the screenshot check needs `apt-get install chromium`");
        }
        Path png = tmp.resolve("page.png");
        Path profile = Files.createDirectories(tmp.resolve("chromium-profile"));
        ProcessBuilder pb = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic", "--hide-scrollbars", "--user-data-dir=" + profile, "--screenshot=" + png,
                "--window-size=1280,7000", page.toUri().toString());
        pb.redirectErrorStream(true).redirectOutput(tmp.resolve("chromium.log").toFile());
        try {
            Process p = pb.start();
            assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "chromium did not finish");
            assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("chromium.log")));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(1280, img.getWidth());
        Map<Integer, Integer> colours = new java.util.HashMap<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) colours.merge(img.getRGB(x, y) & 0xffffff, 1, Integer::sum);
        }
        // the series colours of the charts are on screen (XChart draws them opaque): observed, then the replays
        int[] want = {SvgCharts.OBSERVED.getRGB(), SvgCharts.PALETTE[0].getRGB(), SvgCharts.PALETTE[1].getRGB(),
            SvgCharts.PALETTE[2].getRGB()};
        for (int c : want) {
            assertTrue(colours.getOrDefault(c & 0xffffff, 0) > 200, String.format("colour %06x drawn", c & 0xffffff));
        }
    }

    @Test
    void htmlPageWarnsLoudlyWhenTheTraceIsLossy() throws IOException {
        Path lossy = ingest(Cli.sample("ftrace-pipe-lost.txt"));
        JsonNode want = JSON.readTree(Cli.sample("ftrace-pipe-lost.expected.json").toFile());
        Path page = tmp.resolve("lossy.html");
        Cli r = Cli.run("report", "-w", lossy, "--html", page);
        assertEquals(0, r.code, r.toString());
        String html = Files.readString(page, StandardCharsets.UTF_8);
        int warn = html.indexOf("<div class=\"warn\" id=\"data-quality-warning\">");
        assertTrue(warn > 0 && warn < html.indexOf("id=\"runs\""), "the warning comes before every figure");
        String text = html.substring(warn, html.indexOf("</div>", warn));
        assertTrue(text.contains("the trace lost events (" + want.get("lost_events").asLong() + " counted in "
                + want.get("lost_event_markers").asLong() + " markers"), text);
        assertTrue(html.contains("id=\"no-replays\""), "no replays: the page says how to make them");
        Map<String, String[]> figs = figures(html);
        assertEquals(HtmlReportWriter.FIGURES, List.copyOf(figs.keySet()));
        assertEquals("observed", figs.get("fig-fallback-rate")[0]);

        Path small = ingest(Cli.sample("ftrace-overwrite.txt"));
        JsonNode w2 = JSON.readTree(Cli.sample("ftrace-overwrite.expected.json").toFile());
        Path page2 = tmp.resolve("overwrite.html");
        assertEquals(0, Cli.run("report", "-w", small, "--html", page2).code);
        String html2 = Files.readString(page2, StandardCharsets.UTF_8);
        int warn2 = html2.indexOf("<div class=\"warn\" id=\"data-quality-warning\">");
        assertTrue(warn2 > 0, "a small-buffer trace file is lossy too");
        assertTrue(html2.substring(warn2).contains("the ftrace header shows " + w2.get("header_entries_overwritten").asLong()
                + " entries overwritten"), "overwritten entries in the warning");
    }

    @Test
    void htmlUsageAndOutputErrorsAreOneLine() {
        Path ws = ingest(Cli.sample("ftrace-tgid.txt"));
        Cli names = Cli.run("report", "-w", ws, "--html", tmp.resolve("x.html"), "summary");
        assertEquals(ExitCode.USAGE, names.code, names.toString());
        Cli run = Cli.run("report", "-w", ws, "--html", tmp.resolve("x.html"), "--run", "r9");
        assertEquals(ExitCode.WORKSPACE, run.code, run.toString());
        assertTrue(run.err.contains("no run r9"), run.err);
        Cli base = Cli.run("report", "-w", ws, "--html", tmp.resolve("x.html"), "--baseline", "nope");
        assertEquals(ExitCode.USAGE, base.code, base.toString());
        assertTrue(base.err.startsWith("vmalock report: --baseline nope: no such run or policy"), base.err);
        Cli nowhere = Cli.run("report", "-w", ws, "--html", tmp.resolve("no/such/dir/x.html"));
        assertEquals(ExitCode.WORKSPACE, nowhere.code, nowhere.toString());
        for (Cli c : List.of(names, run, base, nowhere)) {
            assertEquals(1, c.err.strip().split("\n").length, c.err);
            assertFalse(c.err.contains("\tat "), c.err);
        }
        assertFalse(Files.exists(tmp.resolve("x.html")), "no page after a failure");
    }

    /**
     * Issue 12 item 3: a counter-clock trace's reports and HTML stay in ticks (no division by 1000
     * labelled µs), and the HTML advises no replay or compare, which refuse such a trace.
     */
    @Test
    void counterClockReportsAndHtmlUseTicks() throws IOException {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", Cli.sample("ftrace-counter.txt"), "-w", ws).code);
        JsonNode stats = new ObjectMapper().readTree(Cli.run("stats", "-w", ws, "--json").out);
        long p50 = stats.get("writer_wait_ticks").get("p50").asLong();
        Cli r = Cli.run("report", "-w", ws, "summary", "writer_waits", "top_tasks", "data_quality");
        assertEquals(0, r.code, r.toString());
        assertFalse(r.out.contains("µs"), r.out);
        assertTrue(r.out.contains("writer_wait_p50 (ticks)"), r.out);
        assertTrue(r.out.contains("writer wait (ticks)"), r.out);
        Cli j = Cli.run("report", "-w", ws, "writer_waits", "--format", "json");
        assertEquals(0, j.code, j.toString());
        JsonNode row = new ObjectMapper().readTree(j.out).findValue("rows").get(0);
        assertEquals(p50, row.get("p50_ticks").asLong(), j.out);
        assertFalse(j.out.contains("_us\""), j.out);
        Path html = tmp.resolve("r.html");
        assertEquals(0, Cli.run("report", "-w", ws, "--html", html).code);
        String h = Files.readString(html);
        assertFalse(h.contains("ticks/1000"), "no ticks/1000");
        assertFalse(h.contains("µs"), "no µs on a ticks page");
        assertFalse(h.contains("<code>vmalock compare -w DIR</code>"), "no advice to run compare");
        assertFalse(h.contains("<code>vmalock replay -w DIR --policy"), "no advice to run replay");
        assertTrue(h.contains("cannot be replayed"), "says why there are no replays");
    }
}
