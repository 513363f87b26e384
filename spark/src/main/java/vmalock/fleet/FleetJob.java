package vmalock.fleet;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The fleet job. Stage 1: one task per trace parses it (once, with the streaming parsers) and computes
 * its statistics; its events stay in the task's output as encoded blocks. Stage 2: one task per (trace,
 * policy) replays it — the blocks are the only large data shuffled. Stage 3: the result rows — the figures,
 * and the workspace tables of every run ({@link WsRows}: lock_spans is one row per acquisition) — are written as
 * Hive-partitioned Parquet tables. A trace whose parse or any replay failed is left out of every
 * table but {@code errors}.
 */
public final class FleetJob {
    /** What the job did, for the caller's summary. */
    public record Summary(int traces, int ok, int failed, int runs, long bytes, double seconds) {}

    private FleetJob() {}

    /**
     * How the replays are spread: one task per (trace, policy) — the trace's event blocks are shuffled to
     * its policies' tasks — or one task per trace, which replays every policy after parsing (nothing
     * shuffled); auto: per policy while there are fewer traces than twice the task slots. MM: one task per
     * (trace, address space, policy) — at most {@code mmTasks} per (trace, policy), consecutive address spaces
     * grouped by operations when a trace has more — then one merge task per trace puts each policy's parts back
     * together (the trace's event blocks go to all of them).
     */
    public enum Fanout { AUTO, POLICY, TRACE, MM }

    public static Summary run(SparkSession spark, List<TraceInput> inputs, List<String> policies, String out,
                              PrintStream progress) {
        return run(spark, inputs, policies, out, progress, Fanout.AUTO, 0);
    }

    public static Summary run(SparkSession spark, List<TraceInput> inputs, List<String> policies, String out,
                              PrintStream progress, Fanout fanout) {
        return run(spark, inputs, policies, out, progress, fanout, 0);
    }

    /** {@code timeout}: seconds a replay may run before it is stopped and its trace reported failed; 0 = none. */
    public static Summary run(SparkSession spark, List<TraceInput> inputs, List<String> policies, String out,
                              PrintStream progress, Fanout fanout, long timeout) {
        return run(spark, inputs, policies, out, progress, fanout, timeout, 0);
    }

