package vmalock.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import vmalock.replay.PolicyPreset;
import vmalock.replay.ReplayOptions;
import vmalock.replay.ReplayRunner;
import vmalock.stats.StatsJson;
import vmalock.store.Manifest;
import vmalock.store.StoreException;
import vmalock.store.Workspace;

/**
 * {@code vmalock replay -w DIR --policy P [--policy Q …|--all] [--set …] [--seed N] [--json]}: replays the
 * workspace's traces under locking policies on the deterministic simulator and stores each run.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Re-run the captured work under other locking policies in a deterministic simulation of the "
                + "kernel's locks (virtual time, ns): each traced task replays its faults, mmap_lock readers and write "
                + "sections in order; the policy chooses each acquisition, the lock model decides who waits.",
            "Each run is stored as DIR/runs/RUN-ID (events in the workspace format, run.json with parameters, counters, "
                + "defects and every modelling assumption): 'vmalock stats -w DIR --run RUN-ID' measures it like a trace.",
            "Same workspace + policy + seed ⇒ byte-identical output. Times in µs."})
public final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-w", "--workspace"}, required = true, paramLabel = "DIR", description = "workspace directory")
    Path workspace;

    @Option(names = "--policy", paramLabel = "P", description = "a policy (see 'vmalock policies'); repeatable")
    List<String> policies;

    @Option(names = "--all", description = "every named policy")
    boolean all;

    @Option(names = "--set", paramLabel = "K=V,…",
            description = "compose a policy over the first --policy (default vma-refcount): lock=none|rwsem|refcount, "
                    + "fault=mmap-only|vma-lock-fallback|rcu-wait|start-read-unlocked|start-read-unlocked-v2, "
                    + "remote=mmap-read-lock|vma-lock-fast-path, other=<reader strategy>, smp=required|no")
    String set;

    @Option(names = "--json", description = "print each run's record (run.json plus its stats) as JSON")
    boolean json;

    @Option(names = "--live", description = "run the work on real threads against the real-thread lock driver: "
            + "wall-clock results, NOT deterministic (a stress test of the Java locks); run id POLICY-sSEED-live")
    boolean live;

    @Mixin
    ReplayParams params;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<PolicyPreset> list;
        ReplayOptions template;
        long faultCost;
        try {
            list = selectPolicies(policies, all, set);
            template = params.options();
            template.live = live;
            if (live && template.cpus >= 0) throw new IllegalArgumentException("--live runs one thread per task: --cpus does not apply");
            faultCost = params.faultCostNs();
        } catch (IllegalArgumentException e) {
            return Failure.report(err, e.getMessage(), ExitCode.USAGE);
        }
        try (Workspace ws = Workspace.open(workspace)) {
            List<Manifest.Source> sources = ws.sources(params.sources);
            if (sources.isEmpty()) throw new StoreException(ws.dir() + ": the workspace has no ingested sources");
            LossyWarning.print(err, "replay", sources);
            String filterLine;
            try {
                filterLine = params.applyFilter(ws, sources, template);
            } catch (IllegalArgumentException e) {
                return Failure.report(err, e.getMessage(), ExitCode.USAGE);
            }
            if (filterLine != null && !json) out.println(filterLine);
            Progress bar = Progress.steps("replay", list.size());
            template.onRun = bar::step; // one step per policy
            ArrayNode records = StatsJson.JSON.createArrayNode();
            ReplaySummaryWriter text = new ReplaySummaryWriter(out);
            List<String> assumptions = null;
            boolean warned = false;
            for (PolicyPreset p : list) {
                ReplayOptions o = copyWith(template, p);
                ReplayRunner.Run run = ReplayRunner.run(ws, sources, o, faultCost);
                for (com.fasterxml.jackson.databind.JsonNode in : run.json.path("inputs")) {
                    if (!warned && in.path("kernel_policy_guessed").asBoolean(false)) {
                        err.println("vmalock: warning: the trace's kernel policy " + in.get("kernel_policy").asText() + " "
                                + in.get("kernel_policy_basis").asText());
                        err.flush();
                        warned = true;
                    }
                }
                ObjectNode stats = ReplayRunner.stats(ws.dir(), run.id);
                if (json) {
                    ObjectNode rec = run.json.deepCopy();
                    rec.set("stats", stats);
                    records.add(rec);
                } else {
                    text.run(run, stats, ws.dir());
                }
                assumptions = ReplayRunner.assumptions(o, faultCost);
            }
            bar.stop();
            if (json) {
                out.println(StatsJson.JSON.writeValueAsString(records));
            } else {
                text.assumptions(assumptions);
            }
            out.flush();
            // the stored runs into the database now, not on the first report (issue 13); the output is printed
            if (filterLine == null) RunTablesAfterReplay.load(ws);
            return ExitCode.OK;
        } catch (StoreException e) {
            return Failure.report(err, e.getMessage(), ExitCode.WORKSPACE);
        } catch (IOException e) {
            return Failure.report(err, "cannot write output: " + e.getMessage(), ExitCode.WORKSPACE);
        }
    }

    /**
     * --policy…/--all/--set → the policies to run, in the order given (presets in table order for --all;
     * 'all' is every preset that stands for a kernel or a patch, the hypothetical ones only by name).
     */
    static List<PolicyPreset> selectPolicies(List<String> names, boolean all, String set) {
        List<PolicyPreset> list = new ArrayList<>();
        if (all) list.addAll(PolicyPreset.standard());
        if (names != null) {
            for (String n : names) {
                for (String x : n.split(",")) {
                    if (x.isBlank()) continue;
                    if (x.trim().equals("all")) {
                        for (PolicyPreset p : PolicyPreset.standard()) if (!list.contains(p)) list.add(p);
                        continue;
                    }
                    PolicyPreset p = PolicyPreset.preset(x.trim());
                    if (!list.contains(p)) list.add(p);
                }
            }
        }
        if (set != null) {
            PolicyPreset base = names != null && !names.isEmpty() && !list.isEmpty() ? list.get(0) : PolicyPreset.preset("vma-refcount");
            list.add(PolicyPreset.compose(set, base));
        }
        if (list.isEmpty()) throw new IllegalArgumentException("give --policy P (see 'vmalock policies'), --all or --set");
        return list;
    }

    static ReplayOptions copyWith(ReplayOptions t, PolicyPreset p) {
        return t.copy().policy(p);
    }
}
