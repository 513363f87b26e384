package vmalock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import vmalock.stats.ObservedStats;
import vmalock.stats.Samples;
import vmalock.stats.StatsJson;
import vmalock.stats.WorkspaceStats;
import vmalock.store.Manifest;

/** The human summary of {@code vmalock stats}: the same figures as {@code --json}, with units. */
final class StatsTextWriter {
    private static final int TOP = 10;
    private final PrintWriter out;

    StatsTextWriter(PrintWriter out) {
        this.out = out;
    }

    void write(WorkspaceStats st, ObjectNode json) {
        ObservedStats s = st.stats;
        boolean ticks = st.ticks;
        String unit = ticks ? "ticks" : "µs";
        for (Manifest.Source src : st.sources) {
            p("source %d  %s  (%s, %s clock, %,d lines: %,d events, %,d non-event, %,d problems)%n",
                    src.index, src.name, src.format, src.clock, src.linesTotal, src.events, src.nonEventLines, src.problems);
        }
        JsonNode warnings = json.get("warnings");
        if (warnings.size() > 0) {
            out.println();
            out.println("WARNING: figures from a lossy or damaged trace — do not trust them blindly:");
            warnings.forEach(w -> out.println("  - " + w.asText()));
        }
        out.println();
        if (s.hasTs) {
            p("time            %s … %s %s%n", StatsJson.formatTs(s.firstTs, ticks),
                    StatsJson.formatTs(s.lastTs, ticks), ticks ? "ticks" : "s");
        }
        p("events          %,d%n", s.totalEvents);
        s.eventsByType.forEach((k, v) -> p("  %-32s %,12d%n", k, v));
        out.println();
        p("user page faults        %,d%n", s.pageFaults);
        p("fallback rate           %s  (%,d faults took mmap_lock after the per-VMA lock failed; rule 2)%n",
                percent(s.fallbackFaultsStrict, s.pageFaults), s.fallbackFaultsStrict);
        p("  loose rule 1          %s  (%,d; also counts mmap_write_downgrade and faults followed by write locks)%n",
                percent(s.fallbackFaultsLoose, s.pageFaults), s.fallbackFaultsLoose);
        p("mmap_lock acquisitions  read %,d  write %,d  failed %,d (read %,d, write %,d)%n",
                s.readAcquisitions, s.writeAcquisitions, s.failedAcquisitions(), s.failedReadAcquisitions,
                s.failedWriteAcquisitions);
        p("lost events             %,d in %,d markers (%,d without a count)%n", s.lostEvents,
                s.lostEventMarkers, s.lostEventMarkersWithoutCount);
        if (json.has("header_entries_written")) {
            p("ftrace ring buffer      %,d entries in buffer, %,d written, %,d overwritten%n",
                    json.get("header_entries_in_buffer").asLong(), json.get("header_entries_written").asLong(),
                    json.get("header_entries_overwritten").asLong());
        }
        out.println();
        p("%-26s %8s %10s %10s %10s %10s %10s %10s  (%s)%n", "", "count", "min", "p50", "p90", "p99", "max", "sum", unit);
        samples("writer wait", s.writerWait, ticks);
        samples("reader wait", s.readerWait, ticks);
        samples("writer wait (success only)", s.writerWaitSuccessOnly, ticks);
        samples("reader wait (success only)", s.readerWaitSuccessOnly, ticks);
        samples("write hold", s.writeHold, ticks);
        samples("read hold", s.readHold, ticks);
        out.println();
        p("pairing diagnostics%n");
        s.diagnostics().asMap().forEach((k, v) -> {
            if (v != 0) {
                p("  %-44s %,10d%n", k, v);
            }
        });
        out.println();
        p("top %d tasks (comm) by events%n", TOP);
        p("  %-16s %10s %10s %9s %8s %8s %8s%n", "comm", "events", "faults", "fallback", "read", "write", "failed");
        for (Map.Entry<String, ObservedStats.CommStats> x : StatsJson.topComms(s, TOP)) {
            ObservedStats.CommStats c = x.getValue();
            p("  %-16s %,10d %,10d %,9d %,8d %,8d %,8d%n", x.getKey(), c.events, c.pageFaults,
                    c.fallbackFaults, c.readAcquisitions, c.writeAcquisitions, c.failedAcquisitions);
        }
        out.println("  (fallback per comm uses rule 1)");
        out.println();
        p("mm (%d distinct)%n", s.perMm.size());
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

    private void samples(String name, Samples v, boolean ticks) {
        if (v.count() == 0) {
            p("%-26s %8d %10s %10s %10s %10s %10s %10s%n", name, 0, "-", "-", "-", "-", "-", "-");
            return;
        }
        p("%-26s %,8d %10s %10s %10s %10s %10s %10s%s%n", name, v.count(), val(v.min(), ticks),
                val(v.percentile(50), ticks), val(v.percentile(90), ticks), val(v.percentile(99), ticks),
                val(v.max(), ticks), val(v.sum(), ticks),
                v.negatives() > 0 ? "  (" + v.negatives() + " negative)" : "");
    }

    private static String val(long raw, boolean ticks) {
        if (ticks) {
            return Long.toString(raw);
        }
        return raw % 1000 == 0 ? Long.toString(raw / 1000) : String.format(java.util.Locale.ROOT, "%.3f", raw / 1000.0);
    }

    private static String percent(long num, long den) {
        return den == 0 ? "n/a" : String.format(java.util.Locale.ROOT, "%.3f %%", 100.0 * num / den);
    }
}
