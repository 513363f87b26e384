package vmalock.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
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

/** {@code vmalock query -w DIR "SQL" | -f FILE.sql | --queries DIR NAME}: ad-hoc SQL over the workspace database. */
@Command(name = "query", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run SQL over the workspace's DuckDB database (tables: events, lock_spans, faults, contention, "
                + "syscalls, tasks, mms, lost, sources, runs, counters, event_counts, quality — see queries/README.md).",
            "Only the observed run (the trace itself) unless --run names replay runs or 'all'; the output's first "
                + "line (JSON: \"runs\") says which runs the results cover.",
            "A file may hold several statements; each one that returns rows is printed. The events table loads on "
                + "first use (FROM events / JOIN events)."})
public final class QueryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-w", "--workspace"}, paramLabel = "DIR", description = "workspace directory")
    Path workspace;

    @Option(names = "--parquet", paramLabel = "DIR",
            description = "instead of a workspace: the Parquet output of `vmalock fleet -o DIR` (views traces, stats, runs, "
                + "per_mm, fault_latency, errors, schema_version)")
    Path parquet;

    static final class Source {
        @Parameters(paramLabel = "SQL", description = "the SQL text")
        String sql;

        @Option(names = {"-f", "--file"}, paramLabel = "FILE.sql", description = "read the SQL from a file")
        Path file;

        @Option(names = "--report", paramLabel = "NAME", description = "a named report of --queries folders or the bundled set")
        String report;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--queries", paramLabel = "DIR", description = "folders of .sql reports for --report (repeatable)")
    List<Path> queryDirs = new ArrayList<>();

    @Option(names = "--allow-external",
            description = "let the SQL read and write files outside the workspace database and install or load DuckDB "
                    + "extensions (read_csv, COPY … TO, ATTACH, http/s3 URLs); by default it reaches nothing outside, "
                    + "and what it changes in the database is rolled back")
    boolean allowExternal;

    @Option(names = "--run", paramLabel = "ID", description = "the runs to see: a run id (repeatable) or 'all' (default: observed, the trace itself)")
    List<String> runs = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FMT", defaultValue = "table",
            description = "table (aligned, default), csv, json or markdown")
    String format;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ResultFormat fmt = DbCommands.resultFormat(format, err, "query");
        if (fmt == null) {
            return DbCommands.USAGE;
        }
        Query q;
        try {
            if (source.file != null) {
                String name = source.file.getFileName().toString().replaceAll("\\.sql$", "");
                q = Query.of(name, Files.readString(source.file, StandardCharsets.UTF_8), source.file.toString());
            } else if (source.report != null) {
                q = DbCommands.library(queryDirs).get(source.report);
            } else {
                q = Query.of("query", source.sql, "command line");
            }
        } catch (IOException e) {
            err.println("vmalock query: " + source.file + ": cannot read (" + e.getMessage() + ")");
            return DbCommands.INPUT;
        } catch (DbException e) {
            err.println("vmalock query: " + e.getMessage());
            return source.report != null && e.getMessage().startsWith("no report") ? DbCommands.USAGE : DbCommands.INPUT;
        }
        Query query = q;
        if ((workspace == null) == (parquet == null)) {
            return DbCommands.usage(err, "query", "give -w DIR (a workspace) or --parquet DIR (a fleet output)");
        }
        if (parquet != null) {
            return DbCommands.fleetQuery(parquet, err, "query", fmt, out, List.of(query));
        }
        return DbCommands.withDb(workspace, err, "query", (db, events) -> {
            return DbCommands.runReports(new QueryRunner(db, DbCommands.chosenRuns(runs, false), Map.of(), events), fmt, out, err, "query", List.of(query), allowExternal);
        });
    }
}
