package vmalock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import vmalock.store.Manifest;

/** The human summary of {@code vmalock stats}: the same figures as {@code --json}, with units. */
final class StatsTextWriter {
    private static final int TOP = 10;
    private final PrintWriter out;

    StatsTextWriter(PrintWriter out) {
        this.out = out;
    }

    /**
     * Writes the summary of a {@code stats --json} document (from the DuckDB path or the Java one);
     * {@code sources} are the manifest entries it covers (none for a replay run).
     */
    void write(List<Manifest.Source> sources, ObjectNode json) {
        boolean ticks = "ticks".equals(json.get("time_unit").asText());
        String unit = ticks ? "ticks" : "µs";
        String sfx = ticks ? "_ticks" : "_us";
        for (Manifest.Source src : sources) {
            p("source %d  %s%n  (%s, %s clock, %,d lines: %,d events, %,d non-event, %,d problems)%n",
                    src.index, src.name, src.format, src.clock, src.linesTotal, src.events, src.nonEventLines, src.problems);
            p("  kernel %s%s%n", src.kernel == null ? "unknown (ingest --kernel RELEASE tells the replay its baseline)"
                    : src.kernel + " (" + src.kernelFrom + ")", src.kernelConfig == null ? ""
                    : ", CONFIG_PER_VMA_LOCK=" + src.kernelConfig.get("CONFIG_PER_VMA_LOCK") + ", CONFIG_PER_VMA_LOCK_STATS="
                    + src.kernelConfig.get("CONFIG_PER_VMA_LOCK_STATS"));
        }
        JsonNode vms = json.get("vmstat_vma_lock");
        if (vms != null && !vms.isNull()) {
            StringBuilder b = new StringBuilder();
            vms.fields().forEachRemaining(x -> b.append(b.length() == 0 ? "" : ", ").append(x.getKey()).append(' ')
                    .append(String.format(java.util.Locale.ROOT, "%,d", x.getValue().asLong())));
            p("/proc/vmstat during the capture (machine-wide): %s%n", b);
        }
        JsonNode warnings = json.get("warnings");
        if (warnings.size() > 0) {
            out.println();
            out.println("WARNING: figures from a lossy or damaged trace — do not trust them blindly:");
            warnings.forEach(w -> out.println("  - " + w.asText()));
        }
        out.println();
        if (!json.get("first_ts").isNull()) {
            p("time            %s … %s %s%n", json.get("first_ts").asText(), json.get("last_ts").asText(),
                    ticks ? "ticks" : "s");
        }
        p("events          %,d%n", json.get("total_events").asLong());
        json.get("events_by_type").fields().forEachRemaining(x -> p("  %-32s %,12d%n", x.getKey(), x.getValue().asLong()));
        out.println();
        long faults = json.get("page_faults").asLong();
        long strict = json.get("fallback_faults_strict").asLong();
        long loose = json.get("fallback_faults").asLong();
        JsonNode ml = json.get("mmap_lock");
        p("user page faults        %,d%n", faults);
        p("fallback rate, rule 2   %s  (%,d faults took mmap_lock after the per-VMA lock failed)%n",
                percent(strict, faults), strict);
        p("fallback rate, rule 1   %s  (%,d; also counts downgrades and faults followed by write locks)%n",
                percent(loose, faults), loose);
        p("mmap_lock acquisitions  read %,d  write %,d  failed %,d (read %,d, write %,d)%n",
                ml.get("read_acquisitions").asLong(), ml.get("write_acquisitions").asLong(),
                ml.get("failed_acquisitions").asLong(), ml.get("failed_read_acquisitions").asLong(),
                ml.get("failed_write_acquisitions").asLong());
        p("lost events             %,d in %,d markers (%,d without a count)%n", json.get("lost_events").asLong(),
                json.get("lost_event_markers").asLong(), json.get("lost_event_markers_without_count").asLong());
        JsonNode pd = json.get("pairing_diagnostics");
        if (json.get("lost_event_markers").asLong() > 0 && pd.has("wait_pairs_across_lost_events")) {
            p("pairs across lost events  %,d waits, %,d holds (lost events in between: not samples)%n",
                    pd.get("wait_pairs_across_lost_events").asLong(), pd.get("hold_pairs_across_lost_events").asLong());
        }
        if (json.has("header_entries_written")) {
            p("ftrace ring buffer      %,d entries in buffer, %,d written, %,d overwritten%n",
                    json.get("header_entries_in_buffer").asLong(), json.get("header_entries_written").asLong(),
                    json.get("header_entries_overwritten").asLong());
        }
        out.println();
        p("%-26s %8s %9s %9s %9s %9s %9s %9s%n", "(" + unit + ")", "count", "min", "p50", "p90", "p99", "max", "sum");
        samples("writer wait", json.get("writer_wait" + sfx));
        samples("reader wait", json.get("reader_wait" + sfx));
        samples("writer wait (success only)", json.get("writer_wait_success_only" + sfx));
        samples("reader wait (success only)", json.get("reader_wait_success_only" + sfx));
        samples("write hold", json.get("write_hold" + sfx));
        samples("read hold", json.get("read_hold" + sfx));
        if (json.has("syscall_latency" + sfx)) {
            samples("VMA syscall latency", json.get("syscall_latency" + sfx));
        }
        if (json.hasNonNull("faults_per_s") && json.has("makespan_us")) {
            p("%nthroughput              %,.1f faults/s over a makespan of %,d µs (first event to last)%n",
                    json.get("faults_per_s").asDouble(), json.get("makespan_us").asLong());
        }
        out.println();
        p("pairing diagnostics%n");
        json.get("pairing_diagnostics").fields().forEachRemaining(x -> {
            if (x.getValue().asLong() != 0) {
                p("  %-44s %,10d%n", x.getKey(), x.getValue().asLong());
            }
        });
        out.println();
        p("top %d tasks (comm) by events%n", TOP);
        p("  %-16s %10s %10s %9s %8s %8s %8s%n", "comm", "events", "faults", "fallback", "read", "write", "failed");
        int k = 0;
        for (Map.Entry<String, JsonNode> x : iterable(json.get("per_comm_top40"))) {
            if (k++ == TOP) {
                break;
            }
            JsonNode c = x.getValue();
            p("  %-16s %,10d %,10d %,9d %,8d %,8d %,8d%n", x.getKey(), c.get("events").asLong(),
                    c.get("page_faults").asLong(), c.get("fallback_faults").asLong(), c.get("read_acquisitions").asLong(),
                    c.get("write_acquisitions").asLong(), c.get("failed_acquisitions").asLong());
        }
        out.println("  (fallback per comm uses rule 1)");
        out.println();
        p("mm (%d distinct)%n", json.get("distinct_mm").asLong());
        p("  %-20s %8s %8s %8s %8s %6s  %s%n", "mm", "events", "read", "write", "failed", "tasks", "top comm");
        int n = 0;
        for (Map.Entry<String, JsonNode> x : iterable(json.get("per_mm"))) {
            if (n++ == TOP) {
                break;
            }
            JsonNode m = x.getValue();
            String top = m.get("comms").fieldNames().hasNext() ? m.get("comms").fieldNames().next() : "";
            p("  %-20s %,8d %,8d %,8d %,8d %6d  %s%n", x.getKey(), m.get("events").asLong(),
                    m.get("read_acquisitions").asLong(), m.get("write_acquisitions").asLong(),
                    m.get("failed_acquisitions").asLong(), m.get("tasks").asLong(), top);
        }
    }