    /** {@code mmTasks}: with {@link Fanout#MM}, the most tasks per (trace, policy); 0 = one per address space. */
    public static Summary run(SparkSession spark, List<TraceInput> inputs, List<String> policies, String out,
                              PrintStream progress, Fanout fanout, long timeout, int mmTasks) {
        long t0 = System.nanoTime();
        progressOut = progress;
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration hc = jsc.hadoopConfiguration();
        HadoopConf conf = new HadoopConf(hc);
        int n = inputs.size();
        int pol = policies.size();

        List<String> pols = new ArrayList<>(policies);
        boolean perMm = fanout == Fanout.MM;
        boolean perPolicy = perMm || fanout == Fanout.POLICY || (fanout == Fanout.AUTO && n < 2 * jsc.defaultParallelism());
        JavaRDD<ParsedTrace> parsed;
        JavaRDD<RunOutcome> runs = null;
        JavaRDD<ParsedTrace> withEvents = null;
        JavaRDD<?> cached;
        if (perPolicy) {
            progress.printf("vmalock fleet: stage 1/3: parse and stats, %d traces (%d tasks)%n", n, n);
            withEvents = jsc.parallelize(inputs, Math.max(1, n))
                    .map(in -> FleetTasks.parse(in, conf))
                    .persist(StorageLevel.MEMORY_AND_DISK());
            parsed = withEvents.map(ParsedTrace::light).persist(StorageLevel.MEMORY_AND_DISK());
            cached = parsed;
        } else {
            // one task per trace parses it and replays every policy: its events never leave the task
            progress.printf("vmalock fleet: stages 1-2/3: parse, stats and replays, %d traces x %d policies (%d tasks, "
                    + "one per trace: nothing shuffled)%n", n, pol, n);
            JavaRDD<Tuple2<ParsedTrace, List<RunOutcome>>> both = jsc.parallelize(inputs, Math.max(1, n))
                    .map(in -> {
                        ParsedTrace p = FleetTasks.parse(in, conf);
                        List<RunOutcome> l = new ArrayList<>();
                        if (p.error == null && p.replayNote == null) {
                            for (int k = 0; k < pols.size(); k++) l.add(FleetTasks.replay(p, pols.get(k), k, timeout));
                        }
                        return new Tuple2<>(p.light(), l);
                    })
                    .persist(StorageLevel.MEMORY_AND_DISK());
            parsed = both.map(Tuple2::_1);
            runs = both.flatMap(t -> t._2().iterator());
            cached = both;
        }
        long bytes = 0;
        int parseFailed = 0;
        int replayable = 0;
        for (ParsedTrace p : parsed.collect()) {
            bytes += p.bytes;
            if (p.error != null) parseFailed++;
            else if (p.replayNote == null) replayable++;
        }
        progress.printf("vmalock fleet: stage 1/3 done: %d parsed, %d failed, %.1f MB, %.1f s%n",
                n - parseFailed, parseFailed, bytes / 1e6, (System.nanoTime() - t0) / 1e9);

        long t1 = System.nanoTime();
        if (perMm) {
            runs = perMm(jsc, withEvents, pols, timeout, mmTasks, progress);
        } else if (perPolicy) {
            int tasks = Math.max(1, replayable * pol);
            progress.printf("vmalock fleet: stage 2/3: replays, %d traces x %d policies (%d tasks, one per trace and policy; "
                    + "the traces' event blocks are shuffled to them)%n", replayable, pol, tasks);
            // key = a dense (trace, policy) number, so each replay is its own task (HashPartitioner: key mod tasks)
            Map<Integer, Integer> dense = new HashMap<>();
            for (ParsedTrace p : parsed.collect()) {
                if (p.error == null && p.replayNote == null) dense.put(p.input.index(), dense.size());
            }
            Broadcast<Map<Integer, Integer>> denseB = jsc.broadcast(dense);
            JavaPairRDD<Integer, Tuple2<ParsedTrace, Integer>> pairs = withEvents
                    .filter(p -> p.error == null && p.replayNote == null)
                    .map(ParsedTrace::forReplay)
                    .flatMapToPair(p -> {
                        List<Tuple2<Integer, Tuple2<ParsedTrace, Integer>>> l = new ArrayList<>();
                        int d = denseB.value().get(p.input.index());
                        for (int k = 0; k < pols.size(); k++) l.add(new Tuple2<>(d * pols.size() + k, new Tuple2<>(p, k)));
                        return l.iterator();
                    })
                    .partitionBy(new HashPartitioner(tasks));
            runs = pairs.map(x -> FleetTasks.replay(x._2()._1(), pols.get(x._2()._2()), x._2()._2(), timeout))
                    .persist(StorageLevel.MEMORY_AND_DISK());
        }
        List<Tables.Error> errors = new ArrayList<>();
        Map<String, String> kernelPolicy = new HashMap<>();
        int runCount = 0;
        for (RunOutcome r : runs.map(r -> {
            RunOutcome s = new RunOutcome();
            s.input = r.input;
            s.policy = r.policy;
            s.error = r.error;
            s.kernelPolicy = r.kernelPolicy;
            return s;
        }).collect()) {
            runCount++;
            if (r.error != null) errors.add(new Tables.Error(r.input, "replay", r.policy, r.error));
            else kernelPolicy.putIfAbsent(r.input.traceId(), r.kernelPolicy);
        }
        for (ParsedTrace p : parsed.filter(p -> p.error != null).collect()) {
            errors.add(new Tables.Error(p.input, "parse", null, p.error));
        }
        errors.sort(java.util.Comparator.comparing((Tables.Error e) -> e.in().index())
                .thenComparing(e -> e.policy() == null ? "" : e.policy()));
        Set<String> failed = new HashSet<>();
        for (Tables.Error e : errors) failed.add(e.in().traceId());
        progress.printf("vmalock fleet: stage 2/3 done: %d replays, %d failed, %.1f s%n",
                runCount, errors.size() - parseFailed, (System.nanoTime() - t1) / 1e9);
        if (withEvents != null) withEvents.unpersist(); // the events are not needed any more

        long t2 = System.nanoTime();
        progress.printf("vmalock fleet: stage 3/3: writing Parquet tables to %s%n", out);
        Broadcast<Set<String>> failedB = jsc.broadcast(failed);
        Broadcast<Map<String, String>> kpB = jsc.broadcast(kernelPolicy);
        JavaRDD<ParsedTrace> good = parsed.filter(p -> p.error == null && !failedB.value().contains(p.input.traceId()));
        JavaRDD<RunOutcome> goodRuns = runs.filter(r -> r.error == null && !failedB.value().contains(r.input.traceId()));

        JavaRDD<Tables.Trace> traces = good.map(p -> new Tables.Trace(p, Tables.tree(p.statsJson), Tables.tree(p.sourceJson),
                kpB.value().get(p.input.traceId())));
        write(spark, out, "traces", traces.map(t -> Tables.row(Tables.traces(), t)), Tables.schema(Tables.traces()),
                "trace_id");
        write(spark, out, "stats", traces.map(t -> Tables.row(Tables.stats(), t)), Tables.schema(Tables.stats()), "trace_id");
        JavaRDD<Tables.Run> runRows = goodRuns.map(r -> new Tables.Run(r, Tables.tree(r.entryJson),
                kpB.value().get(r.input.traceId())));
        write(spark, out, "runs", runRows.map(r -> Tables.row(Tables.runs(), r)), Tables.schema(Tables.runs()),
                "trace_id", "policy_order");
        write(spark, out, "fault_latency", runRows.flatMap(Tables::latencies).map(l -> Tables.row(Tables.faultLatency(), l)),
                Tables.schema(Tables.faultLatency()), "trace_id", "policy", "latency");
        JavaRDD<Tables.Mm> mms = traces.flatMap(t -> Tables.mms(t.p().input, "observed", t.stats()))
                .union(runRows.flatMap(r -> Tables.mms(r.r().input, r.r().policy, r.e().path("stats"))));
        write(spark, out, "per_mm", mms.map(m -> Tables.row(Tables.perMm(), m)), Tables.schema(Tables.perMm()),
                "trace_id", "run", "mm");
        // the workspace tables of every run (observed and replays), by the code that loads a workspace's DuckDB
        for (String t : WsRows.TABLES) {
            JavaRDD<Row> rows = good.flatMap(p -> WsRows.rows(p.input, p.ws, t))
                    .union(goodRuns.flatMap(r -> WsRows.rows(r.input, r.ws, t)));
            write(spark, out, WsRows.parquetName(t), rows, WsRows.schema(t), WsRows.order(t));
        }
        List<Row> er = new ArrayList<>();
        for (Tables.Error e : errors) er.add(Tables.row(Tables.errors(), e));
        write(spark, out, "errors", jsc.parallelize(er, 1), Tables.schema(Tables.errors()), "trace_id", "policy");
        List<Row> sv = List.of(org.apache.spark.sql.RowFactory.create(Tables.SCHEMA_VERSION, "vmalock fleet",
                String.join(",", policies)));
        StructType svs = new StructType().add("schema_version", "int").add("written_by", "string").add("policies", "string");
        spark.createDataFrame(sv, svs).coalesce(1).write().mode(SaveMode.Overwrite).parquet(out + "/_schema_version");
        progress.printf("vmalock fleet: stage 3/3 done: %.1f s%n", (System.nanoTime() - t2) / 1e9);
        cached.unpersist();
        runs.unpersist();
        for (JavaRDD<?> r : release) r.unpersist();
        release.clear();
        int ok = n - failed.size();
        return new Summary(n, ok, failed.size(), runCount, bytes, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Stage 2 with {@link Fanout#MM}: one task per (trace, group of address spaces, policy) replays its address
     * spaces; one task per trace merges each policy's parts into compare's run entry ({@link FleetTasks#merge}).
     */
    private static JavaRDD<RunOutcome> perMm(JavaSparkContext jsc, JavaRDD<ParsedTrace> withEvents, List<String> pols,
                                             long timeout, int mmTasks, PrintStream progress) {
        JavaRDD<ParsedTrace> replayable = withEvents.filter(p -> p.error == null && p.replayNote == null)
                .map(ParsedTrace::forReplay);
        // the plan: each trace's address spaces (index, operations) and their groups, from one build of its work in its
        // own task, which also cuts each group's share of the work for the group's tasks (none if the work spilled)
        JavaRDD<Tuple2<ParsedTrace, MmPlan>> planned = replayable.map(p -> new Tuple2<>(p, FleetTasks.plan(p, mmTasks)))
                .persist(StorageLevel.MEMORY_AND_DISK());
        release.add(planned);
        Map<Integer, List<int[]>> groups = new HashMap<>();
        Map<Integer, Integer> base = new HashMap<>();
        int tasks = 0;
        int spaces = 0;
        for (MmPlan pl : planned.map(t -> t._2().light()).collect()) {
            groups.put(pl.index, pl.groups);
            base.put(pl.index, tasks);
            tasks += pl.groups.size() * pols.size();
            spaces += pl.spaces.length;
        }
        progress.printf("vmalock fleet: stage 2/3: replays, %d traces x %d address spaces x %d policies (%d tasks, one per "
                + "trace, address space%s and policy, each with its share of the work; then one merge task per trace)%n",
                groups.size(), spaces, pols.size(), tasks,
                mmTasks > 0 ? " group (at most " + mmTasks + " per trace and policy)" : "");
        Broadcast<Map<Integer, Integer>> baseB = jsc.broadcast(base);
        JavaPairRDD<Integer, MmPart> parts = planned
                .flatMapToPair(t -> {
                    List<Tuple2<Integer, MmTask>> l = new ArrayList<>();
                    MmPlan pl = t._2();
                    int b = baseB.value().get(pl.index);
                    for (int k = 0; k < pols.size(); k++) {
                        for (int j = 0; j < pl.groups.size(); j++) {
                            // the group's share of the work; the trace's events only when there is none
                            MmTask x = new MmTask(t._1().input, pl.shares == null ? t._1() : null,
                                    pl.shares == null ? null : pl.shares.get(j), k, pl.groups.get(j));
                            l.add(new Tuple2<>(b + k * pl.groups.size() + j, x));
                        }
                    }
                    return l.iterator();
                })
                .partitionBy(new HashPartitioner(Math.max(1, tasks)))
                .mapToPair(x -> {
                    MmTask m = x._2();
                    return new Tuple2<>(m.in().index(), FleetTasks.replayMms(m.in(), m.p(), m.share(), pols.get(m.order()),
                            m.order(), m.mms(), timeout));
                });
        return replayable.mapToPair(p -> new Tuple2<>(p.input.index(), p))
                .cogroup(parts, new HashPartitioner(Math.max(1, groups.size())))
                .flatMap(t -> {
                    List<MmPart> l = new ArrayList<>();
                    t._2()._2().forEach(l::add);
                    ParsedTrace p = t._2()._1().iterator().next();
                    return FleetTasks.merge(p, l, pols).iterator();
                })
                .persist(StorageLevel.MEMORY_AND_DISK());
    }

    /** One {@code --fanout mm} task: a trace's address spaces under one policy, from their share of the work or its events. */
    record MmTask(TraceInput in, ParsedTrace p, byte[] share, int order, int[] mms) implements java.io.Serializable {}

    private static void write(SparkSession spark, String out, String table, JavaRDD<Row> rows, StructType schema,
                              String... order) {
        long t0 = System.nanoTime();
        var df = spark.createDataFrame(rows, schema);
        org.apache.spark.sql.Column[] sort = new org.apache.spark.sql.Column[order.length];
        for (int i = 0; i < order.length; i++) sort[i] = org.apache.spark.sql.functions.col(order[i]);
        // no shuffle: the result rows stay in their tasks' partitions, merged (coalesce) into about one
        // file per 200 traces and host, rows sorted within each: the same input gives the same files
        int files = Math.max(1, Math.min(rows.getNumPartitions(), (rows.getNumPartitions() + 199) / 200));
        if (rows.isEmpty()) {
            // no rows: Spark writes no file for a partitioned empty table, so write one file that carries the schema
            df.coalesce(1).write().mode(SaveMode.Overwrite).parquet(out + "/" + table);
        } else {
            df.coalesce(files).sortWithinPartitions(sort)
                    .write().mode(SaveMode.Overwrite).partitionBy("host").parquet(out + "/" + table);
        }
        progressOut.printf("vmalock fleet:   %s written (%.1f s)%n", table, (System.nanoTime() - t0) / 1e9);
    }

    private static PrintStream progressOut = System.err;
    /** Cached by a stage for a later one, released when the job ends. */
    private static final List<JavaRDD<?>> release = new ArrayList<>();
}
