package vmalock.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import vmalock.db.DbException;
import vmalock.db.ObservedRun;
import vmalock.db.RunInfo;
import vmalock.db.SqlStats;
import vmalock.db.WorkspaceDb;
import vmalock.stats.StatsDocument;
import vmalock.store.JsonTrees;
import vmalock.store.Manifest;
import vmalock.stats.WorkspaceStats;
import vmalock.store.StoreException;
import vmalock.store.Workspace;

/** {@code vmalock stats -w DIR [--json] [--source N,…]}: observed statistics of the stored events. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = {"Observed mmap_lock statistics of the events in a workspace: acquisitions, the fallback rate "
                + "(user page faults that fell back from the per-VMA lock to mmap_lock), lock wait and hold times "
                + "(µs; ticks for counter clocks), lost events, per-mm and per-task breakdowns.",
            "Figures follow the pairing rules in the README; a trace that lost events is flagged. They are computed "
                + "by the bundled `stats` SQL report over the workspace's DuckDB database (queries/stats.sql); "
                + "--run shows a replay's figures in the same shape."})
public final class StatsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-w", "--workspace"}, required = true, paramLabel = "DIR", description = "workspace directory")
    Path workspace;

    @Option(names = "--json", description = "print the figures as JSON (field names as in docs/statistics.md)")
    boolean json;

    @Option(names = "--source", split = ",", paramLabel = "N",
            description = "only these sources (indexes as printed by ingest); default all")
    List<Integer> sources;

    @Option(names = "--run", paramLabel = "ID",
            description = "the figures of this run of the workspace database: 'observed' (default) or a replay's id")
    String run;

    @picocli.CommandLine.Mixin
    FilterOptions filters;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (run != null && sources != null) {
            err.println("vmalock stats: --run and --source cannot be combined (a source subset is not a stored run)");
            err.flush();
            return ExitCode.USAGE;
        }
        if (run != null && filters.active()) {
            return Failure.report(err, "stats: --run and the filters cannot be combined (they select events of the "
                    + "observed trace; filter a replay with `replay`'s own filters)", ExitCode.USAGE);
        }
        try (Workspace ws = Workspace.open(workspace)) {
            ObjectNode node;
            List<Manifest.Source> covered;
            long orphans = -1;
            vmalock.store.EventFilter filter;
            try {
                filter = filters.build(ws.sources(sources));
            } catch (IllegalArgumentException e) {
                return Failure.report(err, "stats: " + e.getMessage(), ExitCode.USAGE);
            }
            // the figures ingest computed with the same SQL report, if they are of the current sources
            ObservedRun.CachedStats cached = run == null && sources == null && filter == null ? ObservedRun.cachedStats(ws) : null;
            if (cached != null) {
                node = cached.stats();
                covered = ws.manifest().sources;
                orphans = cached.orphanBlocks();
            } else if (sources != null || filter != null) {
                // a subset of the sources or events is not a run of the database: the Java aggregation computes it
                ws.filter(filter);
                WorkspaceStats st = WorkspaceStats.compute(ws, sources);
                node = StatsDocument.build(st);
                covered = st.sources;
                if (filter != null) {
                    node.put("filter", filter.description);
                    node.put("filter_kept_events", filter.kept());
                    node.put("filter_seen_events", filter.seen());
                    if (json) {
                        if (filter.pidFellBackToTid() > 0) err.println("vmalock: note: " + filter.summary());
                    } else {
                        out.println(filter.summary());
                    }
                }
            } else if (run == null && sources == null && filter == null && JavaStats.applies(ws)) {
                // none stored (ingest --no-tables): for a small run, the Java aggregation ingest would have stored,
                // without starting DuckDB
                node = JavaStats.compute(ws);
                covered = ws.manifest().sources;
            } else {
                // the figures are the bundled `stats` SQL report over the workspace's DuckDB database
                String r = run == null ? RunInfo.OBSERVED : run;
                List<String> replays = ObservedRun.replayIds(ws.dir());
                if (!RunInfo.OBSERVED.equals(r) && !replays.contains(r) && !java.nio.file.Files.exists(WorkspaceDb.file(ws.dir()))) {
                    // no such run, and no database yet (the tables left for later): the runs it would hold once
                    // loaded, without creating it (a failed command leaves the workspace as it was)
                    List<String> runs = new java.util.ArrayList<>(List.of(RunInfo.OBSERVED));
                    runs.addAll(replays);
                    err.println("vmalock stats: no run " + r + " in " + WorkspaceDb.file(ws.dir()) + " (runs: "
                            + String.join(", ", runs) + ")");
                    err.flush();
                    return ExitCode.USAGE;
                }
                try (WorkspaceDb db = ObservedRun.open(ws)) {
                    if (!db.hasRun(r)) {
                        err.println("vmalock stats: no run " + r + " in " + db.file() + " (runs: "
                                + String.join(", ", db.runs()) + ")");
                        err.flush();
                        return ExitCode.USAGE;
                    }
                    node = SqlStats.build(db, r);
                }
                covered = RunInfo.OBSERVED.equals(r) ? ws.manifest().sources : List.of();
            }
            if (!covered.isEmpty()) StatsDocument.kernel(node, covered);
            if (json) {
                out.println(JsonTrees.pretty(node)); // StatsJson.JSON's text, without building a mapper (issue 13)
            } else {
                new StatsTextWriter(out).write(covered, node);
            }
            out.flush();
            node.get("warnings").forEach(w -> err.println("vmalock: warning: " + w.asText()));
            if (orphans < 0) {
                orphans = ws.orphanBlocks();
            }
            if (orphans > 0) {
                err.println("vmalock: note: " + orphans + " event blocks of an interrupted ingest are ignored");
            }
            err.flush();
            return ExitCode.OK;
        } catch (DbException e) {
            err.println("vmalock stats: " + e.getMessage());
            err.flush();
            return e.isQuery() ? ExitCode.QUERY : ExitCode.WORKSPACE;
        } catch (StoreException e) {
            err.println("vmalock: " + e.getMessage());
            err.flush();
            return ExitCode.WORKSPACE;
        }
    }
}