    private void p(String fmt, Object... args) {
        out.print(String.format(java.util.Locale.ROOT, fmt, args));
    }

    private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode n) {
        List<Map.Entry<String, JsonNode>> l = new java.util.ArrayList<>();
        n.fields().forEachRemaining(l::add);
        return l;
    }

    private void samples(String name, JsonNode v) {
        long count = v.get("count").asLong();
        if (count == 0) {
            p("%-26s %8d %9s %9s %9s %9s %9s %9s%n", name, 0, "-", "-", "-", "-", "-", "-");
            return;
        }
        long neg = v.get("negative_samples").asLong();
        p("%-26s %,8d %9s %9s %9s %9s %9s %9s%s%n", name, count, val(v.get("min")), val(v.get("p50")),
                val(v.get("p90")), val(v.get("p99")), val(v.get("max")), val(v.get("sum")),
                neg > 0 ? "  (" + neg + " negative)" : "");
    }

    /** A JSON figure as printed: whole numbers without decimals, else three. */
    private static String val(JsonNode x) {
        if (x.isIntegralNumber()) {
            return Long.toString(x.asLong());
        }
        double d = x.asDouble();
        return d == Math.rint(d) ? Long.toString((long) d) : String.format(java.util.Locale.ROOT, "%.3f", d);
    }

    private static String percent(long num, long den) {
        return den == 0 ? "n/a" : String.format(java.util.Locale.ROOT, "%.3f %%", 100.0 * num / den);
    }
}
