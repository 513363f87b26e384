package vmalock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import vmalock.db.ResultTable;
import vmalock.store.Manifest;

/**
 * Writes {@code report --html}: one self-contained HTML page (inline CSS and SVG, no script, no external
 * font or image, no link off the page) with the data-quality warnings first, the runs, the calibration
 * and compare tables, the figures (writer/reader-wait CDFs on a log axis, fallback-rate bars, log2
 * histograms) each with its data, the data-quality tables and the replays' modelling assumptions. Nothing
 * on the page depends on the clock, the output path or hash order: the same workspace gives the same bytes.
 */
final class HtmlReportWriter {
    /** The figures every page has, by element id (the tests look for each). */
    static final List<String> FIGURES = List.of("fig-writer-wait-cdf", "fig-reader-wait-cdf", "fig-fallback-rate",
            "fig-writer-wait-hist", "fig-reader-wait-hist");

    private static final String CSS = String.join("\n",
            "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI','DejaVu Sans',sans-serif;margin:24px auto;max-width:1240px;padding:0 16px;color:#1a1a1a}",
            "h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}",
            "h3{font-size:15px;margin:20px 0 6px}.sub{color:#555;margin:0 0 12px}",
            "table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #d5d5d5;padding:3px 7px}",
            "th{background:#f3f3f3;text-align:left;font-weight:600;vertical-align:bottom}td{white-space:nowrap}td.w{white-space:normal;min-width:16em}",
            "td.n{text-align:right;font-variant-numeric:tabular-nums}",
            "tr.base td{background:#fff8dc}.scroll{overflow-x:auto}",
            ".warn{border:2px solid #c62828;background:#fdecea;padding:10px 14px;margin:12px 0;border-radius:4px}",
            ".warn strong{color:#b71c1c}.note{border:1px solid #e0c060;background:#fffbe6;padding:8px 12px;margin:12px 0;border-radius:4px}",
            ".ok{color:#2e7d32;font-weight:600}.bad{color:#c62828;font-weight:600}",
            "figure{margin:16px 0 28px}figure svg{max-width:100%;height:auto;display:block}",
            "figcaption{color:#333;margin:6px 0}details{margin:4px 0 0}summary{cursor:pointer;color:#1f4e8c}",
            "pre{background:#f7f7f7;padding:8px;overflow-x:auto;font-size:12px}code{font-size:13px}",
            "nav a{margin-right:12px}ul.assume li{margin:3px 0}");

    private final PrintWriter out;

    HtmlReportWriter(PrintWriter out) {
        this.out = out;
    }

