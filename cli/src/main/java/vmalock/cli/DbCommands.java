package vmalock.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import vmalock.cli.report.ResultFormat;
import vmalock.db.DbException;
import vmalock.db.FleetDb;
import vmalock.db.Query;
import vmalock.db.ObservedRun;
import vmalock.db.QueryLibrary;
import vmalock.db.QueryRunner;
import vmalock.db.WorkspaceDb;
import vmalock.store.StoreException;
import vmalock.store.Workspace;

/**
 * What the DuckDB commands share: opening a workspace's database with its observed run loaded and
 * current, the report library, and turning failures into one line and an exit code.
 */
final class DbCommands {
    static final int OK = ExitCode.OK;
    static final int USAGE = ExitCode.USAGE;
    static final int INPUT = ExitCode.INPUT;
    static final int WORKSPACE = ExitCode.WORKSPACE;
    static final int QUERY = ExitCode.QUERY;

    private DbCommands() {
    }

    /** The command body, given the open database and a source of raw events for lazy loading. */
    @FunctionalInterface
    interface Body {
        int run(WorkspaceDb db, QueryRunner.EventsSource events);
    }

    /** A command body that also needs the open workspace. */
    @FunctionalInterface
    interface WorkspaceBody {
        int run(Workspace ws, WorkspaceDb db, QueryRunner.EventsSource events);
    }

    /** The --format value as a ResultFormat, or null after printing a one-line usage error. */
    static ResultFormat resultFormat(String format, PrintWriter err, String cmd) {
        try {
            return ResultFormat.parse(format);
        } catch (IllegalArgumentException e) {
            err.println("vmalock " + cmd + ": " + e.getMessage());
            return null;
        }
    }

    /** Runs the queries in order and prints each with one writer of the chosen format. */
    static int runReports(QueryRunner qr, ResultFormat fmt, PrintWriter out, PrintWriter err, String cmd, List<Query> queries) {
        return runReports(qr, fmt, out, err, cmd, queries, false);
    }

    /** As above; without {@code allowExternal} the SQL reaches no file, network or extension outside the database. */
    static int runReports(QueryRunner qr, ResultFormat fmt, PrintWriter out, PrintWriter err, String cmd, List<Query> queries,
                          boolean allowExternal) {
        if (!allowExternal) {
            qr.noExternalAccess();
        }
        if (fmt == ResultFormat.CSV) {
            err.println("vmalock " + cmd + ": runs: " + String.join(", ", qr.runs()));
        }
        ResultFormat.ResultWriter w = fmt.writer(out, qr.runs());
        for (Query q : queries) {
            w.report(q, qr.run(q));
        }
        w.finish();
        return OK;
    }

    /**
     * The runs {@code --run} chose: {@code all} (or {@code --run all}) is every run (an empty list for
     * {@link QueryRunner}); none given is the observed run, or every run when {@code multiRun}
     * (a report that compares runs, e.g. policy_compare).
     */
    static List<String> chosenRuns(List<String> given, boolean multiRun) {
        if (given.contains("all")) {
            return List.of();
        }
        if (given.isEmpty()) {
            return multiRun ? List.of() : List.of(vmalock.db.RunInfo.OBSERVED);
        }
        return given;
    }

    static QueryLibrary library(List<Path> dirs) {
        QueryLibrary lib = QueryLibrary.bundled();
        for (Path d : dirs) {
            lib.addFolder(d);
        }
        return lib;
    }

    /** A one-line usage error. */
    static int usage(PrintWriter err, String cmd, String message) {
        err.println("vmalock " + cmd + ": " + message);
        err.flush();
        return USAGE;
    }

