package vmalock.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
import vmalock.db.RunInfo;
import vmalock.db.WorkspaceDb;
import vmalock.store.Workspace;

/**
 * {@code vmalock report -w DIR [NAME…] [--run ID…] [--format …]}: the bundled SQL reports over DuckDB;
 * {@code --html FILE}: one self-contained page with charts ({@link HtmlReportPage}, {@link HtmlReportWriter}).
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run named SQL reports (queries/*.sql) over the workspace's DuckDB database: the observed trace "
                + "(run 'observed'; --run RUN or --run all for replay runs; the output's first line says which). Durations are in µs (column names ending in _us), or in ticks (_ticks) for a trace on a counter or TSC clock.",
            "Default set: " + "summary, fallback_rates, writer_waits, reader_waits, hold_times, data_quality. "
                + "`--list` shows every report with what it answers.",
            "--html FILE writes one self-contained HTML page instead (inline SVG and CSS, nothing loaded from the "
                + "network): writer- and reader-wait CDFs per run on a log axis, fallback-rate bars, log2 histograms, "
                + "the calibration and compare tables, the data-quality warnings and the replays' modelling assumptions. "
                + "Replay runs come from `vmalock compare`/`replay`; the same workspace gives the same bytes."})
public final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-w", "--workspace"}, paramLabel = "DIR", description = "workspace directory")
    Path workspace;

    @Option(names = "--parquet", paramLabel = "DIR",
            description = "instead of a workspace: the Parquet output of `vmalock fleet -o DIR`; runs the fleet reports "
                + "(queries/fleet/: distributions of fallback rate, fault latency and writer waits across traces and hosts, "
                + "best policy per trace with its gain, errors) or the named ones")
    Path parquet;

    @Parameters(paramLabel = "NAME", arity = "0..*", description = "reports to run (default: the summary set)")
    List<String> names = new ArrayList<>();

    @Option(names = "--allow-external",
            description = "let the SQL read and write files outside the workspace database and install or load DuckDB "
                    + "extensions (read_csv, COPY … TO, ATTACH, http/s3 URLs); by default it reaches nothing outside, "
                    + "and what it changes in the database is rolled back")
    boolean allowExternal;

    @Option(names = "--run", paramLabel = "ID", description = "the runs to report: a run id (repeatable) or 'all' (default: observed; every run for "
                + "reports marked '-- runs: all', which compare runs: policy_compare, policy_figures); --html: default all, always shows observed")
    List<String> runs = new ArrayList<>();

    @Option(names = "--baseline", paramLabel = "RUN",
            description = "the run deltas are against: policy_compare's default is observed; --html's is the replay "
                + "under the trace's kernel policy, as in compare (a run id or a policy name)")
    String baseline;

    @Option(names = "--html", paramLabel = "FILE",
            description = "write one self-contained HTML page with charts to FILE (see above) instead of tables")
    Path html;

    @Option(names = "--format", paramLabel = "FMT", defaultValue = "table",
            description = "table (aligned, default), csv, json or markdown")
    String format;

    @Option(names = "--queries", paramLabel = "DIR", description = "also load the .sql reports of this folder (repeatable)")
    List<Path> queryDirs = new ArrayList<>();

    @Option(names = "--list", description = "list the reports and what each answers, then exit")
    boolean list;

    @picocli.CommandLine.Mixin
    FilterOptions filters;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ResultFormat fmt = DbCommands.resultFormat(format, err, "report");
        if (fmt == null) {
            return DbCommands.USAGE;
        }
        if ((workspace == null) == (parquet == null) && !list) {
            return DbCommands.usage(err, "report", "give -w DIR (a workspace) or --parquet DIR (a fleet output)");
        }
        if (parquet != null) {
            return DbCommands.fleet(parquet, err, "report", fmt, out, names, queryDirs);
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
        if (html != null) {
            if (!names.isEmpty()) {
                err.println("vmalock report: --html draws a fixed page; it takes no report names (got " + String.join(", ", names) + ")");
                err.flush();
                return DbCommands.USAGE;
            }
            return DbCommands.withDb(workspace, filters, err, "report", (ws, db, events) -> {
                LossyWarning.print(err, "report", ws.manifest().sources);
                StaleRuns.print(err, "report", ws);
                return writeHtml(ws, db, events, err);
            });
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
        return DbCommands.withDb(workspace, filters, err, "report", (ws, db, events) -> {
            LossyWarning.print(err, "report", ws.manifest().sources);
            StaleRuns.print(err, "report", ws);
            Map<String, String> vars = new LinkedHashMap<>();
            vars.put("baseline", baseline == null ? RunInfo.OBSERVED : baseline);
            boolean multiRun = selected.stream().anyMatch(q -> q.sql().contains("\n-- runs: all") || q.sql().startsWith("-- runs: all"));
            return DbCommands.runReports(new QueryRunner(db, DbCommands.chosenRuns(runs, multiRun), vars, events), fmt, out, err, "report", selected, allowExternal);
        });
    }

    private int writeHtml(Workspace ws, WorkspaceDb db, QueryRunner.EventsSource events, PrintWriter err) {
        HtmlReportPage page;
        List<String> runs = this.runs.contains("all") ? List.of() : this.runs;
        try {
            page = HtmlReportPage.gather(ws, db, events, runs, baseline);
            page.filter = ws.filter() == null ? null : ws.filter().description;
        } catch (IllegalArgumentException e) {
            err.println("vmalock report: " + e.getMessage());
            return DbCommands.USAGE;
        }
        Path target = html.toAbsolutePath();
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(tmp, StandardCharsets.UTF_8))) {
                new HtmlReportWriter(w).write(page, runs);
                if (w.checkError()) throw new IOException("write failed");
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return DbCommands.OK;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the error below is the one to report
            }
            err.println("vmalock report: cannot write " + html + ": " + e.getMessage());
            return DbCommands.WORKSPACE;
        }
    }
}
