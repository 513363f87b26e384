package vmalock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import vmalock.db.ObservedRun;
import vmalock.replay.ReplayRunner;
import vmalock.stats.StatsJson;
import vmalock.store.Manifest;
import vmalock.store.Workspace;

/**
 * Replay runs made before a later ingest (or removal) replayed other sources than the workspace holds
 * now: each run's {@code run.json} records what it replayed ({@code inputs}: source index and checksum),
 * so such a run is recognised as stale and is not shown as if it were comparable with the observed trace.
 */
final class StaleRuns {
    private StaleRuns() {
    }

    /** "index:checksum" of every source. */
    private static Set<String> current(Workspace ws) {
        Set<String> s = new TreeSet<>();
        for (Manifest.Source x : ws.manifest().sources) s.add(x.index + ":" + x.checksum);
        return s;
    }

    /** Whether a run.json replayed exactly the workspace's current sources. */
    static boolean isStale(Workspace ws, JsonNode runJson) {
        Set<String> replayed = new TreeSet<>();
        for (JsonNode in : runJson.path("inputs")) replayed.add(in.path("source").asInt() + ":" + in.path("checksum").asText());
        return !replayed.equals(current(ws));
    }

    /** The ids of the stored runs that replayed other sources than the workspace holds now. */
    static List<String> of(Workspace ws) {
        List<String> stale = new ArrayList<>();
        for (String id : ObservedRun.replayIds(ws.dir())) {
            Path f = ReplayRunner.runDir(ws.dir(), id).resolve(ReplayRunner.RUN_FILE);
            try {
                if (isStale(ws, StatsJson.JSON.readTree(Files.readString(f)))) stale.add(id);
            } catch (IOException e) {
                // a damaged run.json is reported by the load itself
            }
        }
        return stale;
    }

    /** The warning for these runs, or null if none. */
    static String warning(List<String> stale) {
        if (stale.isEmpty()) return null;
        return "warning: stale replay runs (" + String.join(", ", stale) + "): they replayed other sources than the "
                + "workspace holds now (a later ingest), so they are not comparable with the observed figures; run "
                + "replay or compare again";
    }

    /** Prints the warning, if any, as {@code vmalock CMD: warning: …}. */
    static void print(PrintWriter err, String cmd, Workspace ws) {
        String w = warning(of(ws));
        if (w != null) {
            err.println("vmalock " + cmd + ": " + w);
            err.flush();
        }
    }
}
