package vmalock.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import vmalock.replay.PolicyPreset;
import vmalock.replay.ReplayOptions;
import vmalock.replay.ReplayRunner;
import vmalock.stats.StatsJson;
import vmalock.stats.WorkspaceStats;
import vmalock.store.Ingester;
import vmalock.store.Workspace;

/**
 * The what-if check on real counterfactual captures: pairs of cf.c captures of the same work with
 * user-mode faults ({@code NAME-uN.txt[.xz]}: the per-VMA lock) and kernel-mode faults ({@code NAME-kN…}:
 * every fault on mmap_lock on x86), each with its {@code .workload.log}. The u runs replayed under
 * {@code faults-on-mmap-lock} must predict the k runs (medians); the u runs replayed under
 * {@code vma-refcount} against themselves are the calibration. Wait sums are per second of run (the
 * workload runs for a fixed time: a slower policy does less work in the real run). A figure holds when
 * the prediction is within 2× of the real median and, where every k run lies on one side of every u run,
 * points the same way.
 */
public final class CounterfactualCheck {
    /** The figures compared, in order. */
    public static final List<String> FIGURES = List.of("writer_wait_us_per_s", "writer_wait_p99_us", "reader_wait_us_per_s",
            "reader_wait_p99_us", "syscall_latency_p99_us");

    private CounterfactualCheck() {}