    void write(HtmlReportPage p, List<String> selectedRuns) {
        Map<String, SvgCharts.Style> styles = new LinkedHashMap<>();
        for (int i = 0; i < p.runs.size(); i++) styles.put(p.runs.get(i).id(), SvgCharts.style(i));
        String capture = p.observed().stats().path("capture").asText();
        out.print("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        out.print("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        out.print("<title>vmalock report — " + esc(capture) + "</title>\n<style>\n" + CSS + "\n</style>\n</head>\n<body>\n");
        out.print("<h1>vmalock report — " + esc(capture) + "</h1>\n");
        out.print("<p class=\"sub\">mmap_lock and per-VMA lock behaviour observed in the trace and replayed under "
                + (p.replays().size() == 1 ? "1 policy run" : p.replays().size() + " policy runs")
                + ". Durations in " + unit(p) + "; percentiles are nearest rank.</p>\n");
        if (p.filter != null) {
            out.print("<p class=\"note\">Filtered: only the events with " + esc(p.filter) + " (observed run only; "
                    + "replay runs are not filtered and not shown).</p>\n");
        }
        quality(p);
        out.print("<nav><a href=\"#runs\">Runs</a><a href=\"#calibration\">Calibration</a><a href=\"#compare\">Compare</a>"
                + "<a href=\"#figures\">Figures</a><a href=\"#data-quality\">Data quality</a>"
                + "<a href=\"#assumptions\">Modelling assumptions</a><a href=\"#method\">How this page was made</a></nav>\n");
        runs(p);
        calibration(p);
        compare(p);
        out.print("<h2 id=\"figures\">Figures</h2>\n");
        cdfFigure(p, HtmlReportPage.WRITER, "fig-writer-wait-cdf", "Writer wait CDF",
                "How long tasks waited to take mmap_lock for write (start_locking → acquire_returned, failed trylocks "
                + "included), per run.", styles);
        cdfFigure(p, HtmlReportPage.READER, "fig-reader-wait-cdf", "Reader wait CDF",
                "How long tasks waited to take mmap_lock for read (fault fallbacks, remote and other readers), per run.", styles);
        fallbackFigure(p, styles);
        histFigure(p, HtmlReportPage.WRITER, "fig-writer-wait-hist", "Writer wait, log2 histogram", styles);
        histFigure(p, HtmlReportPage.READER, "fig-reader-wait-hist", "Reader wait, log2 histogram", styles);
        dataQuality(p);
        assumptions(p);
        method(p, selectedRuns);
        out.print("</body>\n</html>\n");
        out.flush();
    }

    private static String unit(HtmlReportPage p) {
        return "ticks".equals(p.timeUnit) ? "ticks (counter clock: no time unit)" : "µs";
    }

    // ---- data quality first: a lossy trace undercounts everything below ---------------------------------

    private void quality(HtmlReportPage p) {
        if (!p.stale.isEmpty()) {
            out.print("<div class=\"warn\" id=\"stale-runs\"><strong>Stale replay runs:</strong> "
                    + esc(StaleRuns.warning(p.stale).substring("warning: ".length())) + ". They are not used for the calibration.</div>\n");
        }
        // the warnings of `vmalock stats` (lost events, overwritten ring-buffer entries, skipped lines), in its words
        JsonNode s = p.observed().stats();
        if (p.lossy()) {
            out.print("<div class=\"warn\" id=\"data-quality-warning\"><strong>Lossy trace: every figure on this page "
                    + "undercounts, and waits or holds whose events were lost are missing or mispaired.</strong><ul>\n");
        } else if (s.path("warnings").size() > 0) {
            out.print("<div class=\"note\" id=\"data-quality-note\"><ul>\n");
        }
        for (JsonNode w : s.path("warnings")) out.print("<li>" + esc(w.asText()) + "</li>\n");
        if (p.lossy()) {
            out.print("</ul>See <a href=\"#data-quality\">Data quality</a>. Capture again with a larger buffer "
                    + "(buffer_size_kb) or fewer events.</div>\n");
        } else if (s.path("warnings").size() > 0) {
            out.print("</ul></div>\n");
        }
        if (p.replays().isEmpty() && p.counterClock()) {
            // replay and compare refuse a counter/TSC-clock trace: advise nothing they would refuse
            out.print("<div class=\"note\" id=\"no-replays\">This workspace has no replay runs: the page shows the "
                    + "observed trace only. The trace's clock counts ticks, not time, so it cannot be replayed "
                    + "(<code>vmalock replay</code> and <code>vmalock compare</code> need a time clock: capture again "
                    + "with a ns clock such as <code>local</code> or <code>mono</code>).</div>\n");
        } else if (p.replays().isEmpty()) {
            out.print("<div class=\"note\" id=\"no-replays\">This workspace has no replay runs: the page shows the "
                    + "observed trace only. Run <code>vmalock compare -w DIR</code> (every policy) or "
                    + "<code>vmalock replay -w DIR --policy P</code>, then this command again.</div>\n");
        }
    }

    // ---- tables -----------------------------------------------------------------------------------------

    private void runs(HtmlReportPage p) {
        out.print("<h2 id=\"runs\">Runs</h2>\n<h3>Sources of the observed run</h3>\n");
        table(List.of("source", "file", "format", "clock", "lines", "events", "skipped lines", "lost events", "checksum"),
                srcRows(p.sources), 4, null);
        if (p.replays().isEmpty()) return;
        out.print("<h3>Replays</h3>\n");
        List<String[]> rows = new ArrayList<>();
        for (HtmlReportPage.Run r : p.replays()) {
            JsonNode j = r.runJson();
            JsonNode in = j.path("inputs").path(0);
            rows.add(new String[] {r.id(), r.policy(), j.path("kernel").asText(), j.path("seed").asText(),
                j.path("cpus").asText(), j.path("timing").asText()
                        + (in.has("preempt") ? "; kernel preemption " + in.path("preempt").asText() : "")
                        + (in.has("wake_cpu") ? "; woken tasks on " + (in.path("wake_cpu").asText().equals("prev")
                                ? "their previous CPU" : in.path("wake_cpu").asText().equals("mixed")
                                ? "an idle CPU " + Math.round(100 * in.path("wake_cpu_idle_share").asDouble())
                                        + " % of the time, else their previous CPU" : "any idle CPU") : "")
                        + (j.path("sleeps").has("between_operations") ? "; " + j.path("sleeps").path("woken_by_traced_task_replayed").asLong()
                                + " of " + j.path("sleeps").path("between_operations").asLong()
                                + " sleeps end when their traced waker gets there" : ""),
                in.path("fault_cost_ns").asText() + " ns mean (" + in.path("fault_cost_source").asText()
                        + ("trace-gaps".equals(in.path("fault_cost_shape").asText()) ? "; slow faults keep their traced gap" : "")
                        + ")",
                pct(j.path("address_space").path("known_fraction").asDouble()),
                j.path("defect_count").asText(), j.path("violations").asText(), j.path("deterministic").asText()});
        }
        table(List.of("run", "policy", "kernel / patch", "seed", "CPUs", "timing", "fault cost (per-VMA faults)",
            "faults in known VMAs %", "defects", "invariant violations", "deterministic"), rows, 7, null);
    }

    private static List<String[]> srcRows(List<Manifest.Source> sources) {
        List<String[]> rows = new ArrayList<>();
        for (Manifest.Source s : sources) {
            rows.add(new String[] {Integer.toString(s.index), s.name, s.format, s.clock, Long.toString(s.linesTotal),
                Long.toString(s.events), Long.toString(s.problems), Long.toString(s.lostEvents), s.checksum});
        }
        return rows;
    }

    private void calibration(HtmlReportPage p) {
        out.print("<h2 id=\"calibration\">Calibration</h2>\n");
        if (p.calibration == null && p.counterClock()) {
            out.print("<p class=\"note\">No calibration: a trace whose clock counts ticks cannot be replayed.</p>\n");
            return;
        }
        if (p.calibration == null) {
            out.print("<p class=\"note\">No replay under the trace's own kernel policy"
                    + (p.kernelPolicy == null ? "" : " (" + esc(p.kernelPolicy) + ")") + " is in the workspace, so the replay "
                    + "cannot be checked against what the trace observed: run <code>vmalock replay -w DIR --policy "
                    + esc(p.kernelPolicy == null ? "vma-refcount" : p.kernelPolicy) + "</code>.</p>\n");
            return;
        }
        JsonNode cal = p.comparison.get("calibration");
        out.print("<p>Replaying the trace under the policy of the kernel that produced it (<b>" + esc(p.kernelPolicy)
                + "</b>, run <code>" + esc(p.calibration.id()) + "</code>) should give back what the trace observed: a "
                + "self-check of the model and of the work extraction, not a prediction (what-if accuracy against real "
                + "counterfactual captures is in docs/replay.md). Figures at the trace's 1 µs resolution on both sides are "
                + "marked as such, not counted as agreement. The same rows as the calibration block of "
                + "<code>vmalock compare</code>.</p>\n");
        String[][] rows = CompareWriter.calRows(cal);
        out.print("<table id=\"calibration-table\">\n<tr><th>figure</th><th>observed</th><th>replayed</th>"
                + "<th>ratio replayed/observed</th><th>verdict</th></tr>\n");
        for (String[] row : rows) {
            String cls = row[4].startsWith("within") ? "ok" : row[4].startsWith("off") ? "bad" : "";
            out.print("<tr data-figure=\"" + esc(row[5]) + "\"><td>" + esc(row[0]) + "</td><td class=\"n\" data-value=\""
                    + esc(row[6]) + "\">" + esc(row[1]) + "</td><td class=\"n\" data-value=\"" + esc(row[7]) + "\">"
                    + esc(row[2]) + "</td><td class=\"n\">" + esc(row[3]) + "</td><td" + (cls.isEmpty() ? "" : " class=\"" + cls + "\"")
                    + ">" + esc(row[4]) + "</td></tr>\n");
        }
        out.print("</table>\n");
    }

    /** A numeric cell showing {@code text}, with the exact JSON value in data-value. */
    private static String num(String text, JsonNode v) {
        return "<td class=\"n\" data-value=\"" + (v == null || v.isMissingNode() ? "" : esc(v.asText())) + "\">"
                + esc(text) + "</td>";
    }

    private void compare(HtmlReportPage p) {
        out.print("<h2 id=\"compare\">Compare</h2>\n");
        if (p.replays().isEmpty()) {
            out.print("<p>No replay runs.</p>\n");
            return;
        }
        out.print("<p>Every run of the workspace, as <code>vmalock compare</code> shows it: deltas (d_*) against the "
                + "baseline run <code>" + esc(p.baseline == null ? "-" : p.baseline.id()) + "</code>"
                + (p.baseline == null ? "" : " (" + esc(p.baseline.policy()) + ")")
                + "; fallback_% is rule 2 (a fault followed by its task's next mmap_lock read acquisition); times in "
                + unit(p) + ". The observed row is the trace itself.</p>\n");
        List<String[]> rows = CompareWriter.rows(p.comparison);
        String base = p.baseline == null ? null : p.baseline.id();
        table(List.of(CompareWriter.HEADER), rows, 2, base);
    }

    /** A table; columns from {@code firstNumeric} on are right-aligned; the row whose column 1 is {@code mark} is highlighted. */
    private void table(List<String> header, List<String[]> rows, int firstNumeric, String mark) {
        boolean[] numeric = new boolean[header.size()];
        for (int i = firstNumeric; i < numeric.length; i++) numeric[i] = true;
        table(header, rows, numeric, mark);
    }

    private void table(List<String> header, List<String[]> rows, boolean[] numeric, String mark) {
        out.print("<div class=\"scroll\"><table>\n<tr>");
        for (String h : header) out.print(th(h));
        out.print("</tr>\n");
        for (String[] r : rows) {
            out.print(mark != null && r.length > 1 && mark.equals(r[1]) ? "<tr class=\"base\">" : "<tr>");
            for (int i = 0; i < r.length; i++) {
                out.print((numeric[i] ? "<td class=\"n\">" : r[i].length() > 40 ? "<td class=\"w\">" : "<td>")
                        + esc(r[i]) + "</td>");
            }
            out.print("</tr>\n");
        }
        out.print("</table></div>\n");
    }

    /** A report's result table; numeric columns (by the first row's values) right-aligned. */
    private void resultTable(ResultTable t) {
        List<String[]> rows = new ArrayList<>();
        for (Object[] r : t.rows()) {
            String[] x = new String[r.length];
            for (int i = 0; i < r.length; i++) x[i] = cell(r[i]);
            rows.add(x);
        }
        boolean[] numeric = new boolean[t.columns().size()];
        for (int i = 0; i < numeric.length; i++) numeric[i] = !t.rows().isEmpty() && t.rows().get(0)[i] instanceof Number;
        table(t.columns(), rows, numeric, null);
    }

    /** A header cell that may break after its underscores (writer_wait_p99_us). */
    private static String th(String h) {
        return "<th>" + esc(h).replace("_", "_<wbr>") + "</th>";
    }

    private static String cell(Object v) {
        if (v == null) return "";
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : stripZeros(String.format(Locale.ROOT, "%.6f", d));
        }
        if (v instanceof java.math.BigDecimal) return ((java.math.BigDecimal) v).stripTrailingZeros().toPlainString();
        return v.toString();
    }

