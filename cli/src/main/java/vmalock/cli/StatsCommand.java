package vmalock.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import vmalock.stats.StatsJson;
import vmalock.stats.WorkspaceStats;
import vmalock.store.StoreException;
import vmalock.store.Workspace;

/** {@code vmalock stats -w DIR [--json] [--source N,…]}: observed statistics of the stored events. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = {"Observed mmap_lock statistics of the events in a workspace: acquisitions, the fallback rate "
                + "(user page faults that fell back from the per-VMA lock to mmap_lock), lock wait and hold times "
                + "(µs; ticks for counter clocks), lost events, per-mm and per-task breakdowns.",
            "Figures follow the pairing rules in the README; a trace that lost events is flagged."})
public final class StatsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-w", "--workspace"}, required = true, paramLabel = "DIR", description = "workspace directory")
    Path workspace;

    @Option(names = "--json", description = "print the figures as JSON (the field names of the truth files)")
    boolean json;

    @Option(names = "--source", split = ",", paramLabel = "N",
            description = "only these sources (indexes as printed by ingest); default all")
    List<Integer> sources;

    @Option(names = "--run", paramLabel = "ID",
            description = "statistics of a stored replay run (see 'vmalock replay'), measured exactly like a trace")
    String run;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path dir = workspace;
        if (run != null) {
            dir = vmalock.replay.ReplayRunner.runDir(workspace, run);
            if (!java.nio.file.Files.isDirectory(dir)) {
                err.println("vmalock: " + workspace + ": no run '" + run + "' (runs: "
                        + String.join(", ", vmalock.replay.ReplayRunner.runIds(workspace)) + ")");
                err.flush();
                return ExitCode.WORKSPACE;
            }
        }
        try (Workspace ws = Workspace.open(dir)) {
            WorkspaceStats st = WorkspaceStats.compute(ws, sources);
            ObjectNode node = StatsJson.build(st);
            if (json) {
                out.println(StatsJson.JSON.writeValueAsString(node));
            } else {
                new StatsTextWriter(out).write(st, node);
            }
            out.flush();
            node.get("warnings").forEach(w -> err.println("vmalock: warning: " + w.asText()));
            long orphans = ws.orphanBlocks();
            if (orphans > 0) {
                err.println("vmalock: note: " + orphans + " event blocks of an interrupted ingest are ignored");
            }
            err.flush();
            return ExitCode.OK;
        } catch (StoreException e) {
            err.println("vmalock: " + e.getMessage());
            err.flush();
            return ExitCode.WORKSPACE;
        } catch (IOException e) {
            err.println("vmalock: cannot write output: " + e.getMessage());
            err.flush();
            return ExitCode.WORKSPACE;
        }
    }
}
