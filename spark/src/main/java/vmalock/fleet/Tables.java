package vmalock.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import vmalock.stats.StatsJson;

/**
 * The output tables' columns: each is read from the JSON that {@code stats --json} and {@code compare
 * --format json} print (the full documents are kept in each table's {@code json} column, so a field added
 * to them reaches the fleet output without a change here).
 */
final class Tables {
    /** Bumped when a table's columns change meaning or go away (adding columns keeps it). */
    static final int SCHEMA_VERSION = 2;
    static final String[] SAMPLES = {"writer_wait", "reader_wait", "write_hold", "read_hold"};
    static final String[] LATENCIES = {"fault_latency_us", "syscall_latency_us", "observed_syscall_latency_us"};

    private Tables() {}

    /** One column: name, type, value from the row's context. */
    record Col<T>(String name, DataType type, Function<T, Object> value) {}

    static <T> StructType schema(List<Col<T>> cols) {
        List<StructField> f = new ArrayList<>();
        for (Col<T> c : cols) f.add(DataTypes.createStructField(c.name(), c.type(), true));
        return DataTypes.createStructType(f);
    }

    static <T> Row row(List<Col<T>> cols, T ctx) {
        Object[] v = new Object[cols.size()];
        for (int i = 0; i < v.length; i++) v[i] = cols.get(i).value().apply(ctx);
        return RowFactory.create(v);
    }