    /**
     * {@code report --parquet DIR [NAME…]}: the fleet reports, then the bundled workspace reports of queries/*.sql over
     * the fleet output's workspace-shaped tables — each one that reads what the fleet does not write says so instead
     * (all, or those named; --queries folders add reports run over the fleet tables).
     */
    static int fleet(Path dir, PrintWriter err, String cmd, ResultFormat fmt, PrintWriter out, List<String> names,
                     List<Path> queryDirs) {
        List<Query> selected = new java.util.ArrayList<>();
        try {
            List<Query> all = new java.util.ArrayList<>(FleetDb.reports());
            QueryLibrary lib = library(queryDirs);
            for (String n : names) {
                Query q = all.stream().filter(x -> x.name().equals(n)).findFirst().orElse(null);
                selected.add(q != null ? q : lib.get(n));
            }
            if (names.isEmpty()) {
                selected.addAll(all);
                for (String n : QueryLibrary.BUNDLED) selected.add(lib.get(n));
            }
        } catch (DbException e) {
            return usage(err, cmd, e.getMessage() + " (fleet reports: " + String.join(", ", FleetDb.REPORTS) + ")");
        }
        return fleetQuery(dir, err, cmd, fmt, out, selected);
    }

    /** A bundled workspace report (queries/*.sql, not queries/fleet/): run over the fleet output's workspace tables. */
    static boolean workspaceReport(Query q) {
        return q.origin() != null && q.origin().startsWith("vmalock/queries/") && !q.origin().startsWith("vmalock/queries/fleet/");
    }

    /** Runs the queries over the fleet output's views and prints each. */
    static int fleetQuery(Path dir, PrintWriter err, String cmd, ResultFormat fmt, PrintWriter out, List<Query> queries) {
        try (FleetDb db = FleetDb.open(dir)) {
            ResultFormat.ResultWriter w = fmt.writer(out);
            for (Query q : queries) {
                w.report(q, workspaceReport(q) ? db.runWorkspace(q) : db.run(q));
            }
            w.finish();
            return OK;
        } catch (DbException e) {
            err.println("vmalock " + cmd + ": " + e.getMessage());
            return e.isQuery() ? QUERY : INPUT;
        } finally {
            err.flush();
        }
    }

    /**
     * With filter options: the body runs over a temporary database of the filtered events only (observed run,
     * no replays), deleted afterwards, after printing the "filter: …" line on stderr; without: {@link #withDb}.
     */
    static int withDb(Path workspace, FilterOptions filters, PrintWriter err, String cmd, WorkspaceBody body) {
        if (filters == null || !filters.active()) {
            return withDb(workspace, err, cmd, body);
        }
        Path tmp = null;
        try (Workspace ws = Workspace.open(workspace)) {
            vmalock.store.EventFilter f;
            try {
                f = filters.build(ws.manifest().sources);
            } catch (IllegalArgumentException e) {
                return usage(err, cmd, e.getMessage());
            }
            ws.filter(f);
            tmp = java.nio.file.Files.createTempDirectory("vmalock-filtered-");
            try (WorkspaceDb db = ObservedRun.openFiltered(ws, tmp)) {
                err.println("vmalock " + cmd + ": " + f.summary() + "; replay runs are not filtered and not shown");
                f.resetCounts();
                return body.run(ws, db, ObservedRun.events(ws));
            }
        } catch (java.io.IOException e) {
            err.println("vmalock " + cmd + ": cannot create a temporary database: " + e.getMessage());
            return WORKSPACE;
        } catch (StoreException | DbException e) {
            return failed(err, cmd, e);
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
            err.flush();
        }
    }

    /** {@link ObservedRun#open}, with a progress bar while it reads the events (the first load, or a reload). */
    static WorkspaceDb openWithProgress(Workspace ws) {
        try (Progress p = Progress.forTerminal(null, "loading the database")) {
            p.start(ws::eventsRead, Workspace.records(ws.manifest().sources), "events");
            tablesLeftByIngest(ws);
            return ObservedRun.open(ws);
        }
    }

