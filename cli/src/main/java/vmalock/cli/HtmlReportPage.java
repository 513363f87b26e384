package vmalock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import vmalock.db.DbException;
import vmalock.db.ObservedRun;
import vmalock.db.QueryLibrary;
import vmalock.db.QueryRunner;
import vmalock.db.ResultTable;
import vmalock.db.RunInfo;
import vmalock.db.SqlStats;
import vmalock.db.WorkspaceDb;
import vmalock.replay.PolicyPreset;
import vmalock.replay.ReplayRunner;
import vmalock.stats.StatsJson;
import vmalock.store.Manifest;
import vmalock.store.StoreException;
import vmalock.store.Workspace;

/**
 * What {@code report --html} shows, gathered from the workspace's DuckDB database: every run's
 * {@code stats --json} document ({@link SqlStats}, the code {@code stats --run} uses), a comparison of the
 * compare command's JSON shape built from the stored runs (their {@code run.json}: vma_lock counters,
 * retries, defects, makespan, modelling assumptions), and the result tables of the bundled reports the
 * figures are drawn from: {@code wait_cdf}, {@code writer_waits}/{@code reader_waits} (percentiles and
 * log2 histograms), {@code fallback_rates} (overall) and {@code data_quality}.
 */
final class HtmlReportPage {
    /** One run of the page: observed (runJson null) or a stored replay. */
    record Run(String id, String policy, ObjectNode stats, JsonNode runJson) {
    }

    final List<Manifest.Source> sources;
    /** observed first, then replays by policy (in {@code vmalock policies} order) and run id. */
    final List<Run> runs = new ArrayList<>();
    /** The event filter the page's figures went through ({@code report --html --comm …}), or null. */
    String filter;
    /** The policy of the kernel that produced the trace (from the replays' run.json), or null without replays. */
    String kernelPolicy;
    /** The run the deltas are against, and the replay of the kernel policy the calibration uses (may be null). */
    Run baseline;
    Run calibration;
    /** The comparison in {@code compare --format json}'s shape ({@code baseline}, {@code observed}, {@code runs}, {@code calibration}). */
    ObjectNode comparison;
    /** wait_cdf rows by metric then run: points {wait_us, fraction}. */
    final Map<String, Map<String, List<double[]>>> cdf = new LinkedHashMap<>();
    /** sample_stats (percentiles) and log2_hist result tables by metric (writer_wait, reader_wait). */
    final Map<String, ResultTable> waitStats = new LinkedHashMap<>();
    final Map<String, ResultTable> histograms = new LinkedHashMap<>();
    ResultTable fallbackRates;
    List<ResultTable> dataQuality;
    String timeUnit;

    /** Replay runs that replayed other sources than the workspace holds now ({@link StaleRuns}). */
    final List<String> stale = new ArrayList<>();

    private HtmlReportPage(List<Manifest.Source> sources) {
        this.sources = sources;
    }

    static final String WRITER = "writer_wait";
    static final String READER = "reader_wait";