    /** The captures of {@code dir} by configuration name: mode ('u'/'k') → run number → file. */
    public static Map<String, Map<Character, Map<Integer, Path>>> captures(Path dir) throws IOException {
        Pattern p = Pattern.compile("(.*)-([uk])(\\d+)\\.txt(\\.xz|\\.gz|\\.zst)?");
        Map<String, Map<Character, Map<Integer, Path>>> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : (Iterable<Path>) s.sorted()::iterator) {
                Matcher x = p.matcher(f.getFileName().toString());
                if (!x.matches()) continue;
                m.computeIfAbsent(x.group(1), k -> new TreeMap<>()).computeIfAbsent(x.group(2).charAt(0), k -> new TreeMap<>())
                        .put(Integer.parseInt(x.group(3)), f);
            }
        }
        return m;
    }

    /** The workload log's pages per second, or NaN without a log. */
    static double pagesPerSecond(Path trace) throws IOException {
        String n = trace.getFileName().toString();
        Path log = trace.resolveSibling(n.substring(0, n.indexOf(".txt")) + ".workload.log");
        if (!Files.isRegularFile(log)) return Double.NaN;
        Matcher m = Pattern.compile("pages_per_s ([0-9.]+)").matcher(Files.readString(log));
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** Figures of one observed capture. */
    static Map<String, Double> observed(Path ws) {
        try (Workspace w = Workspace.open(ws)) {
            ObjectNode s = StatsJson.build(WorkspaceStats.compute(w, null));
            double secs = Double.parseDouble(s.get("last_ts").asText()) - Double.parseDouble(s.get("first_ts").asText());
            JsonNode sc = ReplayRunner.run(w, w.sources(null), new ReplayOptions().policy(PolicyPreset.preset("vma-refcount")), -1)
                    .json.get("observed_syscall_latency_us");
            return figures(s, secs, sc);
        }
    }

    /** Figures of one replay of a capture, and its faults per second. */
    static Map<String, Double> replayed(Path ws, String policy) {
        try (Workspace w = Workspace.open(ws)) {
            ReplayRunner.Run run = ReplayRunner.run(w, w.sources(null), new ReplayOptions().policy(PolicyPreset.preset(policy)), -1);
            ObjectNode s = ReplayRunner.stats(ws, run.id);
            Map<String, Double> f = figures(s, run.json.get("makespan_us").asDouble() / 1e6, run.json.get("syscall_latency_us"));
            f.put("faults_per_s", run.json.get("faults_per_s").asDouble());
            return f;
        }
    }

    private static Map<String, Double> figures(JsonNode s, double secs, JsonNode syscalls) {
        Map<String, Double> f = new TreeMap<>();
        f.put("writer_wait_us_per_s", s.get("writer_wait_us").get("sum").asDouble() / secs);
        f.put("writer_wait_p99_us", s.get("writer_wait_us").get("p99").asDouble());
        f.put("reader_wait_us_per_s", s.get("reader_wait_us").get("sum").asDouble() / secs);
        f.put("reader_wait_p99_us", s.get("reader_wait_us").get("p99").asDouble());
        f.put("syscall_latency_p99_us", syscalls == null || syscalls.get("p99").isNull() ? 0 : syscalls.get("p99").asDouble());
        return f;
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /**
     * Checks every configuration of {@code dir}, ingesting into workspaces under {@code work}. The result:
     * {@code {"configurations": [{name, u_runs, k_runs, figures: [{figure, u_observed, u_calibrated,
     * calibration_ratio, predicted, real, real_min, real_max, ratio, direction, verdict}], throughput:
     * {predicted, real, verdict}}], "held": bool}}.
     */
    public static ObjectNode check(Path dir, Path work) throws IOException {
        ObjectNode out = StatsJson.JSON.createObjectNode();
        ArrayNode cs = out.putArray("configurations");
        boolean held = true;
        for (Map.Entry<String, Map<Character, Map<Integer, Path>>> c : captures(dir).entrySet()) {
            Map<Integer, Path> us = c.getValue().get('u'), ks = c.getValue().get('k');
            if (us == null || ks == null) continue;
            List<Map<String, Double>> uo = new ArrayList<>(), uc = new ArrayList<>(), up = new ArrayList<>(), kr = new ArrayList<>();
            List<Double> uThr = new ArrayList<>(), kThr = new ArrayList<>();
            for (Path f : us.values()) {
                Path ws = ingest(f, work);
                uo.add(observed(ws));
                uc.add(replayed(ws, "vma-refcount"));
                up.add(replayed(ws, "faults-on-mmap-lock"));
                uThr.add(pagesPerSecond(f));
            }
            for (Path f : ks.values()) {
                kr.add(observed(ingest(f, work)));
                kThr.add(pagesPerSecond(f));
            }
            ObjectNode co = cs.addObject();
            co.put("name", c.getKey());
            co.put("u_runs", us.size());
            co.put("k_runs", ks.size());
            ArrayNode fs = co.putArray("figures");
            for (String fig : FIGURES) {
                List<Double> uv = col(uo, fig), kv = col(kr, fig);
                double obs = median(uv), cal = median(col(uc, fig)), pred = median(col(up, fig)), real = median(kv);
                String realDir = Collections.min(kv) > Collections.max(uv) ? "up" : Collections.max(kv) < Collections.min(uv) ? "down" : null;
                String predDir = pred > cal ? "up" : pred < cal ? "down" : "same";
                ObjectNode x = fs.addObject();
                x.put("figure", fig);
                x.put("u_observed", round(obs));
                x.put("u_calibrated", round(cal));
                x.put("calibration_ratio", round(ratio(cal, obs)));
                x.put("predicted", round(pred));
                x.put("real", round(real));
                x.put("real_min", round(Collections.min(kv)));
                x.put("real_max", round(Collections.max(kv)));
                double r = ratio(pred, real);
                x.put("ratio", round(r));
                if (realDir == null) x.putNull("direction");
                else x.put("direction", realDir.equals(predDir) ? "right" : "wrong");
                boolean atFloor = fig.endsWith("p99_us") && Math.max(Collections.max(kv), Collections.max(uv)) <= 1;
                String verdict = atFloor ? "at resolution" : r >= 1 / 1.5 && r <= 1.5 ? "within 1.5×" : r >= 0.5 && r <= 2 ? "within 2×"
                        : "off by more than 2×";
                boolean ok = (atFloor || r >= 0.5 && r <= 2) && (realDir == null || realDir.equals(predDir));
                x.put("verdict", verdict);
                x.put("held", ok);
                held &= ok;
            }
            double predThr = median(col(up, "faults_per_s")) / median(col(uc, "faults_per_s"));
            double realThr = median(kThr) / median(uThr);
            ObjectNode t = co.putObject("throughput_ratio_k_over_u");
            t.put("predicted", round(predThr));
            if (Double.isNaN(realThr)) {
                t.putNull("real");
                t.put("held", true);
            } else {
                t.put("real", round(realThr));
                boolean ok = Math.abs(predThr / realThr - 1) <= 0.25;
                t.put("held", ok);
                held &= ok;
            }
        }
        out.put("held", held && cs.size() > 0);
        return out;
    }

    private static Path ingest(Path f, Path work) throws IOException {
        Path ws = work.resolve(f.getFileName().toString().replaceAll("\\.txt.*$", ""));
        if (!Files.isRegularFile(ws.resolve("manifest.json"))) {
            try (Workspace w = Workspace.forIngest(ws)) {
                Ingester.ingest(w, f, null, false, null);
            } catch (vmalock.parse.TraceInputException e) {
                throw new IOException(f + ": " + e.getMessage(), e);
            }
        }
        return ws;
    }

    private static List<Double> col(List<Map<String, Double>> rows, String k) {
        List<Double> l = new ArrayList<>();
        for (Map<String, Double> r : rows) if (r.containsKey(k)) l.add(r.get(k));
        return l;
    }

    private static double ratio(double a, double b) {
        return b == 0 ? (a == 0 ? 1 : Double.POSITIVE_INFINITY) : a / b;
    }

    /** Three decimals; a ratio against 0 (infinite) is stored as a large finite number, JSON has no Infinity. */
    private static double round(double v) {
        if (Double.isNaN(v)) return 0;
        if (Double.isInfinite(v)) return 1e9;
        return Math.round(v * 1000) / 1000.0;
    }
}
