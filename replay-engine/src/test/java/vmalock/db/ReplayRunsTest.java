package vmalock.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vmalock.replay.PolicyPreset;
import vmalock.replay.ReplayOptions;
import vmalock.replay.ReplayRunner;
import vmalock.stats.StatsJson;
import vmalock.store.Ingester;
import vmalock.store.Workspace;

/**
 * A stored replay run lands in the workspace database under its run id: its stats by SQL equal the
 * replay's own (Java) stats, its vma_lock counters are in {@code counters}, and policy_compare lines it up
 * against the observed run with deltas.
 */
class ReplayRunsTest {
    @TempDir
    Path tmp;

    @Test
    void replayRunsAreLoadedUnderTheirIdAndCompared() throws Exception {
        Path dir = tmp.resolve("ws");
        try (Workspace ws = Workspace.forIngest(dir)) {
            Ingester.ingest(ws, Traces.shared("ftrace-overlap-default.txt"), null, false, null);
        }
        String id;
        try (Workspace ws = Workspace.open(dir)) {
            ReplayOptions o = new ReplayOptions().policy(PolicyPreset.preset("no-vma-lock")).seed(1);
            id = ReplayRunner.run(ws, ws.manifest().sources, o, -1).id;
        }
        try (Workspace ws = Workspace.open(dir); WorkspaceDb db = ObservedRun.open(ws)) {
            assertEquals(List.of(RunInfo.OBSERVED, id), db.runs());
            assertEquals(StatsJson.JSON.writeValueAsString(ReplayRunner.stats(dir, id)),
                    StatsJson.JSON.writeValueAsString(SqlStats.build(db, id)));
            QueryRunner qr = new QueryRunner(db, List.of(), Map.of("baseline", RunInfo.OBSERVED), null);
            ResultTable cmp = qr.run(QueryLibrary.bundled().get("policy_compare")).get(0);
            assertEquals(2, cmp.rows().size());
            Object[] replay = cmp.rows().get(1);
            assertEquals(id, replay[0]);
            assertEquals("no-vma-lock", replay[1]);
            int rate = cmp.columns().indexOf("fallback_rate_strict");
            // no per-VMA lock: every fault takes mmap_lock, so the fallback rate rises
            assertTrue(((Number) replay[rate]).doubleValue() > ((Number) cmp.rows().get(0)[rate]).doubleValue(),
                    "no-vma-lock fallback rate " + replay[rate]);
            assertTrue(((Number) replay[cmp.columns().indexOf("d_fallback_rate_strict")]).doubleValue() > 0);
            ResultTable vl = qr.run(QueryLibrary.bundled().get("vma_lock_counters")).get(0);
            assertEquals(id, vl.rows().get(1)[0]);
            assertTrue(vl.rows().get(1)[vl.columns().indexOf("vma_lock_success")] != null);
        }
        // opening again reuses the loaded runs
        try (Workspace ws = Workspace.open(dir); WorkspaceDb db = ObservedRun.open(ws)) {
            assertEquals(2, db.runs().size());
        }
    }
}