    /**
     * Gathers the page for the selected replay runs ({@code selected} empty: every run; observed is always
     * shown, it is what the replays are judged against). {@code baselineArg}: a run id or policy the deltas
     * are against; null = the trace's kernel policy, as in {@code compare}.
     */
    static HtmlReportPage gather(Workspace ws, WorkspaceDb db, QueryRunner.EventsSource events, List<String> selected,
                                 String baselineArg) {
        HtmlReportPage p = new HtmlReportPage(ws.manifest().sources);
        List<String> ids = new ArrayList<>(db.runs());
        for (String r : selected) {
            if (!ids.contains(r)) {
                throw new DbException("no run " + r + " in " + db.file() + " (runs: " + String.join(", ", ids) + ")");
            }
        }
        List<String> keep = new ArrayList<>();
        keep.add(RunInfo.OBSERVED);
        for (String r : ids) {
            if (!r.equals(RunInfo.OBSERVED) && (selected.isEmpty() || selected.contains(r))) keep.add(r);
        }
        // stats first: SqlStats replaces the connection's run views, the QueryRunner below sets them again. The
        // observed run's figures are the ones ingest stored when they are of the current sources and no filter is
        // set (the same document: ObservedRun.materialize; ~0.4 s of CPU of a 120 MB trace's page otherwise)
        ObservedRun.CachedStats cached = ws.filter() == null ? ObservedRun.cachedStats(ws) : null;
        for (String r : keep) {
            JsonNode rj = r.equals(RunInfo.OBSERVED) ? null : runJson(ws.dir(), r);
            String policy = rj == null ? RunInfo.OBSERVED : rj.path("policy").asText(r);
            ObjectNode st = rj != null ? replayStats(ws.dir(), db, r) : cached != null ? cached.stats() : SqlStats.build(db, r);
            p.runs.add(new Run(r, policy, st, rj));
        }
        List<String> order = PolicyPreset.names();
        p.runs.sort(Comparator.comparing((Run x) -> x.runJson() == null ? -1 : rank(order, x.policy()))
                .thenComparing(Run::id));
        for (Run r : p.runs) {
            if (r.runJson() != null && p.kernelPolicy == null) {
                for (JsonNode in : r.runJson().path("inputs")) {
                    if (in.hasNonNull("kernel_policy")) {
                        p.kernelPolicy = in.get("kernel_policy").asText();
                        break;
                    }
                }
            }
        }
        for (Run r : p.runs) {
            if (r.runJson() != null && StaleRuns.isStale(ws, r.runJson())) p.stale.add(r.id());
        }
        for (Run r : p.runs) {
            // a stale run replayed other sources: calibrating against it would compare different inputs
            if (p.calibration == null && r.runJson() != null && r.policy().equals(p.kernelPolicy) && !p.stale.contains(r.id())) {
                p.calibration = r;
            }
        }
        String b = baselineArg != null ? baselineArg : p.kernelPolicy;
        for (Run r : p.runs) {
            if (p.baseline == null && b != null && (r.id().equals(b) || r.policy().equals(b))) p.baseline = r;
        }
        if (baselineArg != null && p.baseline == null) {
            throw new IllegalArgumentException("--baseline " + baselineArg + ": no such run or policy among the runs shown ("
                    + String.join(", ", p.runs.stream().map(Run::id).toList()) + ")");
        }
        p.comparison = comparison(p);
        p.timeUnit = p.runs.get(0).stats().path("time_unit").asText("us");

        QueryRunner qr = new QueryRunner(db, keep, Map.of(), events);
        QueryLibrary lib = QueryLibrary.bundled();
        for (Object[] row : section(qr.run(lib.get("wait_cdf")), 0, "fraction").rows()) {
            String run = (String) row[0];
            String metric = (String) row[1];
            p.cdf.computeIfAbsent(metric, k -> new LinkedHashMap<>()).computeIfAbsent(run, k -> new ArrayList<>())
                    .add(new double[] {((Number) row[2]).doubleValue(), ((Number) row[5]).doubleValue()});
        }
        for (String metric : List.of(WRITER, READER)) {
            List<ResultTable> t = qr.run(lib.get(metric + "s"));
            p.waitStats.put(metric, section(t, 0, qr.ticks() ? "p99_ticks" : "p99_us"));
            p.histograms.put(metric, section(t, 1, "bucket"));
        }
        p.fallbackRates = section(qr.run(lib.get("fallback_rates")), 0, "fallback_rate_strict");
        p.dataQuality = qr.run(lib.get("data_quality"));
        section(p.dataQuality, 0, "verdict");
        return p;
    }

    /** A source's clock counts ticks (counter, x86-tsc): replay and compare refuse the trace. */
    boolean counterClock() {
        return sources.stream().anyMatch(Manifest.Source::counterClock);
    }

    /** The observed run's stats document. */
    Run observed() {
        return runs.get(0);
    }

    List<Run> replays() {
        return runs.subList(1, runs.size());
    }

    /** The table with its rows in page order of their {@code run} column (observed first), else as it is. */
    ResultTable inPageOrder(ResultTable t) {
        int c = t.columns().indexOf("run");
        if (c < 0) return t;
        List<String> order = runs.stream().map(Run::id).toList();
        List<Object[]> rows = new ArrayList<>(t.rows());
        rows.sort(Comparator.comparingInt(r -> order.indexOf(String.valueOf(r[c]))));
        return new ResultTable(t.report(), t.title(), t.columns(), t.types(), rows);
    }

    /** Whether the observed trace lost events or had its ring buffer overwritten. */
    boolean lossy() {
        return observed().stats().path("lossy").asBoolean(false);
    }

