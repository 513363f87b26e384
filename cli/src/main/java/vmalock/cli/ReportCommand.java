package vmalock.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import vmalock.cli.report.ResultFormat;
import vmalock.db.DbException;
import vmalock.db.Query;
import vmalock.db.QueryLibrary;
import vmalock.db.QueryRunner;
import vmalock.db.WorkspaceDb;

/** {@code vmalock report -w DIR [NAME…] [--run ID…] [--format …]}: the bundled SQL reports over DuckDB. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run named SQL reports (queries/*.sql) over the workspace's DuckDB database: the observed trace "
                + "(run 'observed') and every replay run. Durations are in µs (column names ending in _us).",
            "Default set: " + "summary, fallback_rates, writer_waits, reader_waits, hold_times, data_quality. "
                + "`--list` shows every report with what it answers."})
public final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-w", "--workspace"}, required = true, paramLabel = "DIR", description = "workspace directory")
    Path workspace;

    @Parameters(paramLabel = "NAME", arity = "0..*", description = "reports to run (default: the summary set)")
    List<String> names = new ArrayList<>();

    @Option(names = "--run", paramLabel = "ID", description = "only these runs (repeatable; default: all runs)")
    List<String> runs = new ArrayList<>();

    @Option(names = "--baseline", paramLabel = "RUN", defaultValue = "observed",
            description = "the run policy_compare compares against (default: ${DEFAULT-VALUE})")
    String baseline;

    @Option(names = "--format", paramLabel = "FMT", defaultValue = "table",
            description = "table (aligned, default), csv, json or markdown")
    String format;

    @Option(names = "--queries", paramLabel = "DIR", description = "also load the .sql reports of this folder (repeatable)")
    List<Path> queryDirs = new ArrayList<>();

    @Option(names = "--list", description = "list the reports and what each answers, then exit")
    boolean list;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ResultFormat fmt = DbCommands.resultFormat(format, err, "report");
        if (fmt == null) {
            return DbCommands.USAGE;
        }
        QueryLibrary lib;
        try {
            lib = DbCommands.library(queryDirs);
        } catch (DbException e) {
            err.println("vmalock report: " + e.getMessage());
            return DbCommands.INPUT;
        }
        if (list) {
            for (Query q : lib.all()) {
                out.printf("%-18s %s%n", q.name(), q.title());
            }
            out.flush();
            return DbCommands.OK;
        }
        List<Query> selected = new ArrayList<>();
        try {
            for (String n : names.isEmpty() ? QueryLibrary.DEFAULT_SET : names) {
                selected.add(lib.get(n));
            }
        } catch (DbException e) {
            err.println("vmalock report: " + e.getMessage());
            return DbCommands.USAGE;
        }
        return DbCommands.withDb(workspace, err, "report", (db, events) -> {
            Map<String, String> vars = new LinkedHashMap<>();
            vars.put("baseline", baseline);
            return DbCommands.runReports(new QueryRunner(db, runs, vars, events), fmt, out, selected);
        });
    }
}