    private static String stripZeros(String s) {
        if (s.indexOf('.') < 0) return s;
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    // ---- figures ----------------------------------------------------------------------------------------

    private void cdfFigure(HtmlReportPage p, String metric, String id, String title, String what,
                           Map<String, SvgCharts.Style> styles) {
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        Map<String, List<double[]>> got = p.cdf.getOrDefault(metric, Map.of());
        for (HtmlReportPage.Run r : p.runs) {
            if (got.containsKey(r.id())) series.put(r.id(), got.get(r.id()));
        }
        out.print("<figure id=\"" + id + "\" data-series=\"" + esc(String.join(",", series.keySet())) + "\">\n");
        String u = "ticks".equals(p.timeUnit) ? "ticks" : "µs";
        String floor = SvgCharts.axisNumber(SvgCharts.cdfFloor(series));
        out.print(SvgCharts.cdf(id, title, "wait (" + u + ", log scale); waits of 0 " + u + " are drawn at " + floor,
                series, styles));
        out.print("\n<figcaption><b>" + esc(title) + ".</b> " + esc(what) + " Each line is one run's empirical CDF "
                + "(the <code>wait_cdf</code> report); a line further left or higher waited less. Waits of 0 (below the "
                + "clock's resolution) sit at the left edge, " + floor + " " + u + ". Runs without such waits have no line."
                + "</figcaption>\n");
        out.print("<details><summary>percentiles per run (the <code>" + metric + "s</code> report)</summary>\n");
        resultTable(p.inPageOrder(p.waitStats.get(metric)));
        out.print("</details>\n</figure>\n");
    }

    private void fallbackFigure(HtmlReportPage p, Map<String, SvgCharts.Style> styles) {
        Map<String, Object[]> byRun = new LinkedHashMap<>();
        int ri = p.fallbackRates.columns().indexOf("run");
        for (Object[] r : p.fallbackRates.rows()) byRun.put((String) r[ri], r);
        int fi = p.fallbackRates.columns().indexOf("fallback_rate_strict");
        List<String> cats = new ArrayList<>();
        List<Double> vals = new ArrayList<>();
        for (HtmlReportPage.Run r : p.runs) {
            Object[] row = byRun.get(r.id());
            if (row == null || row[fi] == null) continue;
            cats.add(r.id());
            vals.add(100 * ((Number) row[fi]).doubleValue());
        }
        // one series per run, its bar only in its own category: each run keeps its colour of the other figures
        Map<String, Double[]> series = new LinkedHashMap<>();
        for (int i = 0; i < cats.size(); i++) {
            Double[] v = new Double[cats.size()];
            v[i] = vals.get(i);
            series.put(cats.get(i), v);
        }
        String title = "Fallback rate per run";
        out.print("<figure id=\"fig-fallback-rate\" data-series=\"" + esc(String.join(",", cats)) + "\">\n");
        out.print(SvgCharts.bars("fig-fallback-rate", title, "run", "fallback rate, rule 2 (%)", cats, series, styles, true, cats));
        out.print("\n<figcaption><b>" + esc(title) + ".</b> User page faults that fell back from the per-VMA lock to "
                + "mmap_lock (rule 2), in % of the run's faults (the <code>fallback_rates</code> report, overall).</figcaption>\n");
        out.print("<details><summary>data</summary>\n");
        resultTable(p.inPageOrder(p.fallbackRates));
        out.print("</details>\n</figure>\n");
    }

    private void histFigure(HtmlReportPage p, String metric, String id, String title, Map<String, SvgCharts.Style> styles) {
        ResultTable t = p.histograms.get(metric);
        List<String> cols = t.columns();
        int run = cols.indexOf("run");
        int bucket = cols.indexOf("bucket");
        int lo = cols.indexOf("ticks".equals(p.timeUnit) ? "lo_ticks" : "lo_us");
        int count = cols.indexOf("count");
        int bar = cols.indexOf("histogram");
        TreeMap<Long, String> buckets = new TreeMap<>();
        Map<String, Map<Long, Long>> counts = new LinkedHashMap<>();
        Map<String, Long> totals = new LinkedHashMap<>();
        for (Object[] r : t.rows()) {
            long l = ((Number) r[lo]).longValue();
            buckets.put(l, (String) r[bucket]);
            counts.computeIfAbsent((String) r[run], k -> new TreeMap<>()).put(l, ((Number) r[count]).longValue());
            totals.merge((String) r[run], ((Number) r[count]).longValue(), Long::sum);
        }
        List<String> cats = new ArrayList<>(buckets.values());
        Map<String, Double[]> series = new LinkedHashMap<>();
        for (HtmlReportPage.Run r : p.runs) {
            Map<Long, Long> c = counts.get(r.id());
            if (c == null) continue;
            Double[] v = new Double[cats.size()];
            int i = 0;
            for (Long l : buckets.keySet()) {
                long n = c.getOrDefault(l, 0L);
                v[i++] = n == 0 ? null : 100.0 * n / totals.get(r.id());
            }
            series.put(r.id(), v);
        }
        out.print("<figure id=\"" + id + "\" data-series=\"" + esc(String.join(",", series.keySet())) + "\">\n");
        out.print(SvgCharts.bars(id, title, "wait, " + ("ticks".equals(p.timeUnit) ? "ticks" : "whole µs")
                + " — bpftrace hist() buckets [lo, hi)", "% of the run's waits", cats, series, styles, false,
                new ArrayList<>(series.keySet())));
        out.print("\n<figcaption><b>" + esc(title) + ".</b> Share of each run's waits per power-of-two bucket, as "
                + "bpftrace's <code>hist()</code> counts them: [0], [1], [2, 4), [4, 8), … (the <code>" + metric
                + "s</code> report, second section).</figcaption>\n");
        out.print("<details><summary>counts per run, bpftrace style</summary>\n<pre>");
        StringBuilder b = new StringBuilder();
        String last = null;
        for (Object[] r : t.rows()) {
            if (!r[run].equals(last)) {
                last = (String) r[run];
                b.append(b.length() == 0 ? "" : "\n").append('@').append(last).append(":\n");
            }
            b.append(String.format(Locale.ROOT, "%-16s %8d %s%n", r[bucket], ((Number) r[count]).longValue(), r[bar]));
        }
        out.print(esc(b.toString()));
        out.print("</pre></details>\n</figure>\n");
    }

    // ---- the rest ---------------------------------------------------------------------------------------

    private void dataQuality(HtmlReportPage p) {
        out.print("<h2 id=\"data-quality\">Data quality</h2>\n<p>The <code>data_quality</code> report: per source, what "
                + "the tracer lost or overwrote and lines skipped; per run, events the pairing could not pair. Any lost "
                + "or overwritten figure means every other figure undercounts.</p>\n");
        for (ResultTable t : p.dataQuality) {
            out.print("<h3>" + esc(t.title() == null ? "" : t.title()) + "</h3>\n");
            resultTable(p.inPageOrder(t));
        }
    }

    private void assumptions(HtmlReportPage p) {
        out.print("<h2 id=\"assumptions\">Modelling assumptions of the replays</h2>\n");
        if (p.replays().isEmpty()) {
            out.print("<p>No replays.</p>\n");
            return;
        }
        out.print("<p>What every replay assumed where the trace does not say (from each run's <code>run.json</code>); "
                + "an assumption that holds for some runs only names them.</p>\n<ul class=\"assume\">\n");
        int all = p.replays().size();
        for (Map.Entry<String, List<String>> e : p.assumptions().entrySet()) {
            out.print("<li>" + esc(e.getKey()) + (e.getValue().size() == all ? ""
                    : " <i>(" + esc(String.join(", ", e.getValue())) + ")</i>") + "</li>\n");
        }
        out.print("</ul>\n");
    }

    private void method(HtmlReportPage p, List<String> selectedRuns) {
        out.print("<h2 id=\"method\">How this page was made</h2>\n<p><code>vmalock report -w DIR --html FILE");
        for (String r : selectedRuns) out.print(" --run " + esc(r));
        out.print("</code>. Every number comes from the workspace's DuckDB database (<code>vmalock.duckdb</code>): "
                + "the bundled reports ");
        List<String> names = new ArrayList<>();
        for (String n : HtmlReportPage.REPORTS) names.add("<code>" + n + "</code>");
        out.print(String.join(", ", names) + " (<code>vmalock report -w DIR NAME</code> prints any of them; "
                + "<code>queries/</code> has their SQL), and each replay's <code>run.json</code>. Figures are drawn by "
                + "XChart into inline SVG; the page loads nothing from the network.</p>\n");
    }

    static String pct(double r) {
        return String.format(Locale.ROOT, "%.2f", 100 * r);
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<': b.append("&lt;"); break;
                case '>': b.append("&gt;"); break;
                case '&': b.append("&amp;"); break;
                case '"': b.append("&quot;"); break;
                default: b.append(c);
            }
        }
        return b.toString();
    }
}
