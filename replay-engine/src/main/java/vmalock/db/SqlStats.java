package vmalock.db;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import vmalock.stats.StatsJson;

/**
 * The {@code vmalock stats --json} document of one run, computed by the bundled {@code stats} report
 * (queries/stats.sql) over DuckDB — field for field the document {@link StatsJson#build} makes from the
 * Java aggregation, so a replay run gets exactly the same shape ({@code vmalock stats --run ID}).
 */
public final class SqlStats {
    private SqlStats() {
    }

    /** Runs the {@code stats} report for one run and shapes it as {@code stats --json}. */
    public static ObjectNode build(WorkspaceDb db, String run) {
        QueryRunner qr = new QueryRunner(db, List.of(run), Map.of(), null);
        Map<String, ResultTable> sec = new HashMap<>();
        for (ResultTable t : qr.run(QueryLibrary.bundled().get("stats"))) {
            sec.put(t.title(), t);
        }
        Map<String, Object> tot = one(sec.get("totals"));
        boolean ticks = "ticks".equals(tot.get("time_unit"));
        ObjectNode o = StatsJson.JSON.createObjectNode();
        Set<String> names = new LinkedHashSet<>();
        Set<String> formats = new LinkedHashSet<>();
        Set<String> clocks = new LinkedHashSet<>();
        try (var st = db.connection().createStatement();
             var rs = st.executeQuery("SELECT name, format, clock FROM sources WHERE run = " + WorkspaceDb.quote(run)
                     + " ORDER BY source")) {
            while (rs.next()) {
                names.add(String.valueOf(rs.getString(1)));
                formats.add(String.valueOf(rs.getString(2)));
                clocks.add(String.valueOf(rs.getString(3)));
            }
        } catch (java.sql.SQLException e) {
            throw new DbException("stats: " + DbException.firstLine(e), e);
        }
        o.put("capture", String.join(", ", names));
        o.put("format", String.join(", ", formats));
        o.put("trace_clock", String.join(", ", clocks));
        o.put("time_unit", ticks ? "ticks" : "us");
        o.put("lines_total", num(tot, "lines_total"));
        o.put("non_event_lines", num(tot, "non_event_lines"));
        ObjectNode kinds = o.putObject("non_event_lines_by_kind");
        Map<String, Long> byKind = new TreeMap<>();
        for (String k : new String[]{"blank", "header", "lost_marker", "other"}) {
            long v = num(tot, k + "_lines");
            if (v > 0) {
                byKind.put(k, v);
            }
        }
        byKind.forEach(kinds::put);
        o.put("problems", num(tot, "problems"));
        o.put("total_events", num(tot, "total_events"));
        ObjectNode types = o.putObject("events_by_type");
        for (Object[] r : sec.get("events_by_type").rows()) {
            types.put((String) r[1], ((Number) r[2]).longValue());
        }
        Object first = tot.get("first_ts");
        Object last = tot.get("last_ts");
        if (first == null) {
            o.putNull("first_ts");
            o.putNull("last_ts");
        } else {
            o.put("first_ts", StatsJson.formatTs(((Number) first).longValue(), ticks));
            o.put("last_ts", StatsJson.formatTs(((Number) last).longValue(), ticks));
        }
        long pageFaults = num(tot, "page_faults");
        o.put("page_faults", pageFaults);
        ObjectNode ml = o.putObject("mmap_lock");
        ml.put("read_acquisitions", num(tot, "read_acquisitions"));
        ml.put("write_acquisitions", num(tot, "write_acquisitions"));
        ml.put("failed_acquisitions", num(tot, "failed_acquisitions"));
        ml.put("failed_read_acquisitions", num(tot, "failed_read_acquisitions"));
        ml.put("failed_write_acquisitions", num(tot, "failed_write_acquisitions"));
        o.put("fallback_faults", num(tot, "fallback_faults"));
        o.put("fallback_rate", StatsJson.rate(num(tot, "fallback_faults"), pageFaults));
        o.put("fallback_faults_strict", num(tot, "fallback_faults_strict"));
        o.put("fallback_rate_strict", StatsJson.rate(num(tot, "fallback_faults_strict"), pageFaults));
        long lost = num(tot, "lost_events");
        long markers = num(tot, "lost_event_markers");
        long withoutCount = num(tot, "lost_event_markers_without_count");
        o.put("lost_events", lost);
        o.put("lost_event_markers", markers);
        o.put("lost_event_markers_without_count", withoutCount);
        ObjectNode byCpu = o.putObject("lost_events_by_cpu");
        for (Object[] r : sec.get("lost_events_by_cpu").rows()) {
            byCpu.put(r[1] == null ? "unknown" : r[1].toString(), ((Number) r[2]).longValue());
        }
        o.put("distinct_mm", num(tot, "distinct_mm"));
        Long inBuffer = tot.get("header_entries_in_buffer") == null ? null : num(tot, "header_entries_in_buffer");
        Long written = tot.get("header_entries_written") == null ? null : num(tot, "header_entries_written");
        if (inBuffer != null) {
            o.put("header_entries_in_buffer", inBuffer);
            o.put("header_entries_written", written);
            o.put("header_entries_overwritten", written - inBuffer);
        }
        for (Object[] r : sec.get("samples").rows()) {
            samples(o, (String) r[1], r, ticks);
        }
        long makespan = first == null ? 0 : Math.max(0, ((Number) last).longValue() - ((Number) first).longValue());
        StatsJson.putRate(o, makespan, pageFaults, ticks);
        samples(o, "syscall_latency", sec.get("syscall_latency").rows().get(0), ticks);
        o.putNull("fault_latency_us"); // a replay run's: replayFigures below
        ObjectNode diag = o.putObject("pairing_diagnostics");
        ResultTable pd = sec.get("pairing_diagnostics");
        Map<String, Long> d = new TreeMap<>();
        for (int c = 1; c < pd.columns().size(); c++) {
            d.put(pd.columns().get(c), ((Number) pd.rows().get(0)[c]).longValue());
        }
        d.forEach(diag::put);
        ObjectNode pm = o.putObject("per_mm");
        for (Object[] r : sec.get("per_mm").rows()) {
            ObjectNode n = pm.putObject((String) r[1]);
            String[] keys = {"events", "start_locking", "acquire_returned", "released", "read_acquisitions",
                "write_acquisitions", "failed_acquisitions", "tasks"};
            for (int k = 0; k < keys.length; k++) {
                n.put(keys[k], ((Number) r[2 + k]).longValue());
            }
            ObjectNode c = n.putObject("comms");
            if (r[10] instanceof List) {
                for (Object x : (List<?>) r[10]) {
                    Map<?, ?> m = struct(x);
                    c.put(String.valueOf(m.get("comm")), ((Number) m.get("events")).longValue());
                }
            }
        }
        ObjectNode pc = o.putObject("per_comm_top40");
        for (Object[] r : sec.get("per_comm").rows()) {
            ObjectNode n = pc.putObject((String) r[1]);
            String[] keys = {"events", "page_faults", "fallback_faults", "read_acquisitions", "write_acquisitions",
                "failed_acquisitions"};
            for (int k = 0; k < keys.length; k++) {
                n.put(keys[k], ((Number) r[2 + k]).longValue());
            }
        }
        o.put("lossy", lost > 0 || markers > 0 || (written != null && written > inBuffer));
        var w = o.putArray("warnings");
        StatsJson.warnings(lost, markers, withoutCount, inBuffer, written, num(tot, "problems")).forEach(w::add);
        StatsJson.replayFigures(o, runFigures(db, run)::get);
        return o;
    }

