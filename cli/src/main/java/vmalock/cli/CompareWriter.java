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

    /** {@code --wide}: every figure. */
    static final String[] HEADER = {"policy", "run", "faults", "faults_per_s", "d_faults_per_s_%", "fault_latency_p50_us",
        "fault_latency_p99_us", "d_fault_latency_p99_us", "faults_on_mmap_lock_%", "fallback_rate_strict_%",
        "vma_lock_success", "vma_lock_abort", "vma_lock_miss", "vma_lock_retry", "retries", "writer_wait_sum_us",
        "d_writer_wait_sum_us", "writer_wait_p50_us", "writer_wait_p99_us", "writer_wait_max_us", "reader_wait_sum_us",
        "d_reader_wait_sum_us", "reader_wait_p99_us", "write_hold_p99_us", "vma_write_wait_sum_us", "vma_write_wait_p99_us",
        "syscall_latency_p99_us",
        "d_syscall_latency_p99_us", "defects", "makespan_us", "d_makespan_us"};
    /** The default table (fits 100 columns): the figures a policy is judged by, deltas against the baseline. */
    static final String[] NARROW = {"policy", "faults_per_s", "d_faults_per_s_%", "fault_latency_p99_us",
        "d_fault_latency_p99_us", "faults_on_mmap_lock_%", "writer_wait_sum_us", "d_writer_wait_sum_us",
        "reader_wait_sum_us", "d_reader_wait_sum_us", "syscall_latency_p99_us"};
    /** Short headers of the narrow table (the legend under it names each column). */
    static final String[] NARROW_SHORT = {"policy", "faults/s", "Δ%", "fault p99", "Δ", "mmap%", "ww sum", "Δ",
        "rw sum", "Δ", "sys p99"};

    private final PrintWriter out;
    private final Format fmt;

    private final boolean wide;

    CompareWriter(PrintWriter out, Format fmt) {
        this(out, fmt, true);
    }

    CompareWriter(PrintWriter out, Format fmt, boolean wide) {
        this.out = out;
        this.fmt = fmt;
        this.wide = wide;
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
                if (wide) {
                    table(HEADER, rows);
                } else {
                    table(NARROW_SHORT, narrow(rows));
                    out.println("faults/s = replayed user faults per second of makespan; fault p99 = fault latency p99 (µs,");
                    out.println("issue to completion, every wait included); mmap% = faults the model completed under mmap_lock;");
                    out.println("ww/rw sum = mmap_lock writer/reader wait sums (µs); sys p99 = VMA-syscall latency p99 (µs);");
                    out.println("Δ = against the baseline, same population (every replayed fault / syscall). --wide: all figures.");
                }
                notes(c);
                out.println();
                out.println("baseline: " + baseline + " (deltas against it)");
                if (c.has("kernel_policy")) {
                    out.println("the trace's kernel: " + c.get("kernel_policy").asText() + ", "
                            + (c.get("kernel_policy_guessed").asBoolean() ? "guessed (no kernel release; ingest --kernel)"
                            : c.get("kernel_policy_basis").asText()));
                }
                model(c, baseline);
                tableCal(cal);
        }
        if (c.has("sweep") && fmt != Format.CSV) sweep(c.get("sweep"));
    }

    /**
     * The timing and CPU model the baseline's replay ran with, per source, each with where it came from: what
     * the what-if figures above rest on (run.json's inputs).
     */
    private void model(JsonNode c, String baseline) {
        JsonNode run = null;
        for (JsonNode r : c.path("runs")) if (r.path("policy").asText().equals(baseline)) run = r;
        if (run == null) return;
        for (JsonNode in : run.path("inputs")) {
            out.println("model (" + in.path("name").asText() + "), what the figures above rest on:");
            if (in.path("timing").asText().equals("sched")) {
                wrapped("closed loop on " + in.path("cpus").asText() + " CPUs"
                        + (in.has("scheduler") ? ", scheduler " + in.path("scheduler").asText() : "")
                        + "; kernel preemption " + in.path("preempt").asText()
                        + " (" + in.path("preempt_basis").asText() + ")");
                if (in.has("wake_cpu")) {
                    String wc = in.path("wake_cpu").asText();
                    String queued = "waits there (an idle CPU takes it after the " + in.path("migration_cost_us").asText()
                            + " µs migration cost)";
                    wrapped("a woken task whose previous CPU is busy " + (wc.equals("prev") ? queued
                            : wc.equals("mixed") ? "runs on an idle CPU " + Math.round(100 * in.path("wake_cpu_idle_share").asDouble())
                                    + " % of the time, else " + queued
                            : "runs on any idle CPU") + " (" + in.path("wake_cpu_basis").asText() + ")");
                }
            } else {
                wrapped(in.path("timing").asText() + " timing (open loop: the trace has no sched events); CPUs "
                        + in.path("cpus").asText());
            }
            wrapped("per-VMA fault cost " + in.path("fault_cost_ns").asLong() + " ns mean (" + in.path("fault_cost_source").asText()
                    + ("trace-gaps".equals(in.path("fault_cost_shape").asText())
                            ? "; a fault the trace shows slow costs its gap × " + in.path("fault_cost_gap_scale").asText() : "")
                    + "); wake-up latency p50 " + in.path("wake_latency_p50_ns").asLong() + " ns of "
                    + in.path("wake_latency_samples").asLong() + " samples (" + in.path("wake_latency_source").asText() + ")"
                    + (in.has("waker_cost_samples") ? "; waking a sleeper costs the waker "
                            + (in.path("waker_cost_p50_ns").isNumber() ? "p50 " + in.path("waker_cost_p50_ns").asLong() + " ns of "
                                    + in.path("waker_cost_samples").asLong() + " samples (trace: write releases with a waiter asleep → sys_exit)"
                                    : "nothing (" + in.path("waker_cost_samples").asLong() + " samples in the trace, 20 needed, or "
                                            + "--waker-cost off)") : ""));
        }
        JsonNode sl = run.path("sleeps");
        if (sl.has("between_operations")) {
            long untold = sl.path("wake_context_unknown").asLong() + sl.path("wakeup_not_seen").asLong();
            wrapped("sleeps between operations " + sl.path("between_operations").asLong() + ": "
                    + sl.path("woken_by_traced_task_replayed").asLong() + " woken by a traced task, ended when it gets there; "
                    + "recorded length for " + sl.path("woken_in_interrupt").asLong() + " ended by interrupts (timers), "
                    + (sl.path("woken_by_untraced_task").asLong() + sl.path("woken_by_traced_task_recorded_length").asLong())
                    + " by untraced or other-process tasks, " + untold + " untold"
                    + (untold > 0 ? " (no ftrace flags column or no sched_waking: a task's wake-up cannot be told from a timer's)" : ""));
        }
    }

    /** One item of a note, indented two spaces and wrapped at word boundaries to fit 100 columns. */
    private void wrapped(String text) {
        StringBuilder line = new StringBuilder("  ");
        boolean empty = true; // nothing after the indent yet
        for (String w : text.split(" ")) {
            if (!empty && line.length() + 1 + w.length() > 100) {
                out.println(line);
                line = new StringBuilder("    ");
                empty = true;
            }
            if (!empty) line.append(' ');
            line.append(w);
            empty = false;
        }
        out.println(line);
    }

    /** compare --sweep: each delta's range over the variants, and whether its sign held. */
    private void sweep(JsonNode sw) {
        out.println();
        List<String> vs = new ArrayList<>();
        for (JsonNode v : sw.get("variants")) vs.add(v.asText());
        out.println("sensitivity (--sweep): deltas against the baseline under " + String.join(", ", vs));
        out.printf(Locale.ROOT, "  %-22s %-24s %10s %22s  %s%n", "policy", "delta", "value", "min..max", "sign");
        sw.get("runs").fields().forEachRemaining(e -> e.getValue().fields().forEachRemaining(d -> {
            JsonNode x = d.getValue();
            if (x.get("value").isNull()) return;
            out.printf(Locale.ROOT, "  %-22s %-24s %10s %22s  %s%n", e.getKey(), d.getKey(),
                    ReplaySummaryWriter.num(x.get("value")),
                    ReplaySummaryWriter.num(x.get("min")) + ".." + ReplaySummaryWriter.num(x.get("max")),
                    x.get("sign_stable").asBoolean() ? "stable" : "UNSTABLE");
        }));
    }

    /** Policies that changed no traced operation: their rows repeat the baseline, and say why. */
    private void notes(JsonNode c) {
        // one caveat, the policies it concerns (the text names the first; the others share it)
        java.util.Map<String, List<String>> caveats = new java.util.LinkedHashMap<>();
        for (JsonNode r : c.get("runs")) {
            JsonNode cav = r.get("caveats");
            if (cav == null) continue;
            for (JsonNode x : cav) {
                String key = x.asText().replace("under " + r.get("policy").asText() + " ", "under POLICY ");
                caveats.computeIfAbsent(key, k -> new ArrayList<>()).add(r.get("policy").asText());
            }
        }
        caveats.forEach((text, ps) -> wrap(String.join(", ", ps) + ": " + text.replace("under POLICY ", "under "
                + (ps.size() == 1 ? ps.get(0) : "them") + " ")));
        for (JsonNode r : c.get("runs")) {
            JsonNode stopped = r.get("address_spaces_stopped_at_defect");
            if (stopped != null && stopped.asLong() > 0) {
                JsonNode d = r.get("defects").get(0);
                out.println(r.get("policy").asText() + ": DEFECT: stopped at a modelled oops in " + stopped.asLong()
                        + " address space(s)");
                out.println("  (first: " + d.get("comm").asText() + "-" + d.get("tid").asText() + " at " + d.get("time").asText()
                        + " s); figures cover the work before it, no deltas");
            }
            JsonNode why = r.get("no_change_reason");
            if (why != null && !why.isNull() && !r.get("policy").asText().equals(c.get("baseline").asText())) {
                out.println(r.get("policy").asText() + ": " + why.asText());
            }
        }
    }

    /** Prints {@code text} in lines of at most 100 columns, continuation lines indented. */
    private void wrap(String text) {
        StringBuilder line = new StringBuilder();
        for (String w : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + w.length() > 100) {
                out.println(line);
                line.setLength(0);
                line.append("  ");
            }
            if (line.length() > 0 && !line.toString().equals("  ")) line.append(' ');
            line.append(w);
        }
        if (line.length() > 0) out.println(line);
    }

    /** The {@link #NARROW} columns of {@link #HEADER} rows. */
    static List<String[]> narrow(List<String[]> rows) {
        int[] idx = new int[NARROW.length];
        for (int k = 0; k < NARROW.length; k++) idx[k] = java.util.Arrays.asList(HEADER).indexOf(NARROW[k]);
        List<String[]> out = new ArrayList<>();
        for (String[] r : rows) {
            String[] x = new String[NARROW.length];
            for (int k = 0; k < NARROW.length; k++) x[k] = r[idx[k]];
            out.add(x);
        }
        return out;
    }

    private static String[] row(String policy, String run, JsonNode s, JsonNode vl, JsonNode retries, JsonNode r, JsonNode base) {
        String[] x = new String[HEADER.length];
        java.util.Arrays.fill(x, "-");
        java.util.function.BiConsumer<String, String> put = (k, v) -> x[java.util.Arrays.asList(HEADER).indexOf(k)] = v;
        put.accept("policy", policy);
        put.accept("run", run);
        put.accept("faults", Long.toString(s.get("page_faults").asLong()));
        put.accept("fallback_rate_strict_%", pct(s.get("fallback_rate_strict").asDouble()));
        if (vl != null) {
            put.accept("vma_lock_success", vl.get("success").asText());
            put.accept("vma_lock_abort", vl.get("abort").asText());
            put.accept("vma_lock_miss", vl.get("miss").asText());
            put.accept("vma_lock_retry", vl.get("retry").asText());
        }
        if (retries != null) put.accept("retries", retries.asText());
        put.accept("writer_wait_sum_us", ReplaySummaryWriter.num(s.get("writer_wait_us").get("sum")));
        put.accept("writer_wait_p50_us", ReplaySummaryWriter.num(s.get("writer_wait_us").get("p50")));
        put.accept("writer_wait_p99_us", ReplaySummaryWriter.num(s.get("writer_wait_us").get("p99")));
        put.accept("writer_wait_max_us", ReplaySummaryWriter.num(s.get("writer_wait_us").get("max")));
        put.accept("reader_wait_sum_us", ReplaySummaryWriter.num(s.get("reader_wait_us").get("sum")));
        put.accept("reader_wait_p99_us", ReplaySummaryWriter.num(s.get("reader_wait_us").get("p99")));
        put.accept("write_hold_p99_us", ReplaySummaryWriter.num(s.get("write_hold_us").get("p99")));
        if (r == null) return x;
        // run entries list at most the first 50 defects: show "50+"
        put.accept("defects", r.get("defects").size() >= 50 ? "50+" : Integer.toString(r.get("defects").size()));
        put.accept("makespan_us", r.get("makespan_us").asText());
        if (r.hasNonNull("faults_per_s")) {
            put.accept("faults_per_s", String.format(Locale.ROOT, "%.0f", r.get("faults_per_s").asDouble()));
            put.accept("fault_latency_p50_us", ReplaySummaryWriter.num(r.get("fault_latency_us").get("p50")));
            put.accept("fault_latency_p99_us", ReplaySummaryWriter.num(r.get("fault_latency_us").get("p99")));
            put.accept("faults_on_mmap_lock_%", pct(r.get("faults_on_mmap_lock_rate").asDouble()));
            put.accept("syscall_latency_p99_us", ReplaySummaryWriter.num(r.get("syscall_latency_us").get("p99")));
        }
        if (r.hasNonNull("vma_write_wait_us")) {
            put.accept("vma_write_wait_sum_us", ReplaySummaryWriter.num(r.get("vma_write_wait_us").get("sum")));
            put.accept("vma_write_wait_p99_us", ReplaySummaryWriter.num(r.get("vma_write_wait_us").get("p99")));
        }
        JsonNode stopped = r.get("address_spaces_stopped_at_defect");
        if (base != null && (stopped == null || stopped.asLong() == 0)) { // a run cut short: not the same population
            JsonNode b = base.get("stats");
            put.accept("d_writer_wait_sum_us", delta(s.get("writer_wait_us").get("sum"), b.get("writer_wait_us").get("sum")));
            put.accept("d_reader_wait_sum_us", delta(s.get("reader_wait_us").get("sum"), b.get("reader_wait_us").get("sum")));
            put.accept("d_makespan_us", String.format(Locale.ROOT, "%+d", r.get("makespan_us").asLong() - base.get("makespan_us").asLong()));
            if (r.hasNonNull("faults_per_s") && base.hasNonNull("faults_per_s")) {
                double bf = base.get("faults_per_s").asDouble();
                put.accept("d_faults_per_s_%", bf == 0 ? "-"
                        : String.format(Locale.ROOT, "%+.1f", 100 * (r.get("faults_per_s").asDouble() - bf) / bf));
                put.accept("d_fault_latency_p99_us", delta(r.get("fault_latency_us").get("p99"), base.get("fault_latency_us").get("p99")));
                put.accept("d_syscall_latency_p99_us", delta(r.get("syscall_latency_us").get("p99"), base.get("syscall_latency_us").get("p99")));
            }
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

    private void table(String[] header, List<String[]> rows) {
        int[] w = new int[header.length];
        for (int i = 0; i < header.length; i++) w[i] = header[i].length();
        for (String[] r : rows) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
        line(header, w);
        for (String[] r : rows) line(r, w);
    }

    private void line(String[] r, int[] w) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < r.length; i++) {
            if (i > 0) sb.append(r.length == HEADER.length ? "  " : " "); // the narrow table: one space
            String f = i == 0 || r.length == HEADER.length && i < 2 ? "%-" + w[i] + "s" : "%" + w[i] + "s";
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

    /**
     * The calibration rows: figure, observed, replayed, ratio replayed/observed, verdict. Sums, p99 and
     * maxima of the waits and of the VMA-syscall latency, the fallback rate and the faults by path; a
     * figure at the trace's timestamp resolution on both sides (≤ 1 µs) is marked as such, not agreement.
     */
    static String[][] calRows(JsonNode cal) {
        JsonNode o = cal.get("observed");
        JsonNode r = cal.get("replayed");
        JsonNode rr = cal.path("replayed_run");
        List<String[]> rows = new ArrayList<>();
        rows.add(calRow("fallback rate, rule 2 (%)", "fallback_rate_strict", o.get("fallback_rate_strict"),
                r.get("fallback_rate_strict"), 100, false));
        for (String[] w : new String[][] {{"writer_wait_us", "writer wait"}, {"reader_wait_us", "reader wait"}}) {
            for (String k : new String[] {"sum", "p99", "max"}) {
                rows.add(calRow(w[1] + " " + k + " (µs)", w[0] + "." + k, o.get(w[0]).get(k), r.get(w[0]).get(k), 1,
                        !k.equals("sum")));
            }
        }
        if (rr.hasNonNull("syscall_latency_us")) {
            for (String k : new String[] {"sum", "p99", "max"}) {
                rows.add(calRow("VMA syscall latency " + k + " (µs)", "syscall_latency_us." + k,
                        rr.get("observed_syscall_latency_us").get(k), rr.get("syscall_latency_us").get(k), 1, !k.equals("sum")));
            }
            // the pooled p99 can sit on the knee between short calls and preempted ones: each syscall's own
            JsonNode byObs = rr.path("observed_syscall_latency_us_by_syscall"), byRep = rr.path("syscall_latency_us_by_syscall");
            for (java.util.Iterator<String> it = byRep.fieldNames(); it.hasNext();) {
                String sc = it.next();
                if (!byObs.has(sc)) continue;
                rows.add(calRow("  " + sc + " latency p99 (µs)", "syscall_latency_us_by_syscall." + sc + ".p99",
                        byObs.get(sc).get("p99"), byRep.get(sc).get("p99"), 1, true));
            }
            // waits no tracepoint shows, against what the trace's sched_switch says of them (inferred: a writer
            // asleep while holding mmap_lock for write is in vma_start_write, or an allocation)
            JsonNode ws = rr.path("observed_write_section_sleep_us");
            if (ws.isObject() && rr.hasNonNull("vma_write_wait_us")) {
                rows.add(calRow("VMA write waits sum (µs; trace: sleeps in write sections, inferred)", "vma_write_wait_us.sum",
                        ws.get("sum"), rr.get("vma_write_wait_us").get("sum"), 1, false));
            }
            rows.add(new String[] {"faults on mmap_lock (model's count)", "-",
                rr.get("faults_on_mmap_lock").asText(), "-", "not traced per fault", "faults_on_mmap_lock", "",
                rr.get("faults_on_mmap_lock").asText()});
        }
        JsonNode vms = cal.get("vmstat_vma_lock");
        if (vms != null && !vms.isNull() && rr.has("vma_lock")) {
            // /proc/vmstat counts the whole machine during the capture: other processes' faults included
            for (String k : new String[] {"success", "abort", "retry", "miss"}) {
                rows.add(calRow("vma_lock_" + k + " (/proc/vmstat, machine)", "vma_lock." + k, vms.get("vma_lock_" + k),
                        rr.get("vma_lock").get(k), 1, false));
            }
        }
        return rows.toArray(new String[0][]);
    }

    /** name, observed, replayed, ratio, verdict, then the figure's JSON path and the raw observed / replayed values. */
    private static String[] calRow(String name, String path, JsonNode obs, JsonNode rep, double scale, boolean floorCheck) {
        String os = obs == null || obs.isNull() ? "-" : scale == 1 ? ReplaySummaryWriter.num(obs) : pct(obs.asDouble());
        String rs = rep == null || rep.isNull() ? "-" : scale == 1 ? ReplaySummaryWriter.num(rep) : pct(rep.asDouble());
        String ratio = ratio(rep, obs);
        String verdict;
        if (obs == null || obs.isNull() || rep == null || rep.isNull()) {
            verdict = "-";
        } else if (floorCheck && obs.asDouble() <= 1 && rep.asDouble() <= 1) {
            verdict = "at resolution";
        } else {
            double o = obs.asDouble(), x = rep.asDouble();
            double f = o == 0 ? (x == 0 ? 1 : Double.POSITIVE_INFINITY) : x / o;
            f = f < 1 && f > 0 ? 1 / f : f;
            verdict = f <= 1.5 ? "within 1.5×" : f <= 2 ? "within 2×" : "off by more than 2×";
        }
        return new String[] {name, os, rs, ratio, verdict, path, obs == null || obs.isNull() ? "" : obs.asText(),
            rep == null || rep.isNull() ? "" : rep.asText()};
    }

    private static String ratio(JsonNode rep, JsonNode obs) {
        if (rep == null || obs == null || rep.isNull() || obs.isNull()) return "-";
        double o = obs.asDouble();
        return o == 0 ? (rep.asDouble() == 0 ? "1.00" : "inf") : String.format(Locale.ROOT, "%.2f", rep.asDouble() / o);
    }

    private void tableCal(JsonNode cal) {
        out.println("calibration: observed vs replayed under " + cal.get("policy").asText() + " (the trace's kernel policy)");
        String[][] rows = calRows(cal);
        int w = 0;
        for (String[] r : rows) w = Math.max(w, r[0].length());
        out.printf(Locale.ROOT, "  %-" + w + "s  %10s  %10s  %6s  %s%n", "", "observed", "replayed", "ratio", "verdict");
        for (String[] r : rows) out.printf(Locale.ROOT, "  %-" + w + "s  %10s  %10s  %6s  %s%n", r[0], r[1], r[2], r[3], r[4]);
        out.println("  (self-reproduction of the recording, not a prediction; what-if accuracy against real");
        out.println("   counterfactual captures: docs/replay.md, table from bench/cf-oracle.py)");
    }

    private void markdownCal(JsonNode cal) {
        out.println("| figure | observed | replayed | ratio | verdict |");
        out.println("|---|---:|---:|---:|---|");
        for (String[] r : calRows(cal)) out.println("| " + String.join(" | ", r) + " |");
    }
}