    private static int rank(List<String> order, String policy) {
        int i = order.indexOf(policy);
        return i < 0 ? order.size() : i;
    }

    /** Section {@code i} of a report's result, checked to have the column the page reads. */
    private static ResultTable section(List<ResultTable> t, int i, String column) {
        if (t.size() <= i || !t.get(i).columns().contains(column)) {
            throw new DbException("report --html: the bundled report " + (t.isEmpty() ? "?" : t.get(0).report())
                    + " no longer has section " + i + " with column " + column);
        }
        return t.get(i);
    }

    /** A replay run's stats figures as {@link #replayStats} keeps them in the run's folder. */
    static final String REPLAY_STATS = "stats-cache.json";

    /**
     * A replay run's {@code stats} figures (the SQL report, {@link SqlStats}), kept in the run's folder with the
     * fingerprint the database loaded the run under: later pages of the same runs read them instead of running the
     * report once per replay (most of a page's CPU after {@code compare}; issue 13). A run replaced or reloaded
     * has another fingerprint and is computed afresh; a folder that cannot be written only costs the speed-up.
     */
    static ObjectNode replayStats(Path ws, WorkspaceDb db, String run) {
        String fp = db.runMeta(run, "sources");
        Path f = ReplayRunner.runDir(ws, run).resolve(REPLAY_STATS);
        if (fp != null && Files.isRegularFile(f)) {
            try {
                JsonNode j = StatsJson.JSON.readTree(f.toFile());
                if (fp.equals(j.path("sources").asText(null)) && j.path("stats").isObject()) {
                    return (ObjectNode) j.get("stats");
                }
            } catch (IOException | RuntimeException e) {
                // unreadable: computed afresh
            }
        }
        ObjectNode st = SqlStats.build(db, run);
        if (fp != null) {
            ObjectNode cache = StatsJson.JSON.createObjectNode();
            cache.put("sources", fp);
            cache.set("stats", st);
            Path tmp = f.resolveSibling(REPLAY_STATS + "." + ProcessHandle.current().pid() + ".tmp");
            try {
                Files.write(tmp, StatsJson.JSON.writeValueAsBytes(cache));
                Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // nothing more to clean
                }
            }
        }
        return st;
    }

    private static JsonNode runJson(Path ws, String run) {
        Path f = ReplayRunner.runDir(ws, run).resolve(ReplayRunner.RUN_FILE);
        try {
            return StatsJson.JSON.readTree(Files.readString(f));
        } catch (IOException e) {
            throw new StoreException(f + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** The stored runs as {@code compare --format json} would show them (without replaying anything). */
    private static ObjectNode comparison(HtmlReportPage p) {
        ObjectNode c = StatsJson.JSON.createObjectNode();
        c.put("baseline", p.baseline == null ? "-" : p.baseline.id());
        c.set("observed", p.observed().stats());
        ArrayNode runs = c.putArray("runs");
        for (Run r : p.replays()) {
            ObjectNode o = runs.addObject();
            o.put("policy", r.policy());
            o.put("run", r.id());
            o.set("stats", r.stats());
            for (String k : vmalock.replay.Comparison.RUN_FIELDS) o.set(k, r.runJson().get(k));
        }
        if (p.calibration != null) {
            ObjectNode cal = c.putObject("calibration");
            cal.put("policy", p.kernelPolicy);
            cal.set("observed", p.observed().stats());
            cal.set("replayed", p.calibration.stats());
            ObjectNode rr = cal.putObject("replayed_run");
            for (String k : vmalock.replay.Comparison.RUN_FIELDS) rr.set(k, p.calibration.runJson().get(k));
        }
        return c;
    }

    /** The distinct modelling assumptions of the replays, each with the runs that state it (in page order). */
    Map<String, List<String>> assumptions() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (Run r : replays()) {
            for (JsonNode a : r.runJson().path("assumptions")) {
                m.computeIfAbsent(a.asText(), k -> new ArrayList<>()).add(r.id());
            }
        }
        return m;
    }

    /** The bundled reports the page is drawn from (named on the page so a reader can rerun them). */
    static final List<String> REPORTS = List.of("wait_cdf", "writer_waits", "reader_waits", "fallback_rates", "data_quality", "stats");
}
