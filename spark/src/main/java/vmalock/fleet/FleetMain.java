package vmalock.fleet;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import vmalock.replay.PolicyPreset;

/**
 * {@code vmalock fleet TRACE|GLOB… [--manifest CSV] -o OUT [--master M] [--policies P,…|all]}: the fleet job's
 * entry point, for {@code vmalock fleet} (local[*] by default) and for {@code spark-submit --class
 * vmalock.fleet.FleetMain vmalock-fleet.jar …} on a cluster (there the master comes from spark-submit).
 */
public final class FleetMain {
    static final int OK = 0, PROBLEMS = 1, USAGE = 2, INPUT = 3, INTERNAL = 70;

    static final String HELP = String.join("\n",
            "Usage: vmalock fleet TRACE|GLOB… [--manifest CSV] -o OUT [--master M] [--policies P,…|all]",
            "                     [--fanout auto|policy|trace|mm] [--mm-tasks N] [--replay-timeout S] [--print-submit]",
            "Runs the fleet job on Apache Spark: every trace parsed once (any format ingest reads, compressed or not,",
            "on any Hadoop file system: local paths, hdfs://, s3a://), its statistics, its replays under every policy",
            "(one task per trace and policy), written to OUT as Hive-partitioned Parquet tables (traces, stats, runs,",
            "per_mm, fault_latency, errors, _schema_version) keyed by trace_id, partitioned by host.",
            "A trace that fails is a row of `errors` and nothing else. Progress per stage on stderr.",
            "  -o, --output OUT     output directory (replaced)",
            "  --manifest CSV       trace,host,kernel,workload (trace: a path, or a file name matched against the inputs);",
            "                       without TRACE arguments the manifest's traces are the inputs",
            "  --master M           Spark master (default local[*]; spark-submit's own when run under it)",
            "  --policies P,…       policies to replay (default all, as `vmalock compare`)",
            "  --fanout F           auto (default), policy (one task per trace and policy: the trace's events are",
            "                       shuffled to them) or trace (one task per trace replays every policy: nothing",
            "                       shuffled but result rows), or mm (one task per trace, address space and policy, then",
            "                       one merge task per trace); auto = policy while traces < 2 x task slots, else trace",
            "  --mm-tasks N         with --fanout mm: at most N tasks per trace and policy (consecutive address",
            "                       spaces grouped by operations; default 8); 0 = one per address space",
            "  --replay-timeout S   a replay still running after S seconds is stopped and its trace goes to errors",
            "                       (default 3600; 0 = no limit)",
            "  --print-submit       print the spark-submit command line for a cluster and exit",
            "Then: vmalock report --parquet OUT");

    private FleetMain() {}

    /**
     * {@code --mm-tasks} by default: every (address space, policy) task loads the trace's whole work, and a long
     * trace can hold hundreds of address spaces (a 100 MB capture: 534), so by default a trace's address spaces
     * are grouped into at most this many tasks per policy.
     */
    static final int DEFAULT_MM_TASKS = 8;