    /**
     * A small workspace whose ingest left the tables for later ({@link IngestCommand#TABLES_FROM_EVENTS}): its first
     * use builds them all as that ingest would have (one load, every table, the stats figures stored again), rather
     * than the derived tables now and each per-row table at its first query (a DuckDB write and checkpoint each).
     * Recognised by a database that is missing (it then starts as the empty one beside the jar, as an ingest's does:
     * no DDL to run) or older than the manifest (a source added or removed since it was written); a database that is
     * current is only opened, by {@link ObservedRun#open}.
     */
    static void tablesLeftByIngest(Workspace ws) {
        java.util.List<vmalock.store.Manifest.Source> sources = ws.manifest().sources;
        if (sources.isEmpty() || Workspace.records(sources) >= IngestCommand.TABLES_FROM_EVENTS) {
            return;
        }
        Path file = WorkspaceDb.file(ws.dir());
        try {
            if (java.nio.file.Files.exists(file) && java.nio.file.Files.getLastModifiedTime(file)
                    .compareTo(java.nio.file.Files.getLastModifiedTime(ws.dir().resolve(vmalock.store.Manifest.FILE))) > 0) {
                return;
            }
        } catch (java.io.IOException e) {
            return; // ObservedRun.open reports what is wrong
        }
        EmptyDb.seed(EmptyDb.besideJar(), ws.dir());
        try (WorkspaceDb db = WorkspaceDb.open(ws.dir())) {
            ObservedRun.materialize(ws, db, ws.orphanBlocks());
        }
    }

    /** The lazy loads of the {@code events} table, with a progress bar over the run's stored records. */
    static QueryRunner.EventsSource withProgress(Workspace ws, QueryRunner.EventsSource source) {
        return run -> {
            vmalock.db.EventStream s = source.open(run);
            if (s == null) {
                return null;
            }
            long total;
            try {
                total = vmalock.db.RunInfo.OBSERVED.equals(run) ? Workspace.records(ws.manifest().sources)
                        : Workspace.records(vmalock.store.Manifest.read(ws.dir().resolve(vmalock.replay.ReplayRunner.RUNS_DIR)
                                .resolve(run)).sources);
            } catch (StoreException e) {
                total = -1;
            }
            Progress p = Progress.forTerminal(null, "loading events of " + run);
            long[] n = {0};
            p.start(() -> n[0], total, "events");
            return e -> {
                if (s.next(e)) {
                    n[0]++;
                    return true;
                }
                p.stop();
                return false;
            };
        };
    }

    /** A workspace or database failure as one line and its exit code. */
    private static int failed(PrintWriter err, String cmd, RuntimeException e) {
        err.println("vmalock " + cmd + ": " + e.getMessage());
        return e instanceof DbException && ((DbException) e).isQuery() ? QUERY : WORKSPACE;
    }

    static void deleteTree(Path dir) {
        try {
            Workspace.deleteTree(dir);
        } catch (StoreException ignored) {
            // a temporary folder: best effort
        }
    }

    /** Opens the workspace and its database (loading the observed run if needed), runs the body. */
    static int withDb(Path workspace, PrintWriter err, String cmd, Body body) {
        return withDb(workspace, err, cmd, (WorkspaceBody) (ws, db, events) -> body.run(db, events));
    }

    /**
     * {@link #withDb(Path, PrintWriter, String, Body)} for a body that also reads the workspace. A command that fails
     * after creating the database (the first use of a workspace whose ingest left the tables for later) removes it:
     * a failed command leaves the workspace as it was.
     */
    static int withDb(Path workspace, PrintWriter err, String cmd, WorkspaceBody body) {
        Path file = WorkspaceDb.file(workspace);
        boolean had = java.nio.file.Files.exists(file);
        int rc;
        try (Workspace ws = Workspace.open(workspace); WorkspaceDb db = openWithProgress(ws)) {
            rc = body.run(ws, db, withProgress(ws, ObservedRun.events(ws)));
        } catch (StoreException | DbException e) {
            rc = failed(err, cmd, e);
        } finally {
            err.flush();
        }
        if (rc != OK && rc != ExitCode.PROBLEMS && !had) {
            try {
                java.nio.file.Files.deleteIfExists(file);
                java.nio.file.Files.deleteIfExists(file.resolveSibling(WorkspaceDb.FILE + ".wal"));
            } catch (java.io.IOException e) {
                // derived data: the next command loads it again
            }
        }
        return rc;
    }
}
