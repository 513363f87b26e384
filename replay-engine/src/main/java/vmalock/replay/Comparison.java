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
            "fault_latency_us", "syscall_latency_us", "observed_syscall_latency_us", "syscall_latency_us_by_syscall",
            "observed_syscall_latency_us_by_syscall", "vma_write_wait_us", "observed_write_section_sleep_us", "faults_on_mmap_lock",
            "faults_on_mmap_lock_rate", "callers", "changed_ops", "no_change_reason", "defect_count",
            "address_spaces_stopped_at_defect", "caveats", "maps_reads", "sleeps", "inputs");

    /**
     * Replays {@code policies} (plus the calibration policy if missing) over {@code sources} and
     * builds the comparison. {@code baseline} null = the trace's kernel policy.
     */
    public static ObjectNode compare(Workspace ws, List<Manifest.Source> sources, List<PolicyPreset> policies,
                                     String baseline, ReplayOptions template, long faultCostNs) {
        return compare(ws, sources, policies, baseline, template, faultCostNs, true);
    }

    /**
     * {@code perMm} false: the statistics kept (observed, each run's) leave out {@code per_mm}, one entry per
     * address space — the table, CSV and Markdown layouts and the sweep never show it, and on a trace of
     * 100,000 address spaces the nine copies a compare holds took gigabytes of heap.
     */
    public static ObjectNode compare(Workspace ws, List<Manifest.Source> sources, List<PolicyPreset> policies,
                                     String baseline, ReplayOptions template, long faultCostNs, boolean perMm) {
        return compare(ws, sources, policies, baseline, template, faultCostNs, perMm, 1);
    }

    /**
     * As above, replaying up to {@code jobs} policies at once ({@code jobs} &lt;= 0: {@link #autoJobs}). The
     * document is the same whatever {@code jobs} is: each policy's replay and statistics do not depend on the
     * others, and the entries are put together in the order of {@code policies}.
     */
    public static ObjectNode compare(Workspace ws, List<Manifest.Source> sources, List<PolicyPreset> policies,
                                     String baseline, ReplayOptions template, long faultCostNs, boolean perMm, int jobs) {
        WorkspaceStats ow = WorkspaceStats.compute(ws, indexes(sources));
        long mms = ow.stats.perMm.size();
        long tasks = ow.stats.perComm.size();
        ObjectNode observed = withoutPerMm(StatsJson.build(ow), perMm);
        ow = null; // only the document is kept
        StatsJson.kernel(observed, sources); // as `stats --json` shows the trace
        if (jobs <= 0) jobs = autoJobs(ws, sources, template, policies.size(), mms, tasks);
        // the policies' shared work, built once the trace's address spaces and tasks are known (building it beside the
        // observed statistics ran a 100,000-task trace out of a 256 MB heap)
        List<Workload> work = shareWork(sources, template, mms, tasks)
                ? ReplayRunner.loadAll(ws, sources, faultCostNs, template.faultCostScale) : null;
        try {
            return compare(ws, sources, policies, baseline, template, faultCostNs, perMm, jobs, observed, work);
        } finally {
            ReplayRunner.closeAll(work);
        }
    }

    private static ObjectNode compare(Workspace ws, List<Manifest.Source> sources, List<PolicyPreset> policies,
                                      String baseline, ReplayOptions template, long faultCostNs, boolean perMm, int jobs,
                                      ObjectNode observed, List<Workload> work) {
        String kernelPolicy = null;
        ArrayNode runs = StatsJson.JSON.createArrayNode();
        ObjectNode calibrated = null;
        ObjectNode calibratedRun = null;
        for (PolicyRun run : PolicyRuns.run(ws, sources, policies, template, faultCostNs, perMm, jobs, work)) {
            if (kernelPolicy == null && !sources.isEmpty()) kernelPolicy = run.kernelPolicy();
            runs.add(entry(run.policy(), run.id(), run.stats(), run.json()));
            if (run.policy().equals(kernelPolicy)) {
                calibrated = run.stats();
                calibratedRun = run.json();
            }
        }
        if (kernelPolicy == null) kernelPolicy = "vma-refcount";
        if (calibrated == null) {
            // the trace's kernel policy was not asked for (e.g. vma-rwsem-6.4, outside 'all'): replay it
            // for the calibration, and as the first row when it is the baseline the deltas refer to
            PolicyRun run = PolicyRuns.one(ws, sources, PolicyPreset.preset(kernelPolicy), template, faultCostNs, perMm, work);
            calibrated = run.stats();
            calibratedRun = run.json();
            if (baseline == null) runs.insert(0, entry(kernelPolicy, run.id(), calibrated, run.json()));
        }
        ObjectNode out = assemble(observed, runs, baseline, kernelPolicy, calibrated, calibratedRun);
        kernelFields(out, runs.size() == 0 ? calibratedRun : runs.get(0));
        return out;
    }

    /** Heap a compare keeps for itself besides its replays (the observed statistics, the runs' documents, the JVM's own). */
    static final long BASE_HEAP = 64L << 20;

    /**
     * A generous estimate of the heap one policy's replay and the statistics of its run need at their peak: a
     * bounded part for the work held in memory ({@link WorkBuilder#DEFAULT_MEMORY_OPS} operations) and the
     * replay's buffers, plus 32 bytes per stored record (the run's replayed events' wait, hold and latency
     * samples, held as ints, and what reading them allocates) and 4 KiB per address space and per task (the
     * builder's per-task state, the traced VMA layouts, the statistics' per-mm and per-comm tables). For scale:
     * the heap after collections stayed under 230 MiB for 9.5 M records and 5,826 address spaces (one job).
     */
    static long replayHeap(List<Manifest.Source> sources, long addressSpaces, long tasks) {
        return (48L << 20) + 32 * Workspace.records(sources) + 4096 * (addressSpaces + tasks);
    }

    /**
     * How many policies compare replays at once by default: 2 (on two or more processors) when the heap holds
     * two replays' {@link #replayHeap} beside {@link #BASE_HEAP}, else 1; 1 for a filtered workspace (the filter
     * counts what it reads) or a live replay (wall-clock timing).
     */
    static int autoJobs(Workspace ws, List<Manifest.Source> sources, ReplayOptions template, int policies,
                        long addressSpaces, long tasks) {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (cpus < 2 || policies < 2 || ws.filter() != null || template.live) return 1;
        long need = replayHeap(sources, addressSpaces, tasks);
        return Runtime.getRuntime().maxMemory() >= BASE_HEAP + 2 * need ? 2 : 1;
    }

    /**
     * Whether compare builds the sources' work once and replays every policy from it (the work depends on the sources,
     * the fault cost and its scale, never on the policy): when the heap holds two replays' {@link #replayHeap} beside
     * {@link #BASE_HEAP} (the shared work, held until the last policy's statistics, is less than one replay's part),
     * else each replay builds its own and drops it before its run's statistics, as the smallest heaps need; never for
     * a live replay. The output is the same either way; {@code -Dvmalock.compare.share=off} turns it off.
     */
    static boolean shareWork(List<Manifest.Source> sources, ReplayOptions template, long addressSpaces, long tasks) {
        if (template.live || "off".equals(System.getProperty("vmalock.compare.share"))) return false;
        return Runtime.getRuntime().maxMemory() >= BASE_HEAP + 2 * replayHeap(sources, addressSpaces, tasks);
    }

    /** One policy's stored run as compare keeps it: its id, the trace's kernel policy, its statistics and run.json. */
    record PolicyRun(String policy, String id, String kernelPolicy, ObjectNode stats, ObjectNode json) {}

    private static ObjectNode withoutPerMm(ObjectNode stats, boolean keep) {
        if (!keep) stats.remove("per_mm");
        return stats;
    }

    /**
     * The trace's kernel as the replay took it ({@code kernel_policy}, {@code kernel_policy_basis},
     * {@code kernel_policy_guessed}, from a run's {@code inputs}) and the capture's /proc/vmstat counters
     * (from the observed statistics) next to the calibration: compare's and the fleet job's alike.
     */
    public static void kernelFields(ObjectNode out, JsonNode run) {
        JsonNode observed = out.get("observed");
        JsonNode vms = observed == null ? null : observed.get("vmstat_vma_lock");
        if (out.has("calibration") && vms != null && !vms.isNull()) {
            // what CONFIG_PER_VMA_LOCK_STATS counted during the capture, against the replay's own count
            ((ObjectNode) out.get("calibration")).set("vmstat_vma_lock", vms);
        }
        JsonNode in = run == null ? null : run.path("inputs").path(0);
        if (in != null && in.has("kernel_policy_basis")) {
            out.put("kernel_policy", in.get("kernel_policy").asText());
            out.put("kernel_policy_basis", in.get("kernel_policy_basis").asText());
            out.put("kernel_policy_guessed", in.get("kernel_policy_guessed").asBoolean());
        }
    }

    /** A run's entry in compare's {@code runs}: policy, run id, its statistics, the {@link #RUN_FIELDS} of its run.json. */
    public static ObjectNode entry(String policy, String runId, ObjectNode stats, JsonNode runJson) {
        ObjectNode r = StatsJson.JSON.createObjectNode();
        r.put("policy", policy);
        r.put("run", runId);
        r.set("stats", stats);
        for (String k : RUN_FIELDS) r.set(k, runJson.get(k));
        return r;
    }

    /**
     * compare's document from the observed statistics and the run entries (also the fleet job's, whose runs
     * are computed in separate tasks): deltas against the baseline, the calibration block. {@code calibrated}
     * null: no calibration block (the kernel policy was not replayed).
     */
    public static ObjectNode assemble(ObjectNode observed, ArrayNode runs, String baseline, String kernelPolicy,
                                      JsonNode calibrated, JsonNode calibratedRun) {
        ObjectNode out = StatsJson.JSON.createObjectNode();
        String base = baseline != null ? baseline : kernelPolicy;
        JsonNode baseRun = null;
        for (JsonNode r : runs) {
            if (baseRun == null && (r.get("policy").asText().equals(base) || r.get("run").asText().equals(base))) baseRun = r;
        }
        if (baseRun != null) for (JsonNode r : runs) ((ObjectNode) r).set("deltas", deltas(r, baseRun));
        out.put("baseline", baseline != null ? baseline : kernelPolicy);
        out.set("observed", observed);
        out.set("runs", runs);
        if (calibrated == null) return out;
        ObjectNode cal = out.putObject("calibration");
        cal.put("policy", kernelPolicy);
        cal.set("observed", observed);
        cal.set("replayed", calibrated);
        ObjectNode rr = cal.putObject("replayed_run");
        for (String k : RUN_FIELDS) rr.set(k, calibratedRun.get(k));
        return out;
    }

    /** The deltas of {@link #deltas} and where each figure lives in a run entry. */
    public static final String[][] DELTAS = {
        {"faults_per_s_pct", "faults_per_s"},
        {"fault_latency_p99_us", "fault_latency_us", "p99"},
        {"fault_latency_sum_us", "fault_latency_us", "sum"},
        {"writer_wait_sum_us", "stats", "writer_wait_us", "sum"},
        {"reader_wait_sum_us", "stats", "reader_wait_us", "sum"},
        {"syscall_latency_p99_us", "syscall_latency_us", "p99"},
        {"makespan_us", "makespan_us"}};

    /**
     * A run's deltas against the baseline run, each over the same population under every policy (every
     * replayed fault, every replayed VMA syscall, every mmap_lock acquisition the replay traced);
     * faults_per_s as a percentage of the baseline's.
     */
    public static ObjectNode deltas(JsonNode run, JsonNode base) {
        ObjectNode d = StatsJson.JSON.createObjectNode();
        boolean cut = run.path("address_spaces_stopped_at_defect").asLong() > 0; // fewer operations: no deltas
        for (String[] f : DELTAS) {
            JsonNode a = run, b = base;
            for (int k = 1; k < f.length; k++) {
                a = a == null ? null : a.get(f[k]);
                b = b == null ? null : b.get(f[k]);
            }
            if (cut || a == null || b == null || a.isNull() || b.isNull()) {
                d.putNull(f[0]);
            } else if (f[0].endsWith("_pct")) {
                d.put(f[0], b.asDouble() == 0 ? 0.0 : Math.round(1000 * 100 * (a.asDouble() - b.asDouble()) / b.asDouble()) / 1000.0);
            } else {
                d.put(f[0], Math.round(1000 * (a.asDouble() - b.asDouble())) / 1000.0);
            }
        }
        return d;
    }

    /**
     * compare --sweep: the comparison again with each uncertain parameter varied — per-VMA fault cost ×½
     * and ×2, wake-up latency off (0) instead of sampled, the single-queue scheduler instead of EEVDF, EEVDF with the
     * other DELAY_DEQUEUE setting, two more seeds — and, per run and delta, the
     * range over the variants and whether its sign held in every one (a delta under 1 % of the baseline's
     * figure counts as no change).
     */
    public static ObjectNode sweep(Workspace ws, List<Manifest.Source> sources, List<PolicyPreset> policies,
                                   String baseline, ReplayOptions template, long faultCostNs, ObjectNode main) {
        return sweep(ws, sources, policies, baseline, template, faultCostNs, main, 1);
    }

    /** As above, each variant's policies replayed {@code jobs} at a time (see {@link #compare}). */
    public static ObjectNode sweep(Workspace ws, List<Manifest.Source> sources, List<PolicyPreset> policies,
                                   String baseline, ReplayOptions template, long faultCostNs, ObjectNode main, int jobs) {
        List<ReplayOptions> variants = new java.util.ArrayList<>();
        List<String> names = new java.util.ArrayList<>();
        ReplayOptions v;
        v = copy(template); v.faultCostScale = template.faultCostScale * 0.5; variants.add(v); names.add("fault cost x0.5");
        v = copy(template); v.faultCostScale = template.faultCostScale * 2; variants.add(v); names.add("fault cost x2");
        if (template.wakeLatencyNs != 0) {
            v = copy(template); v.wakeLatencyNs = 0; variants.add(v); names.add("wake latency 0");
        }
        if (template.eevdf) { // the scheduler is the model's least certain part: the earlier single-queue one
            v = copy(template); v.eevdf = false; v.wakeupPreemption = true; variants.add(v);
            names.add("scheduler on (one run queue, a woken task preempts at once)");
            // DELAY_DEQUEUE: closer to the kernel on who preempts whom, further on the counterfactual (docs/replay.md)
            v = copy(template); v.delayDequeue = !template.delayDequeue; variants.add(v);
            names.add(v.delayDequeue ? "delay dequeue on" : "delay dequeue off");
        }
        if (template.wakeLatencyNs != 0) { // a VMA writer woken before it is off its CPU: how long that takes is sampled
            v = copy(template); v.rcuwaitSwitchOut = !template.rcuwaitSwitchOut; variants.add(v);
            names.add(v.rcuwaitSwitchOut ? "rcuwait switch-out on" : "rcuwait switch-out off");
        }
        v = copy(template); v.wakerCost = !template.wakerCost; variants.add(v); // the waker's cost of a wake-up is sampled
        names.add(v.wakerCost ? "waker cost on" : "waker cost off");
        v = copy(template); v.seed = template.seed + 1; variants.add(v); names.add("seed " + v.seed);
        v = copy(template); v.seed = template.seed + 2; variants.add(v); names.add("seed " + v.seed);
        List<ObjectNode> outs = new java.util.ArrayList<>();
        for (ReplayOptions o : variants) outs.add(compare(ws, sources, policies, baseline, o, faultCostNs, false, jobs));
        ObjectNode sw = StatsJson.JSON.createObjectNode();
        ArrayNode vs = sw.putArray("variants");
        for (String n : names) vs.add(n);
        ObjectNode per = sw.putObject("runs");
        for (JsonNode r : main.get("runs")) {
            String policy = r.get("policy").asText();
            JsonNode d0 = r.get("deltas");
            if (d0 == null || policy.equals(main.get("baseline").asText())) continue;
            ObjectNode pr = per.putObject(policy);
            for (String[] f : DELTAS) {
                ObjectNode x = pr.putObject(f[0]);
                JsonNode a = d0.get(f[0]);
                if (a == null || a.isNull()) {
                    x.putNull("value");
                    continue;
                }
                double lo = a.asDouble(), hi = a.asDouble();
                int sign0 = sign(a.asDouble(), baseFigure(main, f));
                boolean stable = true;
                for (ObjectNode o : outs) {
                    JsonNode rv = run(o, policy);
                    JsonNode dv = rv == null || rv.get("deltas") == null ? null : rv.get("deltas").get(f[0]);
                    if (dv == null || dv.isNull()) continue;
                    lo = Math.min(lo, dv.asDouble());
                    hi = Math.max(hi, dv.asDouble());
                    if (sign(dv.asDouble(), baseFigure(o, f)) != sign0) stable = false;
                }
                x.put("value", a.asDouble());
                x.put("min", lo);
                x.put("max", hi);
                x.put("sign_stable", stable);
            }
        }
        return sw;
    }

    /** The baseline run's figure a delta is relative to (for the 1 % no-change band). */
    private static double baseFigure(JsonNode comparison, String[] f) {
        String base = comparison.get("baseline").asText();
        JsonNode b = null;
        for (JsonNode r : comparison.get("runs")) {
            if (r.get("policy").asText().equals(base) || r.get("run").asText().equals(base)) {
                b = r;
                break;
            }
        }
        if (f[0].endsWith("_pct")) return 100;
        for (int k = 1; k < f.length && b != null; k++) b = b.get(f[k]);
        return b == null || b.isNull() ? 0 : Math.abs(b.asDouble());
    }

    private static int sign(double d, double base) {
        if (Math.abs(d) <= 0.01 * base || d == 0) return 0;
        return d > 0 ? 1 : -1;
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
        return t.copy();
    }
}
