package vmalock.stats;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import vmalock.store.Manifest;

/**
 * Builds the {@code stats --json} document: the truth files' field names and shapes
 * ({@code shared/traces/README.md}), plus {@code problems}, {@code lossy} and {@code warnings}. Without an
 * {@code ObjectMapper} (the nodes come from Jackson's node factory, as a mapper's do): {@code ingest} and {@code stats}
 * of a small trace build none (issue 13, start-up; {@link vmalock.store.JsonTrees} reads and writes the document).
 */
public final class StatsDocument {
    public static final int TOP_COMMS = 40;
    /** per_mm lists each mm's 8 busiest comms, as the truth files do. */
    public static final int TOP_COMMS_PER_MM = 8;

    private StatsDocument() {
    }

    /**
     * The traced kernel as the workspace knows it ({@code kernel}, {@code kernel_from}, {@code kernel_config}) and
     * the {@code /proc/vmstat} per-VMA-lock counters {@code capture} read before and after ({@code vmstat_vma_lock}:
     * the increase, machine-wide, summed over the sources that have them; null when none has). {@code stats}
     * adds them to the observed figures (a replay run has no kernel of its own).
     */
    public static void kernel(ObjectNode o, List<Manifest.Source> src) {
        o.put("kernel", join(src, x -> x.kernel == null ? "unknown" : x.kernel));
        o.put("kernel_from", join(src, x -> x.kernelFrom == null ? "not recorded" : x.kernelFrom));
        Manifest.Source withConfig = null;
        for (Manifest.Source x : src) if (x.kernelConfig != null && withConfig == null) withConfig = x;
        if (withConfig == null) {
            o.putNull("kernel_config");
        } else {
            ObjectNode c = o.putObject("kernel_config");
            withConfig.kernelConfig.forEach(c::put);
        }
        Map<String, Long> delta = null;
        for (Manifest.Source x : src) {
            if (x.vmstatBefore == null || x.vmstatAfter == null) continue;
            if (delta == null) delta = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, Long> e : x.vmstatAfter.entrySet()) {
                Long b = x.vmstatBefore.get(e.getKey());
                if (b != null) delta.merge(e.getKey(), e.getValue() - b, Long::sum);
            }
        }
        if (delta == null) {
            o.putNull("vmstat_vma_lock");
        } else {
            ObjectNode v = o.putObject("vmstat_vma_lock");
            delta.forEach(v::put);
        }
    }

    public static ObjectNode build(WorkspaceStats ws) {
        ObservedStats s = ws.stats;
        List<Manifest.Source> src = ws.sources;
        boolean ticks = ws.ticks;
        String unit = ticks ? "ticks" : "us";
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("capture", join(src, x -> x.name));
        o.put("format", join(src, x -> x.format));
        o.put("trace_clock", join(src, x -> x.clock));
        o.put("time_unit", unit);
        long lines = 0;
        long nonEvent = 0;
        long problems = 0;
        Map<String, Long> byKind = new TreeMap<>();
        Long inBuffer = null;
        Long written = null;
        boolean bare = true;
        for (Manifest.Source x : src) {
            lines += x.linesTotal;
            nonEvent += x.nonEventLines;
            problems += x.problems;
            x.nonEventLinesByKind.forEach((k, v) -> byKind.merge(k, v, Long::sum));
            if (x.headerEntriesInBuffer != null) {
                inBuffer = (inBuffer == null ? 0 : inBuffer) + x.headerEntriesInBuffer;
                written = (written == null ? 0 : written) + x.headerEntriesWritten;
            }
            bare &= x.barePointers;
        }
        o.put("lines_total", lines);
        o.put("non_event_lines", nonEvent);
        ObjectNode kinds = o.putObject("non_event_lines_by_kind");
        byKind.forEach(kinds::put);
        o.put("problems", problems);
        o.put("total_events", s.totalEvents);
        ObjectNode types = o.putObject("events_by_type");
        s.eventsByType.forEach(types::put);
        if (s.hasTs) {
            o.put("first_ts", formatTs(s.firstTs, ticks));
            o.put("last_ts", formatTs(s.lastTs, ticks));
        } else {
            o.putNull("first_ts");
            o.putNull("last_ts");
        }
        o.put("page_faults", s.pageFaults);
        ObjectNode ml = o.putObject("mmap_lock");
        ml.put("read_acquisitions", s.readAcquisitions);
        ml.put("write_acquisitions", s.writeAcquisitions);
        ml.put("failed_acquisitions", s.failedAcquisitions());
        ml.put("failed_read_acquisitions", s.failedReadAcquisitions);
        ml.put("failed_write_acquisitions", s.failedWriteAcquisitions);
        o.put("fallback_faults", s.fallbackFaultsLoose);
        o.put("fallback_rate", rate(s.fallbackFaultsLoose, s.pageFaults));
        o.put("fallback_faults_strict", s.fallbackFaultsStrict);
        o.put("fallback_rate_strict", rate(s.fallbackFaultsStrict, s.pageFaults));
        o.put("lost_events", s.lostEvents);
        o.put("lost_event_markers", s.lostEventMarkers);
        o.put("lost_event_markers_without_count", s.lostEventMarkersWithoutCount);
        ObjectNode byCpu = o.putObject("lost_events_by_cpu");
        s.lostEventsByCpu.forEach((cpu, n) -> byCpu.put(cpu < 0 ? "unknown" : Integer.toString(cpu), n));
        o.put("distinct_mm", s.perMm.size());
        if (inBuffer != null) {
            o.put("header_entries_in_buffer", inBuffer);
            o.put("header_entries_written", written);
            o.put("header_entries_overwritten", written - inBuffer);
        }
        putSamples(o, "writer_wait", s.writerWait, ticks);
        putSamples(o, "reader_wait", s.readerWait, ticks);
        putSamples(o, "writer_wait_success_only", s.writerWaitSuccessOnly, ticks);
        putSamples(o, "reader_wait_success_only", s.readerWaitSuccessOnly, ticks);
        putSamples(o, "write_hold", s.writeHold, ticks);
        putSamples(o, "read_hold", s.readHold, ticks);
        putRate(o, s.makespan(), s.pageFaults, ticks);
        putSamples(o, "syscall_latency", s.syscallLatency, ticks);
        o.putNull("fault_latency_us"); // no trace shows it (a replay run's document has it: replayFigures)
        ObjectNode diag = o.putObject("pairing_diagnostics");
        s.diagnostics().asMap().forEach(diag::put);
        // ftrace's hashed %p values are 32-bit hashes printed as 16 digits; no kernel address is below 2^32.
        // So a CSV re-ingest of an ftrace capture keeps its mm spelling too.
        boolean hashed = !s.perMm.isEmpty() && s.perMm.keySet().stream().allMatch(mm -> (mm >>> 32) == 0);
        putPerMm(o, s, bare || hashed);
        putPerComm(o, s);
        List<String> warnings = warnings(s, inBuffer, written, problems);
        o.put("lossy", s.lostEvents > 0 || s.lostEventMarkers > 0 || (written != null && written > inBuffer));
        var w = o.putArray("warnings");
        warnings.forEach(w::add);
        return o;
    }

    /** Lost events, overwritten ring-buffer entries and skipped lines: figures that must not be silently trusted. */
    public static List<String> warnings(ObservedStats s, Long inBuffer, Long written, long problems) {
        return warnings(s.lostEvents, s.lostEventMarkers, s.lostEventMarkersWithoutCount, inBuffer, written, problems);
    }

    /** The same warnings from the bare figures (the DuckDB path, {@code vmalock.db.SqlStats}). */
    public static List<String> warnings(long lostEvents, long lostEventMarkers, long lostEventMarkersWithoutCount,
                                        Long inBuffer, Long written, long problems) {
        List<String> w = new ArrayList<>();
        if (lostEvents > 0 || lostEventMarkers > 0) {
            w.add("the trace lost events (" + lostEvents + " counted in " + lostEventMarkers + " markers"
                    + (lostEventMarkersWithoutCount > 0 ? ", " + lostEventMarkersWithoutCount + " markers without a count" : "")
                    + "): pairings and rates are computed over an incomplete event stream");
        }
        if (written != null && written > inBuffer) {
            w.add("the ftrace header shows " + (written - inBuffer) + " entries overwritten (entries-in-buffer/entries-written "
                    + inBuffer + "/" + written + "): the oldest events are missing");
        }
        if (problems > 0) {
            w.add(problems + " input lines could not be parsed and were skipped (see `vmalock ingest` output)");
        }
        return w;
    }

    private static void putSamples(ObjectNode o, String name, Samples v, boolean ticks) {
        ObjectNode n = o.putObject(name + (ticks ? "_ticks" : "_us"));
        n.put("count", v.count());
        if (v.count() == 0) {
            n.put("sum", ticks ? 0 : 0.0);
            n.putNull("min");
            n.putNull("p50");
            n.putNull("p90");
            n.putNull("p99");
            n.putNull("max");
        } else {
            putValue(n, "sum", v.sum(), ticks);
            putValue(n, "min", v.min(), ticks);
            putValue(n, "p50", v.percentile(50), ticks);
            putValue(n, "p90", v.percentile(90), ticks);
            putValue(n, "p99", v.percentile(99), ticks);
            putValue(n, "max", v.max(), ticks);
        }
        n.put("negative_samples", v.negatives());
    }

    /**
     * {@code makespan_us} (first event to last, whole µs, as a replay's) and {@code faults_per_s} (user faults
     * over it, 0.1 resolution, as a replay's); on a tick clock {@code makespan_ticks} and a null rate.
     */
    public static void putRate(ObjectNode o, long makespan, long faults, boolean ticks) {
        if (ticks) {
            o.put("makespan_ticks", makespan);
            o.putNull("faults_per_s");
        } else {
            o.put("makespan_us", makespan / 1000);
            o.put("faults_per_s", makespan == 0 ? 0.0 : Math.round(faults * 1e10 / makespan) / 10.0);
        }
    }

    /**
     * A replay run's own figures in its {@code stats --json} document, in place of what its replayed events
     * show: {@code makespan_us}, {@code faults_per_s} and {@code syscall_latency_us} as run.json has them (the
     * replayed events carry no syscall events), and {@code fault_latency_us} (null in an observed run's: no
     * tracepoint ends a fault, and a per-VMA-lock fault leaves no later event of its own). {@code figure} gives a run.json figure by its
     * dotted name ({@code syscall_latency_us.p99}), or null.
     */
    public static void replayFigures(ObjectNode o, java.util.function.Function<String, Double> figure) {
        Double makespan = figure.apply("makespan_us");
        if (makespan == null) {
            return;
        }
        o.put("makespan_us", makespan.longValue());
        o.put("faults_per_s", figure.apply("faults_per_s"));
        latency(o, "syscall_latency_us", figure);
        latency(o, "fault_latency_us", figure);
    }

    private static void latency(ObjectNode o, String name, java.util.function.Function<String, Double> figure) {
        ObjectNode n = o.putObject(name);
        Double count = figure.apply(name + ".count");
        long c = count == null ? 0 : count.longValue();
        n.put("count", c);
        Double sum = figure.apply(name + ".sum");
        n.put("sum", sum == null ? 0.0 : sum);
        for (String k : new String[] {"min", "p50", "p90", "p99", "max"}) {
            Double v = figure.apply(name + "." + k);
            if (c == 0 || v == null) {
                n.putNull(k);
            } else {
                n.put(k, v);
            }
        }
        n.put("negative_samples", 0);
    }

    /** ns are printed as µs (exact: ns / 1000 has at most three decimals); ticks as integers. */
    private static void putValue(ObjectNode n, String k, long raw, boolean ticks) {
        if (ticks) {
            n.put(k, raw);
        } else {
            n.put(k, raw / 1000.0);
        }
    }

    private static void putPerMm(ObjectNode o, ObservedStats s, boolean bare) {
        ObjectNode pm = o.putObject("per_mm");
        List<Map.Entry<Long, ObservedStats.MmStats>> mms = new ArrayList<>(s.perMm.entrySet());
        mms.sort(Comparator.<Map.Entry<Long, ObservedStats.MmStats>>comparingLong(x -> -x.getValue().events)
                .thenComparing(x -> mmKey(x.getKey(), bare)));
        for (Map.Entry<Long, ObservedStats.MmStats> x : mms) {
            ObservedStats.MmStats m = x.getValue();
            ObjectNode n = pm.putObject(mmKey(x.getKey(), bare));
            n.put("events", m.events);
            n.put("start_locking", m.startLocking);
            n.put("acquire_returned", m.acquireReturned);
            n.put("released", m.released);
            n.put("read_acquisitions", m.readAcquisitions);
            n.put("write_acquisitions", m.writeAcquisitions);
            n.put("failed_acquisitions", m.failedAcquisitions);
            n.put("tasks", m.tasks.size());
            ObjectNode c = n.putObject("comms");
            List<Map.Entry<String, Long>> comms = new ArrayList<>(m.comms.entrySet());
            comms.sort(Comparator.<Map.Entry<String, Long>>comparingLong(y -> -y.getValue()).thenComparing(Map.Entry::getKey));
            comms.subList(0, Math.min(TOP_COMMS_PER_MM, comms.size())).forEach(y -> c.put(y.getKey(), y.getValue()));
        }
    }

    /** Commands by events, descending, ties by name; the first {@value #TOP_COMMS}. */
    public static List<Map.Entry<String, ObservedStats.CommStats>> topComms(ObservedStats s, int n) {
        List<Map.Entry<String, ObservedStats.CommStats>> comms = new ArrayList<>(s.perComm.entrySet());
        comms.sort(Comparator.<Map.Entry<String, ObservedStats.CommStats>>comparingLong(x -> -x.getValue().events)
                .thenComparing(Map.Entry::getKey));
        return comms.subList(0, Math.min(n, comms.size()));
    }

    private static void putPerComm(ObjectNode o, ObservedStats s) {
        ObjectNode pc = o.putObject("per_comm_top40");
        for (Map.Entry<String, ObservedStats.CommStats> x : topComms(s, TOP_COMMS)) {
            ObservedStats.CommStats c = x.getValue();
            ObjectNode n = pc.putObject(x.getKey());
            n.put("events", c.events);
            n.put("page_faults", c.pageFaults);
            n.put("fallback_faults", c.fallbackFaults);
            n.put("read_acquisitions", c.readAcquisitions);
            n.put("write_acquisitions", c.writeAcquisitions);
            n.put("failed_acquisitions", c.failedAcquisitions);
        }
    }

    /** ftrace prints %p as 16 bare hex digits; perf and trace-cmd print 0x-prefixed addresses. */
    public static String mmKey(long mm, boolean bare) {
        return bare ? String.format("%016x", mm) : "0x" + Long.toHexString(mm);
    }

    /** faults / page faults, rounded half-even to 6 decimals as the truth script's round(x, 6) does. */
    public static double rate(long num, long den) {
        if (den == 0) {
            return 0.0;
        }
        return new BigDecimal((double) num / den).setScale(6, RoundingMode.HALF_EVEN).doubleValue();
    }

    /** ns as seconds with 6 decimals (9 when the value is not a whole µs); ticks as a bare integer. */
    public static String formatTs(long ts, boolean ticks) {
        if (ticks) {
            return Long.toString(ts);
        }
        String sign = ts < 0 ? "-" : "";
        long a = Math.abs(ts);
        long sec = a / 1_000_000_000L;
        long ns = a % 1_000_000_000L;
        if (ns % 1000 == 0) {
            return sign + sec + "." + String.format("%06d", ns / 1000);
        }
        return sign + sec + "." + String.format("%09d", ns);
    }

    private static String join(List<Manifest.Source> src, java.util.function.Function<Manifest.Source, String> f) {
        Set<String> v = new LinkedHashSet<>();
        for (Manifest.Source x : src) {
            v.add(String.valueOf(f.apply(x)));
        }
        return String.join(", ", v);
    }
}
