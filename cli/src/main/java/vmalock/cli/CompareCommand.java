package vmalock.cli;

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
import vmalock.replay.Comparison;
import vmalock.replay.PolicyPreset;
import vmalock.stats.StatsJson;
import vmalock.store.Manifest;
import vmalock.store.StoreException;
import vmalock.store.Workspace;

/**
 * {@code vmalock compare -w DIR [--policies a,b,…|all] [--baseline P] [--format table|json|csv|markdown]}:
 * replays the workspace under several policies and compares them, with deltas against a baseline and a
 * calibration block (observed vs replayed under the policy of the kernel that produced the trace).
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Replay the workspace under several policies and compare them: faults per second, fault latency, "
                + "faults completed under mmap_lock, mmap_lock writer/reader wait sums, VMA-syscall latency (µs), with "
                + "deltas against a baseline (default: the policy of the kernel that produced the trace — vma-refcount "
                + "when its events carry memcg_id); --wide adds fallback rate, vma_lock counters, wait percentiles, "
                + "holds, defects and makespan.",
            "Always shows the calibration: observed vs replayed wait sums, p99 and maxima, VMA-syscall latency, the VMA "
                + "writers' waits (against the trace's sleeps inside write sections, inferred from sched_switch) and "
                + "fallback rate under that kernel's policy, with a verdict per row. Every replay is measured by the "
                + "same code as 'vmalock stats'. With sched_switch events in the trace the replay is closed-loop on the "
                + "traced machine's CPUs (see --timing)."})
public final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-w", "--workspace"}, required = true, paramLabel = "DIR", description = "workspace directory")
    Path workspace;

    @Option(names = "--policies", split = ",", paramLabel = "P", defaultValue = "all",
            description = "policies to compare, comma-separated, or 'all' (default)")
    List<String> policies;

    @Option(names = "--baseline", paramLabel = "P", description = "policy the deltas are against (default: the trace's kernel policy)")
    String baseline;

    @Option(names = "--sweep", description = "sensitivity: re-run with the uncertain parameters varied (per-VMA fault "
            + "cost x0.5 and x2, wake-up latency 0 instead of sampled, the single-queue scheduler instead of eevdf, "
            + "eevdf with the other --delay-dequeue setting, the other --rcuwait-switch-out and --waker-cost settings, two more seeds) and "
            + "mark every delta whose sign is not the same in every variant (about 10x the time)")
    boolean sweep;

    @Option(names = "--wide", description = "the table with every figure (default: the figures a policy is judged by, "
            + "fitting 100 columns)")
    boolean wide;

    @Option(names = "--format", paramLabel = "FMT", defaultValue = "table",
            description = "table (default), json, csv or markdown")
    String format;

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "0",
            description = "policies replayed at once (0 = two on a machine of two or more cores when the Java heap "
            + "holds two replays, else one); the output does not depend on it")
    int jobs;

    @Mixin
    ReplayParams params;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<PolicyPreset> list;
        long faultCost;
        CompareWriter.Format fmt;
        try {
            list = ReplayCommand.selectPolicies(policies, false, null);
            if (baseline != null) {
                PolicyPreset b = PolicyPreset.preset(baseline);
                if (!list.contains(b)) list = withFirst(list, b);
            }
            fmt = CompareWriter.Format.parse(format);
            if (jobs < 0) throw new IllegalArgumentException("--jobs must be 0 (automatic) or more, not " + jobs);
            faultCost = params.faultCostNs();
            params.options();
        } catch (IllegalArgumentException e) {
            return Failure.report(err, e.getMessage(), ExitCode.USAGE);
        }
        try (Workspace ws = Workspace.open(workspace)) {
            List<Manifest.Source> sources = ws.sources(params.sources);
            if (sources.isEmpty()) throw new StoreException(ws.dir() + ": the workspace has no ingested sources");
            LossyWarning.print(err, "compare", sources);
            vmalock.replay.ReplayOptions template = params.options();
            String filterLine;
            try {
                filterLine = params.applyFilter(ws, sources, template);
            } catch (IllegalArgumentException e) {
                return Failure.report(err, e.getMessage(), ExitCode.USAGE);
            }
            Progress bar = Progress.steps("compare", list.size()); // the calibration run or --sweep may add steps
            template.onRun = id -> {
                synchronized (bar) { // policies may run at once (--jobs)
                    bar.step(id);
                }
            };
            // per_mm (one entry per address space, in every run's statistics) only where it is printed
            ObjectNode c = Comparison.compare(ws, sources, list, baseline, template, faultCost, fmt == CompareWriter.Format.JSON,
                    jobs);
            if (filterLine != null) {
                c.put("filter", template.filter);
                if (fmt == CompareWriter.Format.TABLE || fmt == CompareWriter.Format.MARKDOWN) out.println(filterLine);
                else err.println("vmalock: " + filterLine); // JSON has "filter"; CSV stays one table
            }
            if (sweep) {
                c.set("sweep", Comparison.sweep(ws, sources, list, baseline, template, faultCost, c, jobs));
                // the variants stored runs of their own; the main runs stay as they were (other run ids)
            }
            bar.stop();
            if (c.path("kernel_policy_guessed").asBoolean(false)) {
                err.println("vmalock: warning: baseline " + c.get("kernel_policy").asText() + " " + c.get("kernel_policy_basis").asText());
                err.flush();
            }
            if (fmt == CompareWriter.Format.JSON) {
                out.println(StatsJson.JSON.writeValueAsString(c));
            } else {
                new CompareWriter(out, fmt, wide).write(c);
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

    private static List<PolicyPreset> withFirst(List<PolicyPreset> l, PolicyPreset b) {
        List<PolicyPreset> r = new ArrayList<>();
        r.add(b);
        r.addAll(l);
        return r;
    }
}
