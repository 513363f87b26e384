package vmalock.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import vmalock.cli.Main;
import vmalock.stats.StatsJson;

/**
 * The fleet job under local[2] (loopback only) on bundled and shared traces, a gzip copy and a broken file
 * in the middle: every trace's stats row equals `vmalock stats --json` and its runs rebuild `vmalock
 * compare --format json` exactly; the broken trace is one `errors` row and in no other table.
 */
class FleetEquivalenceTest {
    /** The kernel column of the test's fleet manifest. */
    static final Map<String, String> KERNELS = Map.of("ftrace-memcg.txt", "6.13", "perf-ns.perf.txt", "6.15",
            "perf-disjoint.perf.txt", "6.15");
    static final String[] POLICIES = {"vma-refcount", "vma-rwsem", "no-vma-lock"};
    static SparkSession spark;
    @TempDir
    static Path tmp;
    static Path out;
    static List<Path> traces = new ArrayList<>();
    static String progress;

    static Path root() {
        return Path.of(System.getProperty("vmalock.root", ".."));
    }

    static Path shared(String name) {
        Path s = Path.of(System.getenv().getOrDefault("VMALOCK_SHARED", "../../shared")).resolve("traces").resolve(name);
        return Files.exists(s) ? s : root().resolve("sample-traces/shared/traces").resolve(name);
    }