    /** A replay run's own figures ({@code run_figures}: faults_per_s, fault_latency_us.p99, …); empty for the observed run. */
    private static Map<String, Double> runFigures(WorkspaceDb db, String run) {
        Map<String, Double> figures = new HashMap<>();
        try (var st = db.connection().createStatement();
             var rs = st.executeQuery("SELECT figure, value FROM run_figures WHERE run = " + WorkspaceDb.quote(run))) {
            while (rs.next()) {
                figures.put(rs.getString(1), rs.getDouble(2));
            }
        } catch (java.sql.SQLException e) {
            throw new DbException("stats: " + DbException.firstLine(e), e);
        }
        return figures;
    }

    private static void samples(ObjectNode o, String metric, Object[] r, boolean ticks) {
        // columns: run, metric, unit, count, sum, min, p50, p90, p99, p99_9, max, negative_samples (unit-scaled)
        ObjectNode n = o.putObject(metric + (ticks ? "_ticks" : "_us"));
        long count = ((Number) r[3]).longValue();
        n.put("count", count);
        if (count == 0) {
            n.put("sum", ticks ? 0 : 0.0);
            for (String k : new String[]{"min", "p50", "p90", "p99", "max"}) {
                n.putNull(k);
            }
        } else {
            value(n, "sum", r[4], ticks);
            value(n, "min", r[5], ticks);
            value(n, "p50", r[6], ticks);
            value(n, "p90", r[7], ticks);
            value(n, "p99", r[8], ticks);
            value(n, "max", r[10], ticks);
        }
        n.put("negative_samples", ((Number) r[11]).longValue());
    }

    private static void value(ObjectNode n, String k, Object v, boolean ticks) {
        if (ticks) {
            n.put(k, new BigDecimal(v.toString()).longValueExact());
        } else {
            n.put(k, ((Number) v).doubleValue());
        }
    }

    private static Map<?, ?> struct(Object x) {
        if (x instanceof Map) {
            return (Map<?, ?>) x;
        }
        if (x instanceof java.sql.Struct) {
            try {
                Object[] a = ((java.sql.Struct) x).getAttributes();
                Map<String, Object> m = new HashMap<>();
                m.put("comm", a[0]);
                m.put("events", a[1]);
                return m;
            } catch (java.sql.SQLException e) {
                throw new DbException("stats: " + DbException.firstLine(e), e);
            }
        }
        throw new DbException("stats: unexpected per_mm comms value " + x);
    }

    private static Map<String, Object> one(ResultTable t) {
        Map<String, Object> m = new HashMap<>();
        for (int c = 0; c < t.columns().size(); c++) {
            m.put(t.columns().get(c), t.rows().get(0)[c]);
        }
        return m;
    }

    private static long num(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (v == null) {
            return 0;
        }
        if (v instanceof BigInteger) {
            return ((BigInteger) v).longValueExact();
        }
        if (v instanceof BigDecimal) {
            return ((BigDecimal) v).longValueExact();
        }
        return ((Number) v).longValue();
    }
}
