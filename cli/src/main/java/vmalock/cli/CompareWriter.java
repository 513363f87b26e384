package vmalock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Renders a comparison (the JSON of {@link vmalock.replay.Comparison}) as a table, CSV or Markdown; its rows
 * and calibration rows are also the tables of {@code report --html}.
 */
final class CompareWriter {
    enum Format {
        TABLE, JSON, CSV, MARKDOWN;

        static Format parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--format: '" + s + "' is not one of table, json, csv, markdown");
            }
        }
    }

    static final String[] HEADER = {"policy", "run", "faults", "fallback_%", "vma_lock_success", "vma_lock_abort",
        "vma_lock_miss", "vma_lock_retry", "retries", "writer_wait_p50_us", "writer_wait_p99_us", "writer_wait_max_us",
        "reader_wait_p99_us", "write_hold_p99_us", "defects", "makespan_us", "d_fallback_pp", "d_writer_p99_us",
        "d_reader_p99_us", "d_makespan_us"};

    private final PrintWriter out;
    private final Format fmt;

    CompareWriter(PrintWriter out, Format fmt) {
        this.out = out;
        this.fmt = fmt;
    }

    /**
     * The table rows ({@link #HEADER} columns): observed first, then one per run, with deltas against the
     * first run whose policy (or run id) is the comparison's {@code baseline}.
     */
    static List<String[]> rows(JsonNode c) {
        String baseline = c.get("baseline").asText();
        JsonNode base = null;
        for (JsonNode r : c.get("runs")) {
            if (base == null && (r.get("policy").asText().equals(baseline) || r.get("run").asText().equals(baseline))) base = r;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(row("observed", "-", c.get("observed"), null, null, null, null));
        for (JsonNode r : c.get("runs")) {
            rows.add(row(r.get("policy").asText(), r.get("run").asText(), r.get("stats"), r.get("vma_lock"),
                    r.get("retries"), r, base));
        }
        return rows;
    }

    void write(JsonNode c) {
        String baseline = c.get("baseline").asText();
        List<String[]> rows = rows(c);
        JsonNode cal = c.get("calibration");
        switch (fmt) {
            case CSV:
                csv(rows);
                break;
            case MARKDOWN:
                markdown(rows);
                out.println();
                out.println("Calibration (" + cal.get("policy").asText() + "):");
                out.println();
                markdownCal(cal);
                break;
            default:
                table(rows);
                out.println();
                out.println("baseline: " + baseline + " (deltas d_* against it)");
                tableCal(cal);
        }
    }

    private static String[] row(String policy, String run, JsonNode s, JsonNode vl, JsonNode retries, JsonNode r, JsonNode base) {
        String[] x = new String[HEADER.length];
        x[0] = policy;
        x[1] = run;
        x[2] = Long.toString(s.get("page_faults").asLong());
        x[3] = pct(s.get("fallback_rate_strict").asDouble());
        x[4] = vl == null ? "-" : vl.get("success").asText();
        x[5] = vl == null ? "-" : vl.get("abort").asText();
        x[6] = vl == null ? "-" : vl.get("miss").asText();
        x[7] = vl == null ? "-" : vl.get("retry").asText();
        x[8] = retries == null ? "-" : retries.asText();
        x[9] = ReplaySummaryWriter.num(s.get("writer_wait_us").get("p50"));
        x[10] = ReplaySummaryWriter.num(s.get("writer_wait_us").get("p99"));
        x[11] = ReplaySummaryWriter.num(s.get("writer_wait_us").get("max"));
        x[12] = ReplaySummaryWriter.num(s.get("reader_wait_us").get("p99"));
        x[13] = ReplaySummaryWriter.num(s.get("write_hold_us").get("p99"));
        // run entries list at most the first 50 defects (the shape has no count): show "50+"
        x[14] = r == null ? "-" : r.get("defects").size() >= 50 ? "50+" : Integer.toString(r.get("defects").size());
        x[15] = r == null ? "-" : r.get("makespan_us").asText();
        if (r != null && base != null) {
            JsonNode b = base.get("stats");
            x[16] = String.format(Locale.ROOT, "%+.2f", 100 * (s.get("fallback_rate_strict").asDouble() - b.get("fallback_rate_strict").asDouble()));
            x[17] = delta(s.get("writer_wait_us").get("p99"), b.get("writer_wait_us").get("p99"));
            x[18] = delta(s.get("reader_wait_us").get("p99"), b.get("reader_wait_us").get("p99"));
            x[19] = String.format(Locale.ROOT, "%+d", r.get("makespan_us").asLong() - base.get("makespan_us").asLong());
        } else {
            x[16] = x[17] = x[18] = x[19] = "-";
        }
        return x;
    }

    private static String delta(JsonNode a, JsonNode b) {
        if (a == null || b == null || a.isNull() || b.isNull()) return "-";
        double d = a.asDouble() - b.asDouble();
        return d == Math.rint(d) ? String.format(Locale.ROOT, "%+d", (long) d) : String.format(Locale.ROOT, "%+.1f", d);
    }

    private static String pct(double r) {
        return String.format(Locale.ROOT, "%.2f", 100 * r);
    }

    private void table(List<String[]> rows) {
        int[] w = new int[HEADER.length];
        for (int i = 0; i < HEADER.length; i++) w[i] = HEADER[i].length();
        for (String[] r : rows) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
        line(HEADER, w);
        for (String[] r : rows) line(r, w);
    }

    private void line(String[] r, int[] w) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < r.length; i++) {
            if (i > 0) sb.append("  ");
            String f = i < 2 ? "%-" + w[i] + "s" : "%" + w[i] + "s";
            sb.append(String.format(Locale.ROOT, f, r[i]));
        }
        out.println(sb.toString().stripTrailing());
    }

    private void csv(List<String[]> rows) {
        try {
            CSVPrinter p = new CSVPrinter(out, CSVFormat.DEFAULT.builder().setHeader(HEADER).get());
            for (String[] r : rows) p.printRecord((Object[]) r);
            p.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void markdown(List<String[]> rows) {
        out.println("| " + String.join(" | ", HEADER) + " |");
        StringBuilder sep = new StringBuilder("|");
        for (int i = 0; i < HEADER.length; i++) sep.append(i < 2 ? "---|" : "---:|");
        out.println(sep);
        for (String[] r : rows) out.println("| " + String.join(" | ", r) + " |");
    }

    /** The calibration rows: figure, observed, replayed, ratio replayed/observed. */
    static String[][] calRows(JsonNode cal) {
        JsonNode o = cal.get("observed");
        JsonNode r = cal.get("replayed");
        return new String[][] {
            {"fallback rate (%)", pct(o.get("fallback_rate_strict").asDouble()), pct(r.get("fallback_rate_strict").asDouble()),
                ratio(r.get("fallback_rate_strict"), o.get("fallback_rate_strict"))},
            {"writer wait p50 (µs)", ReplaySummaryWriter.num(o.get("writer_wait_us").get("p50")),
                ReplaySummaryWriter.num(r.get("writer_wait_us").get("p50")), ratio(r.get("writer_wait_us").get("p50"), o.get("writer_wait_us").get("p50"))},
            {"writer wait p99 (µs)", ReplaySummaryWriter.num(o.get("writer_wait_us").get("p99")),
                ReplaySummaryWriter.num(r.get("writer_wait_us").get("p99")), ratio(r.get("writer_wait_us").get("p99"), o.get("writer_wait_us").get("p99"))},
            {"reader wait p99 (µs)", ReplaySummaryWriter.num(o.get("reader_wait_us").get("p99")),
                ReplaySummaryWriter.num(r.get("reader_wait_us").get("p99")), ratio(r.get("reader_wait_us").get("p99"), o.get("reader_wait_us").get("p99"))},
        };
    }

    private static String ratio(JsonNode rep, JsonNode obs) {
        if (rep == null || obs == null || rep.isNull() || obs.isNull()) return "-";
        double o = obs.asDouble();
        return o == 0 ? (rep.asDouble() == 0 ? "1.00" : "inf") : String.format(Locale.ROOT, "%.2f", rep.asDouble() / o);
    }

    private void tableCal(JsonNode cal) {
        out.println("calibration: observed vs replayed under " + cal.get("policy").asText()
                + " (the policy of the kernel that produced the trace)");
        String[][] rows = calRows(cal);
        int w = 0;
        for (String[] r : rows) w = Math.max(w, r[0].length());
        out.printf(Locale.ROOT, "  %-" + w + "s  %10s  %10s  %7s%n", "", "observed", "replayed", "ratio");
        for (String[] r : rows) out.printf(Locale.ROOT, "  %-" + w + "s  %10s  %10s  %7s%n", r[0], r[1], r[2], r[3]);
    }

    private void markdownCal(JsonNode cal) {
        out.println("| figure | observed | replayed | ratio |");
        out.println("|---|---:|---:|---:|");
        for (String[] r : calRows(cal)) out.println("| " + String.join(" | ", r) + " |");
    }
}
