package vmalock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import vmalock.db.WorkspaceDb;
import vmalock.replay.ReplayRunner;
import vmalock.stats.StatsJson;
import vmalock.store.Manifest;
import vmalock.store.StoreException;
import vmalock.store.Workspace;

/** {@code vmalock remove -w DIR --source N}: takes an ingested source out of a workspace, with what was derived from it. */
@Command(name = "remove", mixinStandardHelpOptions = true,
        description = {"Remove an ingested source (an id from `vmalock sources`) and everything derived from it: the "
                + "replay runs that replayed it (runs/ID) and the workspace's database (vmalock.duckdb, rebuilt from the "
                + "remaining sources on next use). The same file can then be ingested again.",
            "The source leaves the manifest in one atomic step, so an interrupted remove leaves either the source or "
                + "nothing of it. Its event blocks stay in the queue file, unused, until the last source is removed "
                + "(then the queue is deleted); source ids are not reused."})
public final class RemoveCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-w", "--workspace"}, required = true, paramLabel = "DIR", description = "workspace directory")
    Path workspace;

    @Option(names = "--source", required = true, paramLabel = "ID", description = "the source to remove (see `vmalock sources`)")
    int source;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            Workspace.open(workspace).close(); // an existing workspace only: forIngest would create one
            try (Workspace ws = Workspace.forIngest(workspace)) {
                Manifest.Source s = ws.manifest().source(source);
                if (s == null) {
                    List<String> ids = new ArrayList<>();
                    ws.manifest().sources.forEach(x -> ids.add(Integer.toString(x.index)));
                    return Failure.report(err, ws.dir() + ": no source " + source + " (sources: "
                            + (ids.isEmpty() ? "none" : String.join(", ", ids)) + "; see `vmalock sources -w DIR`)", ExitCode.USAGE);
                }
                // derived data first: a crash before the manifest step leaves the source and less derived data,
                // never derived data of a source that is gone
                List<String> runs = runsOf(ws.dir(), s);
                for (String id : runs) {
                    Workspace.deleteTree(ReplayRunner.runDir(ws.dir(), id));
                }
                Path db = WorkspaceDb.file(ws.dir());
                Files.deleteIfExists(db);
                Files.deleteIfExists(db.resolveSibling(db.getFileName() + ".wal"));
                ws.removeSource(source);
                out.println(String.format(Locale.ROOT, "removed source %d: %s (%s, %,d events)", s.index, s.path, s.format,
                        s.events));
                out.println(runs.isEmpty() ? "  no replay run used it" : "  removed the replay runs that used it: "
                        + String.join(", ", runs));
                out.println("  sources left: " + ws.manifest().sources.size()
                        + "; the database is rebuilt from them on next use");
                out.flush();
                return ExitCode.OK;
            }
        } catch (StoreException e) {
            return Failure.report(err, e.getMessage(), ExitCode.WORKSPACE);
        } catch (IOException e) {
            return Failure.report(err, workspace + ": cannot remove derived data: " + e.getMessage(), ExitCode.WORKSPACE);
        }
    }

    /** The stored runs (runs/ID/run.json) whose inputs include this source (same id and checksum), sorted. */
    static List<String> runsOf(Path dir, Manifest.Source s) throws IOException {
        List<String> ids = new ArrayList<>();
        Path runs = dir.resolve(ReplayRunner.RUNS_DIR);
        if (!Files.isDirectory(runs)) {
            return ids;
        }
        try (Stream<Path> l = Files.list(runs)) {
            for (Path p : (Iterable<Path>) l::iterator) {
                Path rj = p.resolve(ReplayRunner.RUN_FILE);
                if (!Files.isRegularFile(rj)) continue;
                JsonNode j;
                try {
                    j = StatsJson.JSON.readTree(rj.toFile());
                } catch (IOException e) {
                    continue; // a damaged run.json: not provably ours
                }
                for (JsonNode in : j.path("inputs")) {
                    if (in.path("source").asInt(-1) == s.index && s.checksum != null
                            && s.checksum.equals(in.path("checksum").asText())) {
                        ids.add(p.getFileName().toString());
                        break;
                    }
                }
            }
        }
        ids.sort(null);
        return ids;
    }
}