    @BeforeAll
    static void runJob() throws IOException {
        Path st = root().resolve("sample-traces");
        traces.add(st.resolve("ftrace-memcg.txt"));
        traces.add(st.resolve("perf-ns.perf.txt"));
        Path bad = tmp.resolve("broken.txt");
        Files.write(bad, new byte[] {0, 1, 2, 3, (byte) 0xff, 0, 0, 7, 8, 9, 10, 0, 0});
        traces.add(bad);
        traces.add(st.resolve("tc-ns.report.txt"));
        traces.add(st.resolve("ftrace-counter.txt"));
        Path gz = tmp.resolve("ftrace-pipe-lost.txt.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(st.resolve("ftrace-pipe-lost.txt"), o);
        }
        traces.add(gz);
        traces.add(shared("perf-disjoint.perf.txt"));
        Path manifest = tmp.resolve("manifest.csv");
        Files.writeString(manifest, "trace,host,kernel,workload\nftrace-memcg.txt,host-a,6.13,memcg\n"
                + "perf-ns.perf.txt,host-b,6.15,ns\nperf-disjoint.perf.txt,host-b,6.15,disjoint\n");
        spark = SparkSession.builder().master("local[2]").appName("vmalock-fleet-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        List<String> args = new ArrayList<>();
        for (Path p : traces) args.add(p.toString());
        List<TraceInput> inputs = FleetMain.inputs(args, manifest.toString(), new org.apache.hadoop.conf.Configuration());
        out = tmp.resolve("out");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // one task per (trace, address space, policy), merged per trace: what compare is checked against below
        FleetJob.run(spark, inputs, List.of(POLICIES), out.toString(), new PrintStream(err, true), FleetJob.Fanout.MM, 0, 0);
        progress = err.toString();
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    static String cli(String... args) {
        String[] r = cliRaw(args);
        assertTrue(r[0].equals("0") || r[0].equals("1"), String.join(" ", args) + " exited " + r[0] + ": " + r[2]);
        return r[1];
    }

    static Map<String, Row> byTrace(String table) {
        Map<String, Row> m = new HashMap<>();
        for (Row r : spark.read().parquet(out.resolve(table).toString()).collectAsList()) {
            m.put(r.getAs("trace_id"), r);
        }
        return m;
    }

    @Test
    void everyTraceEqualsTheSingleMachineStatsAndCompare() throws Exception {
        Map<String, Row> stats = byTrace("stats");
        Map<String, Row> tr = byTrace("traces");
        Map<String, List<Row>> runs = new HashMap<>();
        for (Row r : spark.read().parquet(out.resolve("runs").toString()).sort("trace_id", "policy_order").collectAsList()) {
            runs.computeIfAbsent(r.getAs("trace_id"), k -> new ArrayList<>()).add(r);
        }
        int compared = 0;
        String fleetReport = cli(concat(new String[] {"report", "--parquet", out.toString(), "--format", "json"},
                vmalock.db.QueryLibrary.BUNDLED.toArray(new String[0])));
        List<String> fleetRows = reportRows(fleetReport, null, null);
        int perTrace = 0;
        for (Path t : traces) {
            String id = t.getFileName().toString();
            if (id.equals("broken.txt")) continue;
            Path ws = tmp.resolve("ws-" + id);
            // the manifest's kernel column is what `ingest --kernel` gives a single workspace
            String kernel = KERNELS.get(id);
            if (kernel == null) cli("ingest", t.toString(), "-w", ws.toString());
            else cli("ingest", t.toString(), "-w", ws.toString(), "--kernel", kernel);
            String single = cli("stats", "-w", ws.toString(), "--json").replace("\"ingest --kernel\"", "\"fleet manifest\"");
            assertNotNull(stats.get(id), id + " has no stats row; progress:\n" + progress);
            assertEquals(single.strip(), ((String) stats.get(id).getAs("json")).strip(), id + ": stats --json");
            JsonNode s = StatsJson.JSON.readTree(single);
            assertEquals(s.get("fallback_rate_strict").asDouble(), (double) stats.get(id).getAs("fallback_rate_strict"), id);
            assertEquals(s.get("page_faults").asLong(), (long) stats.get(id).getAs("page_faults"), id);
            if (tr.get(id).getAs("replay_note") != null) {
                assertFalse(runs.containsKey(id), id + ": a counter-clock trace has no runs");
            } else {
                String cmp = cli("compare", "-w", ws.toString(), "--policies", String.join(",", POLICIES), "--format", "json")
                        .replace("(ingest --kernel)", "(fleet manifest)").replace("\"ingest --kernel\"", "\"fleet manifest\"");
                List<String> entries = new ArrayList<>();
                for (Row r : runs.get(id)) entries.add(r.getAs("json"));
                String kp = tr.get(id).getAs("kernel_policy");
                String fleet = StatsJson.JSON.writeValueAsString(FleetTasks.compareJson(stats.get(id).getAs("json"), entries, kp));
                assertEquals(cmp.strip(), fleet.strip(), id + ": compare --format json");
                compared++;
            }
            // every bundled workspace report: the trace's rows over the fleet output (of all the traces, where its runs
            // are TRACE_ID/observed and TRACE_ID/POLICY) are the rows over its workspace (observed and compare's replays)
            Map<String, String> policyOf = new HashMap<>();
            for (String line : cli("query", "-w", ws.toString(), "--run", "all", "--format", "csv", "SELECT run, policy FROM runs").strip().lines()
                    .skip(1).toList()) {
                String[] f = line.split(",");
                policyOf.put(f[0], f[1].equals("observed") ? "observed" : f[1]);
            }
            String wsReport = cli(concat(new String[] {"report", "-w", ws.toString(), "--run", "all", "--format", "json"},
                    vmalock.db.QueryLibrary.BUNDLED.toArray(new String[0])));
            List<String> mine = reportRows(fleetReport, id + "/", null);
            assertEquals(reportRows(wsReport, null, policyOf), mine, id + ": every bundled report over the fleet output");
            assertTrue(mine.size() > 20, id + ": " + mine.size() + " rows");
            perTrace += mine.size();
        }
        assertEquals(5, compared, "traces compared with compare --format json");
        // and the fleet report's rows are exactly the traces' rows: every row names its trace in its run id
        assertEquals(fleetRows.size(), perTrace, "rows of the fleet report that belong to no trace");
    }

    static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /**
     * The rows of a JSON report as "report column=value …" lines, sorted, run ids written as their trace's: in a fleet
     * report {@code TRACE_ID/NAME} → {@code NAME} (only the runs of {@code prefix}, when given), in a workspace a replay id
     * → its policy ({@code policyOf}); a section's ", runs in ns" / ", runs in ticks" (a fleet of both units) dropped.
     */
    static List<String> reportRows(String json, String prefix, Map<String, String> policyOf) throws IOException {
        List<String> l = new ArrayList<>();
        for (JsonNode r : StatsJson.JSON.readTree(json).get("reports")) {
            if (r.get("name").asText().startsWith("fleet_")) continue;
            for (JsonNode sec : r.get("sections")) {
                String title = sec.path("title").asText("").replaceAll(",? ?runs in (ns|ticks)$", "");
                for (JsonNode row : sec.get("rows")) {
                    assertTrue(row.has("run"), r.get("name") + ": a row without a run: " + row);
                    String run = row.get("run").asText();
                    if (prefix != null && !run.startsWith(prefix)) continue;
                    com.fasterxml.jackson.databind.node.ObjectNode o = ((com.fasterxml.jackson.databind.node.ObjectNode) row).deepCopy();
                    for (var it = o.fields(); it.hasNext(); ) {
                        var f = it.next();
                        if (!f.getValue().isTextual()) continue;
                        String v = f.getValue().asText();
                        if (prefix != null && v.startsWith(prefix)) f.setValue(o.textNode(v.substring(prefix.length())));
                        if (policyOf != null && policyOf.containsKey(v)) f.setValue(o.textNode(policyOf.get(v)));
                    }
                    l.add(r.get("name").asText() + " [" + title + "] " + o);
                }
            }
        }
        java.util.Collections.sort(l);
        return l;
    }

    @Test
    void aBrokenTraceIsOneErrorRowAndNowhereElse() {
        List<Row> errors = spark.read().parquet(out.resolve("errors").toString()).collectAsList();
        assertEquals(1, errors.size(), errors.toString());
        Row e = errors.get(0);
        assertEquals("broken.txt", e.getAs("trace_id"));
        assertEquals("parse", e.getAs("stage"));
        assertTrue(((String) e.getAs("reason")).contains("broken.txt"), (String) e.getAs("reason"));
        for (String t : new String[] {"traces", "stats", "runs", "per_mm", "fault_latency"}) {
            long n = spark.read().parquet(out.resolve(t).toString()).where("trace_id = 'broken.txt'").count();
            assertEquals(0, n, t);
        }
        assertEquals(6, spark.read().parquet(out.resolve("traces").toString()).count());
        assertEquals(5 * POLICIES.length, spark.read().parquet(out.resolve("runs").toString()).count(),
                "every replayable trace under every policy");
    }

    @Test
    void manifestColumnsAndHivePartitions() throws IOException {
        Map<String, Row> tr = byTrace("traces");
        assertEquals("host-a", tr.get("ftrace-memcg.txt").getAs("host"));
        assertEquals("6.15", tr.get("perf-disjoint.perf.txt").getAs("kernel"));
        assertEquals("disjoint", tr.get("perf-disjoint.perf.txt").getAs("workload"));
        assertEquals("unknown", tr.get("tc-ns.report.txt").getAs("host"));
        assertTrue(Files.isDirectory(out.resolve("stats/host=host-b")));
        Row v = spark.read().parquet(out.resolve("_schema_version").toString()).first();
        assertEquals(Tables.SCHEMA_VERSION, (int) v.getAs("schema_version"));
        assertTrue(spark.read().parquet(out.resolve("fault_latency").toString())
                .where("latency = 'fault' and policy = 'vma-refcount'").count() == 5);
        assertTrue(progress.contains("stage 1/3") && progress.contains("stage 3/3 done"), progress);
    }

    static String[] cliRaw(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(o));
        cl.setErr(new PrintWriter(e));
        int rc = cl.execute(args);
        return new String[] {Integer.toString(rc), o.toString(), e.toString()};
    }

    @Test
    void reportAndQueryReadTheParquetOutputThroughDuckDb() {
        String[] r = cliRaw("report", "--parquet", out.toString());
        assertEquals("0", r[0], r[2]);
        for (String s : new String[] {"fleet_summary", "fleet_fallback — across traces", "fleet_fault_latency",
                "fleet_writer_waits", "fleet_best_policy — per trace", "fleet_errors", "broken.txt", "host-b",
                // then every bundled workspace report, over every run of every trace (run ids TRACE_ID/…), per time unit
                "== policy_figures — replay figures", "ftrace-memcg.txt/vma-rwsem", "== vma_lock_counters",
                "== summary — runs in ns", "== summary — runs in ticks", "ftrace-counter.txt/observed",
                "== wait_cdf — runs in ns", "perf-disjoint.perf.txt/observed", "writer_wait_p99 (ticks)"}) {
            assertTrue(r[1].contains(s), s + " missing from:\n" + r[1]);
        }
        for (String n : vmalock.db.QueryLibrary.BUNDLED) {
            assertTrue(r[1].contains("== " + n + " ") || r[1].contains("== " + n + "\n"), n + " not in the fleet report:\n" + r[1]);
        }
        String[] one = cliRaw("report", "--parquet", out.toString(), "per_mm", "fleet_errors");
        assertEquals("0", one[0], one[2]);
        assertTrue(one[1].contains("== per_mm — runs in ns") && one[1].contains("== fleet_errors"), one[1]);
        assertFalse(one[1].contains("not applicable"), one[1]);
        // the workspace tables as Parquet: one lock_spans row per acquisition of every run, keyed by trace
        String[] spans = cliRaw("query", "--parquet", out.toString(), "--format", "csv",
                "SELECT count(DISTINCT trace_id) AS traces, count(DISTINCT run) AS runs FROM lock_spans");
        assertEquals("0", spans[0], spans[2]);
        assertEquals("traces,runs\n6," + (6 + 5 * POLICIES.length), spans[1].strip().replace("\r\n", "\n"));
        String[] q = cliRaw("query", "--parquet", out.toString(), "--format", "csv",
                "SELECT count(*) AS n, count(DISTINCT host) AS hosts FROM runs");
        assertEquals("0", q[0], q[2]);
        assertEquals("n,hosts\n" + 5 * POLICIES.length + ",3", q[1].strip().replace("\r\n", "\n"));
        String[] bad = cliRaw("report", "--parquet", tmp.resolve("nothing").toString());
        assertEquals("3", bad[0]);
        assertTrue(bad[2].startsWith("vmalock report: ") && bad[2].strip().lines().count() == 1, bad[2]);
        String[] both = cliRaw("query", "--parquet", out.toString(), "-w", tmp.toString(), "SELECT 1");
        assertEquals("2", both[0], both[2]);
    }

    @Test
    void oneTaskPerTraceAndOnePerPolicyGiveTheSameRows() {
        List<TraceInput> two = FleetMain.inputs(List.of(traces.get(0).toString(), traces.get(5).toString(),
                traces.get(6).toString()), tmp.resolve("manifest.csv").toString(), new org.apache.hadoop.conf.Configuration());
        List<Row> b = spark.read().parquet(out.resolve("runs").toString())
                .where("trace_id in ('ftrace-memcg.txt', 'ftrace-pipe-lost.txt.gz', 'perf-disjoint.perf.txt')")
                .sort("trace_id", "policy_order").select("trace_id", "policy", "json").collectAsList();
        assertEquals(3 * POLICIES.length, b.size());
        for (FleetJob.Fanout f : new FleetJob.Fanout[] {FleetJob.Fanout.TRACE, FleetJob.Fanout.POLICY}) {
            Path out2 = tmp.resolve("out-fanout-" + f);
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            FleetJob.run(spark, two, List.of(POLICIES), out2.toString(), new PrintStream(err, true), f);
            assertTrue(err.toString().contains(f == FleetJob.Fanout.TRACE ? "one per trace: nothing shuffled"
                    : "one per trace and policy"), err.toString());
            List<Row> a = spark.read().parquet(out2.resolve("runs").toString()).sort("trace_id", "policy_order")
                    .select("trace_id", "policy", "json").collectAsList();
            assertEquals(b, a, f + " against the per-address-space fan-out");
            // and the workspace tables of the replays (and of the observed runs) too
            for (String t : new String[] {"lock_spans", "counters", "event_counts", "ws_runs"}) {
                String where = "trace_id in ('ftrace-memcg.txt', 'ftrace-pipe-lost.txt.gz', 'perf-disjoint.perf.txt')";
                var cols = spark.read().parquet(out2.resolve(t).toString()).columns();
                var x = spark.read().parquet(out.resolve(t).toString()).where(where).drop("parse_ms").sort(cols[0], java.util.Arrays.copyOfRange(cols, 1, cols.length)).collectAsList();
                var y = spark.read().parquet(out2.resolve(t).toString()).sort(cols[0], java.util.Arrays.copyOfRange(cols, 1, cols.length)).collectAsList();
                assertEquals(x.size(), y.size(), f + ": " + t);
                assertEquals(x, y, f + ": " + t);
            }
        }
    }

    @Test
    void addressSpaceTasksAreSplitPerAddressSpaceAndMerged() {
        // the main job's fan-out: a task per (trace, address space, policy), a merge task per trace
        assertTrue(progress.matches("(?s).*stage 2/3: replays, 5 traces x (\\d+) address spaces x 3 policies \\((\\d+) tasks, one per "
                + "trace, address space and policy.*"), progress);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("5 traces x (\\d+) address spaces x 3 policies \\((\\d+) tasks")
                .matcher(progress);
        assertTrue(m.find());
        int spaces = Integer.parseInt(m.group(1));
        assertTrue(spaces > 5, "some trace has more than one address space: " + progress);
        assertEquals(3 * spaces, Integer.parseInt(m.group(2)));
        // grouping: consecutive address spaces, about equal operations, never more groups than asked
        long[][] mms = {{0, 10}, {1, 1}, {2, 1}, {4, 8}, {7, 1}, {9, 9}};
        assertEquals("[[0], [1, 2, 4], [7, 9]]", groupsText(FleetTasks.groups(mms, 3)));
        assertEquals("[[0], [1], [2], [4], [7], [9]]", groupsText(FleetTasks.groups(mms, 0)));
        assertEquals("[[0, 1, 2, 4, 7, 9]]", groupsText(FleetTasks.groups(mms, 1)));
        assertEquals("[[0], [1], [2], [4], [7], [9]]", groupsText(FleetTasks.groups(mms, 99)));
        assertEquals("[]", groupsText(FleetTasks.groups(new long[0][], 4)));
    }

    static String groupsText(List<int[]> g) {
        List<String> l = new ArrayList<>();
        for (int[] x : g) l.add(java.util.Arrays.toString(x));
        return l.toString();
    }

    @Test
    void aFailedReplayDropsTheWholeTraceAndEmptyTablesStayReadable() {
        // a policy no replay knows: every replay under it throws, so every replayable trace fails as a whole
        List<TraceInput> two = FleetMain.inputs(List.of(traces.get(0).toString(), traces.get(4).toString()), null,
                new org.apache.hadoop.conf.Configuration());
        Path out3 = tmp.resolve("out-failed-replays");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // (per address space groups: two tasks at most per trace and policy, then the merge)
        FleetJob.Summary s = FleetJob.run(spark, two, List.of("vma-refcount", "no-such-policy"), out3.toString(),
                new PrintStream(err, true), FleetJob.Fanout.MM, 0, 2);
        assertEquals(1, s.failed(), err.toString());
        List<Row> errors = spark.read().parquet(out3.resolve("errors").toString()).collectAsList();
        assertEquals(1, errors.size());
        assertEquals("ftrace-memcg.txt", errors.get(0).getAs("trace_id"));
        assertEquals("replay", errors.get(0).getAs("stage"));
        assertEquals("no-such-policy", errors.get(0).getAs("policy"));
        assertTrue(((String) errors.get(0).getAs("reason")).contains("ftrace-memcg.txt: replay under no-such-policy: "),
                (String) errors.get(0).getAs("reason"));
        // its successful vma-refcount run is not written either; the counter-clock trace (not replayed) is complete
        assertEquals(0, spark.read().parquet(out3.resolve("runs").toString()).count());
        assertEquals(0, spark.read().parquet(out3.resolve("fault_latency").toString()).count());
        List<Row> tr = spark.read().parquet(out3.resolve("traces").toString()).collectAsList();
        assertEquals(1, tr.size());
        assertEquals("ftrace-counter.txt", tr.get(0).getAs("trace_id"));
        String[] q = cliRaw("query", "--parquet", out3.toString(), "--format", "csv",
                "SELECT (SELECT count(*) FROM runs) AS runs, (SELECT count(*) FROM errors) AS errors");
        assertEquals("0", q[0], q[2]);
        assertEquals("runs,errors\n0,1", q[1].strip().replace("\r\n", "\n"));
        assertEquals("0", cliRaw("report", "--parquet", out3.toString())[0]);
    }
}