    /** A count given to an option (0 or more), or -1 when it is not one. */
    static long count(String v) {
        try {
            return Math.max(-1, Long.parseLong(v));
        } catch (NumberFormatException x) {
            return -1;
        }
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> traces = new ArrayList<>();
        String output = null;
        String manifest = null;
        String master = null;
        String policies = "all";
        boolean printSubmit = false;
        FleetJob.Fanout fanout = FleetJob.Fanout.AUTO;
        long timeout = 3600;
        int mmTasks = DEFAULT_MM_TASKS;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            try {
                switch (a) {
                    case "-h", "--help" -> {
                        out.println(HELP);
                        return OK;
                    }
                    case "-o", "--output" -> output = args[++i];
                    case "--manifest" -> manifest = args[++i];
                    case "--master" -> master = args[++i];
                    case "--policies" -> policies = args[++i];
                    case "--print-submit" -> printSubmit = true;
                    case "--replay-timeout" -> {
                        timeout = count(args[++i]);
                        if (timeout < 0) {
                            err.println("vmalock fleet: --replay-timeout: '" + args[i] + "' is not a number of seconds (0 = none)");
                            return USAGE;
                        }
                    }
                    case "--mm-tasks" -> {
                        long v = count(args[++i]);
                        if (v < 0 || v > Integer.MAX_VALUE) {
                            err.println("vmalock fleet: --mm-tasks: '" + args[i] + "' is not a number of tasks (0 = one per address space)");
                            return USAGE;
                        }
                        mmTasks = (int) v;
                    }
                    case "--fanout" -> {
                        String v = args[++i];
                        try {
                            fanout = FleetJob.Fanout.valueOf(v.toUpperCase(java.util.Locale.ROOT));
                        } catch (IllegalArgumentException x) {
                            err.println("vmalock fleet: --fanout: '" + v + "' is not auto, policy, trace or mm");
                            return USAGE;
                        }
                    }
                    default -> {
                        if (a.startsWith("-") && a.length() > 1) {
                            err.println("vmalock fleet: unknown option " + a + " (see --help)");
                            return USAGE;
                        }
                        traces.add(a);
                    }
                }
            } catch (ArrayIndexOutOfBoundsException x) {
                err.println("vmalock fleet: " + a + " needs a value (see --help)");
                return USAGE;
            }
        }
        if (output == null) {
            err.println("vmalock fleet: give the output directory with -o OUT (see --help)");
            return USAGE;
        }
        if (traces.isEmpty() && manifest == null) {
            err.println("vmalock fleet: give trace files or globs, or --manifest CSV (see --help)");
            return USAGE;
        }
        List<String> pols;
        try {
            pols = policies(policies);
        } catch (IllegalArgumentException x) {
            err.println("vmalock fleet: --policies: " + x.getMessage());
            return USAGE;
        }
        if (printSubmit) {
            out.println(submitLine(args));
            return OK;
        }
        List<TraceInput> inputs;
        try {
            inputs = inputs(traces, manifest, new Configuration());
        } catch (InputError x) {
            err.println("vmalock fleet: " + x.getMessage());
            return INPUT;
        }
        SparkSession.Builder b = SparkSession.builder().appName("vmalock fleet");
        boolean underSubmit = System.getProperty("spark.master") != null;
        if (master != null) b.master(master);
        else if (!underSubmit) b.master("local[*]");
        if (!underSubmit) {
            b.config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4");
        }
        b.config("spark.sql.parquet.compression.codec", "zstd");
        SparkSession spark = b.getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        try {
            FleetJob.Summary s = FleetJob.run(spark, inputs, pols, output, err, fanout, timeout, mmTasks);
            err.printf("vmalock fleet: %d traces (%d ok, %d failed: see %s/errors), %d replays, %.1f MB in %.1f s: %.2f traces/s%n",
                    s.traces(), s.ok(), s.failed(), output, s.runs(), s.bytes() / 1e6, s.seconds(), s.traces() / s.seconds());
            if (master == null && !underSubmit) {
                err.println("vmalock fleet: on a cluster: " + submitLine(args));
            }
            return s.failed() > 0 ? PROBLEMS : OK;
        } finally {
            spark.stop();
        }
    }

    static List<String> policies(String spec) {
        List<String> l = new ArrayList<>();
        for (String x : spec.split(",")) {
            x = x.trim();
            if (x.isEmpty()) continue;
            if (x.equals("all")) {
                for (PolicyPreset p : PolicyPreset.standard()) if (!l.contains(p.name)) l.add(p.name); // as compare's all
                continue;
            }
            PolicyPreset.preset(x); // unknown → IllegalArgumentException naming the known ones
            if (!l.contains(x)) l.add(x);
        }
        if (l.isEmpty()) throw new IllegalArgumentException("no policy given");
        return l;
    }

    /** The spark-submit command for the same arguments (the master and resources left for the user to fill). */
    static String submitLine(String[] args) {
        StringBuilder sb = new StringBuilder("spark-submit --class vmalock.fleet.FleetMain --master yarn --deploy-mode cluster"
                + " --executor-cores 4 --executor-memory 8g --conf spark.task.cpus=1 spark/target/vmalock-fleet.jar");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--print-submit")) continue;
            if (a.equals("--master")) {
                i++;
                continue;
            }
            sb.append(' ').append(quote(a));
        }
        return sb.toString();
    }

    private static String quote(String s) {
        return s.matches("[A-Za-z0-9_./:=,@%+*\\[\\]-]+") && !s.contains("*") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    static final class InputError extends RuntimeException {
        InputError(String m) {
            super(m);
        }
    }

    /** The input traces: globs expanded (sorted, de-duplicated), manifest rows matched; ids unique. */
    static List<TraceInput> inputs(List<String> traces, String manifest, Configuration conf) {
        Map<String, String[]> meta = new LinkedHashMap<>();
        List<String> paths = new ArrayList<>();
        if (manifest != null) {
            Path mp = new Path(manifest);
            try {
                FileSystem fs = mp.getFileSystem(conf);
                try (Reader r = new InputStreamReader(fs.open(mp), StandardCharsets.UTF_8);
                     CSVParser p = CSVParser.builder().setReader(r).setFormat(CSVFormat.DEFAULT.builder().setHeader()
                             .setSkipHeaderRecord(true).setTrim(true).get()).get()) {
                    if (!p.getHeaderMap().containsKey("trace")) {
                        throw new InputError(manifest + ":1: the manifest has no 'trace' column (columns: trace,host,kernel,workload)");
                    }
                    for (CSVRecord rec : p) {
                        String t = rec.get("trace");
                        if (t.isEmpty()) throw new InputError(manifest + ":" + rec.getRecordNumber() + 1 + ": empty trace");
                        String[] m = {get(rec, "host"), get(rec, "kernel"), get(rec, "workload")};
                        String resolved = new Path(t).isAbsolute() || t.contains(":/") ? t : new Path(mp.getParent(), t).toString();
                        meta.put(t, m);
                        meta.put(resolved, m);
                        if (traces.isEmpty()) paths.add(resolved);
                    }
                }
            } catch (java.io.FileNotFoundException x) {
                throw new InputError(manifest + ": no such file");
            } catch (IOException | RuntimeException x) {
                if (x instanceof InputError) throw (InputError) x;
                throw new InputError(manifest + ": cannot read the manifest (" + x.getMessage() + ")");
            }
        }
        for (String t : traces) {
            Path p = new Path(t);
            try {
                FileSystem fs = p.getFileSystem(conf);
                FileStatus[] st = fs.globStatus(p);
                if (st == null || st.length == 0) {
                    // a missing plain file still becomes an `errors` row, as any unreadable trace does
                    if (t.matches(".*[*?\\[{].*")) throw new InputError(t + ": no file matches");
                    paths.add(t);
                    continue;
                }
                List<String> found = new ArrayList<>();
                for (FileStatus s : st) found.add(t.contains(":/") ? s.getPath().toString() : Path.getPathWithoutSchemeAndAuthority(s.getPath()).toString());
                found.sort(null);
                paths.addAll(found);
            } catch (IOException x) {
                throw new InputError(t + ": cannot list (" + x.getMessage() + ")");
            }
        }
        List<String> uniq = new ArrayList<>(new java.util.LinkedHashSet<>(paths));
        Map<String, Integer> names = new HashMap<>();
        for (String u : uniq) names.merge(new Path(u).getName(), 1, Integer::sum);
        List<TraceInput> l = new ArrayList<>();
        for (String u : uniq) {
            String name = new Path(u).getName();
            String[] m = meta.get(u);
            if (m == null) m = meta.get(name);
            if (m == null) m = new String[] {null, null, null};
            String id = names.get(name) == 1 ? name : name + "@" + sha(u).substring(0, 8);
            l.add(new TraceInput(l.size(), id, u, m[0] == null || m[0].isEmpty() ? "unknown" : m[0], m[1], m[2]));
        }
        return l;
    }

    private static String get(CSVRecord r, String col) {
        return r.isMapped(col) && r.isSet(col) ? r.get(col) : null;
    }

    private static String sha(String s) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
