package vmalock.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import vmalock.stats.StatsJson;
import vmalock.stats.WorkspaceStats;
import vmalock.store.Manifest;
import vmalock.store.Workspace;

/**
 * {@code compare}'s result: the observed statistics, one entry per replayed policy (its statistics
 * measured from its stored events by the same code as the trace's, its vma_lock counters, retries,
 * defects and makespan), and the calibration block (observed vs the policy of the kernel that made the
 * trace). The JSON shape is the one of the replay issue:
 * <pre>{"baseline": P, "observed": S, "runs": [{"policy", "run", "stats": S, "vma_lock": {…},
 *   "retries", "defects": […], "makespan_us"}, …], "calibration": {"policy", "observed": S, "replayed": S}}</pre>
 */
public final class Comparison {
    private Comparison() {}

    /** The fields of a run's run.json that its compare entry carries (besides policy, run and stats). */
    public static final List<String> RUN_FIELDS = List.of("vma_lock", "retries", "defects", "makespan_us", "faults_per_s",
            "fault_latency_us", "syscall_latency_us", "observed_syscall_latency_us", "faults_on_mmap_lock",
            "faults_on_mmap_lock_rate", "inputs");

    /**
     * Replays {@code policies} (plus the calibration policy if missing) over {@code sources} and
     * builds the comparison. {@code baseline} null = the trace's kernel policy.
     */
    public static ObjectNode compare(Workspace ws, List<Manifest.Source> sources, List<PolicyPreset> policies,
                                     String baseline, ReplayOptions template, long faultCostNs) {
        ObjectNode observed = StatsJson.build(WorkspaceStats.compute(ws, indexes(sources)));
        String kernelPolicy = null;
        ObjectNode out = StatsJson.JSON.createObjectNode();
        ArrayNode runs = StatsJson.JSON.createArrayNode();
        ObjectNode calibrated = null;
        ObjectNode calibratedRun = null;
        for (PolicyPreset p : policies) {
            ReplayOptions o = copy(template).policy(p);
            ReplayRunner.Run run = ReplayRunner.run(ws, sources, o, faultCostNs);
            if (kernelPolicy == null && !run.workloads.isEmpty()) kernelPolicy = run.workloads.get(0).kernelPolicy();
            ObjectNode r = runs.addObject();
            r.put("policy", p.name);
            r.put("run", run.id);
            ObjectNode s = ReplayRunner.stats(ws.dir(), run.id);
            r.set("stats", s);
            for (String k : RUN_FIELDS) r.set(k, run.json.get(k));
            if (p.name.equals(kernelPolicy)) {
                calibrated = s;
                calibratedRun = run.json;
            }
        }
        if (kernelPolicy == null) kernelPolicy = "vma-refcount";
        if (calibrated == null) {
            ReplayOptions o = copy(template).policy(PolicyPreset.preset(kernelPolicy));
            ReplayRunner.Run run = ReplayRunner.run(ws, sources, o, faultCostNs);
            calibrated = ReplayRunner.stats(ws.dir(), run.id);
            calibratedRun = run.json;
        }
        out.put("baseline", baseline != null ? baseline : kernelPolicy);
        out.set("observed", observed);
        out.set("runs", runs);
        ObjectNode cal = out.putObject("calibration");
        cal.put("policy", kernelPolicy);
        cal.set("observed", observed);
        cal.set("replayed", calibrated);
        ObjectNode rr = cal.putObject("replayed_run");
        for (String k : RUN_FIELDS) rr.set(k, calibratedRun.get(k));
        return out;
    }

    /** The run entry of {@code policy} in a comparison, or null. */
    public static JsonNode run(JsonNode comparison, String policy) {
        for (JsonNode r : comparison.get("runs")) if (r.get("policy").asText().equals(policy)) return r;
        return null;
    }

    private static List<Integer> indexes(List<Manifest.Source> sources) {
        return sources.stream().map(s -> s.index).toList();
    }

    static ReplayOptions copy(ReplayOptions t) {
        ReplayOptions o = new ReplayOptions();
        o.policy = t.policy;
        o.seed = t.seed;
        o.cpus = t.cpus;
        o.check = t.check;
        o.emit = t.emit;
        o.threads = t.threads;
        o.windowNs = t.windowNs;
        o.resolutionNs = t.resolutionNs;
        o.acquireCostNs = t.acquireCostNs;
        o.timing = t.timing;
        o.wakeLatencyNs = t.wakeLatencyNs;
        return o;
    }
}