    static JsonNode tree(String json) {
        try {
            return StatsJson.JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Object num(JsonNode n, boolean integral) {
        if (n == null || n.isNull() || n.isMissingNode()) return null;
        return integral ? (Object) n.asLong() : (Object) n.asDouble();
    }

    static <T> void keys(List<Col<T>> c, Function<T, TraceInput> in) {
        c.add(new Col<>("trace_id", DataTypes.StringType, x -> in.apply(x).traceId()));
        c.add(new Col<>("kernel", DataTypes.StringType, x -> in.apply(x).kernel()));
        c.add(new Col<>("workload", DataTypes.StringType, x -> in.apply(x).workload()));
        c.add(new Col<>("host", DataTypes.StringType, x -> in.apply(x).host()));
    }

    // ---- traces and stats: one row per trace ----------------------------------------------------------

    /** A parsed trace with its stats tree and its kernel policy (null when it was not replayed). */
    record Trace(ParsedTrace p, JsonNode stats, JsonNode source, String kernelPolicy) {}

    static List<Col<Trace>> traces() {
        List<Col<Trace>> c = new ArrayList<>();
        keys(c, t -> t.p().input);
        c.add(new Col<>("path", DataTypes.StringType, t -> t.p().input.path()));
        c.add(new Col<>("capture", DataTypes.StringType, t -> t.stats().path("capture").asText()));
        c.add(new Col<>("format", DataTypes.StringType, t -> t.stats().path("format").asText()));
        c.add(new Col<>("trace_clock", DataTypes.StringType, t -> t.stats().path("trace_clock").asText()));
        c.add(new Col<>("time_unit", DataTypes.StringType, t -> t.stats().path("time_unit").asText()));
        c.add(new Col<>("bytes", DataTypes.LongType, t -> t.p().bytes));
        c.add(new Col<>("checksum", DataTypes.StringType, t -> t.source().path("checksum").asText()));
        c.add(new Col<>("lines_total", DataTypes.LongType, t -> num(t.stats().get("lines_total"), true)));
        c.add(new Col<>("total_events", DataTypes.LongType, t -> num(t.stats().get("total_events"), true)));
        c.add(new Col<>("problems", DataTypes.LongType, t -> num(t.stats().get("problems"), true)));
        c.add(new Col<>("first_ts", DataTypes.StringType, t -> t.stats().path("first_ts").isNull() ? null : t.stats().path("first_ts").asText()));
        c.add(new Col<>("last_ts", DataTypes.StringType, t -> t.stats().path("last_ts").isNull() ? null : t.stats().path("last_ts").asText()));
        c.add(new Col<>("lossy", DataTypes.BooleanType, t -> t.stats().path("lossy").asBoolean()));
        c.add(new Col<>("kernel_policy", DataTypes.StringType, Trace::kernelPolicy));
        c.add(new Col<>("replay_note", DataTypes.StringType, t -> t.p().replayNote));
        c.add(new Col<>("parse_ms", DataTypes.LongType, t -> t.p().parseMs));
        return c;
    }

    static List<Col<Trace>> stats() {
        List<Col<Trace>> c = new ArrayList<>();
        keys(c, t -> t.p().input);
        c.add(new Col<>("time_unit", DataTypes.StringType, t -> t.stats().path("time_unit").asText()));
        for (String k : new String[] {"page_faults", "fallback_faults", "fallback_faults_strict", "lost_events", "distinct_mm"}) {
            c.add(new Col<>(k, DataTypes.LongType, t -> num(t.stats().get(k), true)));
        }
        c.add(new Col<>("fallback_rate", DataTypes.DoubleType, t -> num(t.stats().get("fallback_rate"), false)));
        c.add(new Col<>("fallback_rate_strict", DataTypes.DoubleType, t -> num(t.stats().get("fallback_rate_strict"), false)));
        for (String k : new String[] {"read_acquisitions", "write_acquisitions", "failed_acquisitions"}) {
            c.add(new Col<>(k, DataTypes.LongType, t -> num(t.stats().path("mmap_lock").get(k), true)));
        }
        samples(c, Trace::stats);
        c.add(new Col<>("json", DataTypes.StringType, t -> t.p().statsJson));
        return c;
    }

    /** {@code writer_wait_count, _sum, _p50, _p90, _p99, _max} … in the trace's unit (µs, or ticks). */
    static <T> void samples(List<Col<T>> c, Function<T, JsonNode> stats) {
        for (String s : SAMPLES) {
            for (String f : new String[] {"count", "sum", "p50", "p90", "p99", "max"}) {
                boolean integral = f.equals("count");
                c.add(new Col<>(s + "_" + f, integral ? DataTypes.LongType : DataTypes.DoubleType, x -> {
                    JsonNode st = stats.apply(x);
                    JsonNode n = st.has(s + "_us") ? st.get(s + "_us") : st.get(s + "_ticks");
                    return n == null ? null : num(n.get(f), integral);
                }));
            }
        }
    }

    // ---- per_mm: one row per (trace, run, mm) ----------------------------------------------------------

    record Mm(TraceInput in, String run, String mm, JsonNode m) {}

    static List<Col<Mm>> perMm() {
        List<Col<Mm>> c = new ArrayList<>();
        keys(c, Mm::in);
        c.add(new Col<>("run", DataTypes.StringType, Mm::run));
        c.add(new Col<>("mm", DataTypes.StringType, Mm::mm));
        for (String k : new String[] {"events", "start_locking", "acquire_returned", "released", "read_acquisitions",
                "write_acquisitions", "failed_acquisitions", "tasks"}) {
            c.add(new Col<>(k, DataTypes.LongType, x -> num(x.m().get(k), true)));
        }
        c.add(new Col<>("comms", DataTypes.StringType, x -> x.m().path("comms").toString()));
        return c;
    }

    static Iterator<Mm> mms(TraceInput in, String run, JsonNode stats) {
        List<Mm> l = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = stats.path("per_mm").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            l.add(new Mm(in, run, e.getKey(), e.getValue()));
        }
        return l.iterator();
    }

    // ---- runs and fault_latency: one row per (trace, policy) / (trace, policy, latency) -----------------

    record Run(RunOutcome r, JsonNode e, String kernelPolicy) {}

    static List<Col<Run>> runs() {
        List<Col<Run>> c = new ArrayList<>();
        keys(c, x -> x.r().input);
        c.add(new Col<>("policy", DataTypes.StringType, x -> x.r().policy));
        c.add(new Col<>("policy_order", DataTypes.IntegerType, x -> x.r().order));
        c.add(new Col<>("run", DataTypes.StringType, x -> x.e().path("run").asText()));
        c.add(new Col<>("is_kernel_policy", DataTypes.BooleanType, x -> x.r().policy.equals(x.kernelPolicy())));
        c.add(new Col<>("makespan_us", DataTypes.LongType, x -> num(x.e().get("makespan_us"), true)));
        c.add(new Col<>("faults_per_s", DataTypes.DoubleType, x -> num(x.e().get("faults_per_s"), false)));
        c.add(new Col<>("faults_on_mmap_lock", DataTypes.LongType, x -> num(x.e().get("faults_on_mmap_lock"), true)));
        c.add(new Col<>("faults_on_mmap_lock_rate", DataTypes.DoubleType, x -> num(x.e().get("faults_on_mmap_lock_rate"), false)));
        c.add(new Col<>("retries", DataTypes.LongType, x -> num(x.e().get("retries"), true)));
        c.add(new Col<>("defects", DataTypes.LongType, x -> x.e().path("defects").isArray() ? (Object) (long) x.e().get("defects").size() : null));
        for (String l : new String[] {"fault_latency_us", "syscall_latency_us"}) {
            for (String f : new String[] {"p50", "p99", "max"}) {
                c.add(new Col<>(l.replace("_us", "_") + f + "_us", DataTypes.DoubleType, x -> num(x.e().path(l).get(f), false)));
            }
        }
        c.add(new Col<>("fallback_rate_strict", DataTypes.DoubleType, x -> num(x.e().path("stats").get("fallback_rate_strict"), false)));
        samples(c, x -> x.e().path("stats"));
        c.add(new Col<>("replay_ms", DataTypes.LongType, x -> x.r().replayMs));
        c.add(new Col<>("json", DataTypes.StringType, x -> x.r().entryJson));
        return c;
    }

    record Latency(Run run, String kind, JsonNode l) {}

    static List<Col<Latency>> faultLatency() {
        List<Col<Latency>> c = new ArrayList<>();
        keys(c, x -> x.run().r().input);
        c.add(new Col<>("policy", DataTypes.StringType, x -> x.run().r().policy));
        c.add(new Col<>("latency", DataTypes.StringType, Latency::kind));
        c.add(new Col<>("count", DataTypes.LongType, x -> num(x.l().get("count"), true)));
        for (String f : new String[] {"sum", "min", "p50", "p90", "p99", "p999", "max"}) {
            c.add(new Col<>(f + "_us", DataTypes.DoubleType, x -> num(x.l().get(f), false)));
        }
        return c;
    }

    static Iterator<Latency> latencies(Run r) {
        List<Latency> l = new ArrayList<>();
        for (String k : LATENCIES) {
            JsonNode n = r.e().get(k);
            if (n != null && n.isObject()) l.add(new Latency(r, k.replace("_latency_us", ""), n));
        }
        return l.iterator();
    }

    // ---- errors -----------------------------------------------------------------------------------------

    record Error(TraceInput in, String stage, String policy, String reason) implements java.io.Serializable {}

    static List<Col<Error>> errors() {
        List<Col<Error>> c = new ArrayList<>();
        keys(c, Error::in);
        c.add(new Col<>("path", DataTypes.StringType, x -> x.in().path()));
        c.add(new Col<>("stage", DataTypes.StringType, Error::stage));
        c.add(new Col<>("policy", DataTypes.StringType, Error::policy));
        c.add(new Col<>("reason", DataTypes.StringType, Error::reason));
        return c;
    }
}
