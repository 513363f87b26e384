package vmalock.replay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import vmalock.store.Manifest;
import vmalock.store.Workspace;

/**
 * compare's replays of its policies: one after the other, or {@code jobs} at once (each policy's replay, stored
 * run and statistics depend on nothing another policy's do, and the results are returned in the order of the
 * policies, so the comparison is the same). A policy that runs out of heap beside another is replayed again
 * once the others are done, alone: a replay is deterministic, and a run is published only when complete.
 */
final class PolicyRuns {
    private PolicyRuns() {}

    /**
     * Replays {@code p} and measures its stored run ({@code per_mm} left out unless {@code perMm}); {@code work}: the
     * sources' work shared by the policies ({@link ReplayRunner#loadAll}), or null to build it for this replay.
     */
    static Comparison.PolicyRun one(Workspace ws, List<Manifest.Source> sources, PolicyPreset p, ReplayOptions template,
                                    long faultCostNs, boolean perMm, List<Workload> work) {
        ReplayRunner.Run run = ReplayRunner.run(ws, sources, template.copy().policy(p), faultCostNs, work);
        ObjectNode s = ReplayRunner.stats(ws.dir(), run.id);
        if (!perMm) s.remove("per_mm");
        return new Comparison.PolicyRun(p.name, run.id, run.kernelPolicy, s, run.json);
    }

    /**
     * Every policy's run, in the order of {@code policies}, with up to {@code jobs} replays at once, all of them
     * replaying {@code work} when it is not null (the sources' work, built once).
     */
    static List<Comparison.PolicyRun> run(Workspace ws, List<Manifest.Source> sources, List<PolicyPreset> policies,
                                          ReplayOptions template, long faultCostNs, boolean perMm, int jobs,
                                          List<Workload> work) {
        List<Comparison.PolicyRun> out = new ArrayList<>(policies.size());
        if (jobs <= 1 || policies.size() < 2) {
            for (PolicyPreset p : policies) out.add(one(ws, sources, p, template, faultCostNs, perMm, work));
            return out;
        }
        // the cores are shared between the policies: each replay's per-address-space workers get their part
        ReplayOptions shared = template.copy();
        if (shared.threads <= 0) shared.threads = Math.max(1, Runtime.getRuntime().availableProcessors() / jobs);
        AtomicBoolean alone = new AtomicBoolean(); // set once a replay ran out of heap beside another
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(jobs, policies.size()), r -> {
            Thread t = new Thread(r, "vmalock-compare");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Comparison.PolicyRun>> fs = new ArrayList<>();
            for (PolicyPreset p : policies) {
                fs.add(pool.submit(() -> alone.get() ? null : one(ws, sources, p, shared, faultCostNs, perMm, work)));
            }
            for (Future<Comparison.PolicyRun> f : fs) {
                try {
                    out.add(f.get());
                } catch (ExecutionException x) {
                    if (!(x.getCause() instanceof OutOfMemoryError)) {
                        stop(pool);
                        throw rethrow(x.getCause()); // the first policy's error in their order, as one at a time
                    }
                    alone.set(true);
                    out.add(null);
                }
            }
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
            stop(pool);
            throw new IllegalStateException("compare interrupted", x);
        } finally {
            pool.shutdown();
        }
        for (int k = 0; k < out.size(); k++) {
            if (out.get(k) == null) out.set(k, one(ws, sources, policies.get(k), template, faultCostNs, perMm, work));
        }
        return out;
    }

    /** Cancels the replays not started and waits for the running ones (each removes its stage when it fails). */
    private static void stop(ExecutorService pool) {
        pool.shutdownNow();
        try {
            pool.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static RuntimeException rethrow(Throwable c) {
        if (c instanceof RuntimeException r) return r;
        if (c instanceof Error e) throw e;
        return new IllegalStateException(c);
    }
}
