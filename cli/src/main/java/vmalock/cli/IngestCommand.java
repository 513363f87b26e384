package vmalock.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import vmalock.parse.Parallelism;
import vmalock.parse.TraceFormat;
import vmalock.parse.TraceInputException;
import vmalock.store.DuplicateSourceException;
import vmalock.store.IngestSession;
import vmalock.store.Ingester;
import vmalock.store.Manifest;
import vmalock.store.StoreException;
import vmalock.store.Workspace;

/** {@code vmalock ingest FILE… -w DIR [--format F] [--strict] [--threads N]}: parse traces into a workspace. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Parse trace files (raw ftrace trace/trace_pipe, trace-cmd report, perf script, vmalock CSV; "
                + ".gz/.xz/.zst transparently) into a workspace: a Chronicle Queue of canonical events plus a manifest.",
            "Bad lines are skipped and reported as FILE:LINE: REASON (the first few, then a total); --strict stops at "
                + "the first. A file already in the workspace (same size and checksum) is refused. An interrupted ingest never "
                + "leaves a partial source visible."})
public final class IngestCommand implements Callable<Integer> {
    /** How many problems are printed per file (all are counted). */
    static final int SHOWN_PROBLEMS = 10;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "trace files, in the order to store them; '-' reads "
            + "standard input (once; a file named '-' is ./-)")
    List<Path> files;

    @Option(names = {"-w", "--workspace"}, required = true, paramLabel = "DIR",
            description = "workspace directory (created if missing)")
    Path workspace;

    @Option(names = "--format", paramLabel = "F",
            description = "input format instead of auto-detection: ftrace, trace-cmd, perf, csv")
    String format;

    @Option(names = "--strict", description = "stop at the first bad line (the file is not ingested)")
    boolean strict;

    @Option(names = "--kernel", paramLabel = "RELEASE",
            description = "the traced kernel's release (uname -r, e.g. 6.8.0-45-generic): the replay's baseline policy "
                    + "comes from it (before 6.4 no-vma-lock, 6.4-6.5 vma-rwsem-6.4, 6.6 vma-rwsem-6.6, 6.7-6.14 vma-rwsem, "
                    + "6.15+ vma-refcount). Without it a text trace only hints at its kernel and the replay says it guessed")
    String kernel;

    @Option(names = "--kernel-config", paramLabel = "KEY=y|n", split = ",",
            description = "the traced kernel's CONFIG_PER_VMA_LOCK / CONFIG_PER_VMA_LOCK_STATS, e.g. CONFIG_PER_VMA_LOCK=n")
    java.util.Map<String, String> kernelConfig;

    @Option(names = "--threads", paramLabel = "N",
            description = "threads parsing each file (chunks cut at line ends, stored in file order: the same workspace "
                    + "as one thread); default: every processor for a file of 8 MB or more on a machine of 3 or more, else 1")
    Integer threads;

    /** Input bytes per parsing chunk with more than one thread (hidden: tests cut files into tiny chunks). */
    @Option(names = "--chunk-bytes", hidden = true, paramLabel = "N")
    Integer chunkBytes;

    @Option(names = "--tables",
            description = "build the workspace database's tables now, whatever the workspace's size (by default they are "
                    + "built when it holds " + TABLES_FROM_EVENTS_TEXT + " events or more after the ingest; a smaller "
                    + "workspace's first query builds them)")
    boolean tables;

    @Option(names = "--no-tables",
            description = "do not build the workspace database's tables now, whatever the size (they then load on first use)")
    boolean noTables;

    /**
     * From this many stored events (records) in the workspace after an ingest, the ingest builds the database's
     * tables (issue 13, start-up). Below it the ingest stores the {@code stats} figures computed in Java and starts no
     * DuckDB; the work moves to the first query, which then costs a fixed ~0.4 s more (on a quiet machine) plus a
     * part that grows with the trace, about 0.1 s up to this size (docs/ingest-speed.md, "Small ingests without
     * DuckDB"). Larger workspaces keep their first query within their ingest's time (issue 13 target 3).
     */
    static final long TABLES_FROM_EVENTS = 10_000;
    private static final String TABLES_FROM_EVENTS_TEXT = "10,000";

    /**
     * Input bytes from which the ingest starts DuckDB on a second thread while it parses, expecting to build the
     * tables (the decision itself is taken on the events stored): about {@link #TABLES_FROM_EVENTS} lines of a text
     * trace (~116 bytes a line in the shared ftrace capture). The launcher's warm-up ({@link Warmup}) uses it too.
     */
    static final long TABLES_EXPECTED_FROM_BYTES = 1_200_000;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TraceFormat fmt = null;
        if (format != null) {
            try {
                fmt = TraceFormat.fromCliName(format);
            } catch (IllegalArgumentException e) {
                err.println("vmalock ingest: " + e.getMessage());
                err.flush();
                return ExitCode.USAGE;
            }
        }
        if (kernel != null && !kernel.trim().matches("v?\\d+\\.\\d+.*")) {
            err.println("vmalock ingest: --kernel " + kernel + ": not a kernel release (MAJOR.MINOR…, as uname -r prints)");
            err.flush();
            return ExitCode.USAGE;
        }
        if (kernelConfig != null) {
            for (java.util.Map.Entry<String, String> e : kernelConfig.entrySet()) {
                if (!e.getKey().equals("CONFIG_PER_VMA_LOCK") && !e.getKey().equals("CONFIG_PER_VMA_LOCK_STATS")
                        || !e.getValue().equals("y") && !e.getValue().equals("n")) {
                    err.println("vmalock ingest: --kernel-config " + e.getKey() + "=" + e.getValue()
                            + ": expected CONFIG_PER_VMA_LOCK or CONFIG_PER_VMA_LOCK_STATS = y or n");
                    err.flush();
                    return ExitCode.USAGE;
                }
            }
        }
        if (threads != null && (threads < 1 || threads > 256) || chunkBytes != null && chunkBytes < 1) {
            err.println("vmalock ingest: " + (chunkBytes != null && chunkBytes < 1 ? "--chunk-bytes must be at least 1"
                    : "--threads must be 1 to 256, not " + threads));
            err.flush();
            return ExitCode.USAGE;
        }
        if (files.stream().filter(f -> f.toString().equals("-")).count() > 1) {
            return Failure.report(err, "ingest: '-' (standard input) can be read only once", ExitCode.USAGE);
        }
        if (tables && noTables) {
            return Failure.report(err, "ingest: --tables and --no-tables cannot be combined", ExitCode.USAGE);
        }
        int worst = ExitCode.OK;
        IngestTables db = null;
        try (Workspace ws = Workspace.forIngest(workspace)) {
            // the stats cache (stats-observed.json) stays until a source is committed: a failed ingest leaves the
            // workspace as it was; it names the sources it describes, so it is never taken for a later set
            int before = ws.manifest().sources.size();
            if (!noTables && (tables || tablesExpected(ws, files))) {
                db = IngestTables.start(ws, before > 0); // DuckDB starts while the files are parsed
            }
            for (Path file : files) {
                boolean stdin = file.toString().equals("-"); // a file named '-' is ./-
                String label = stdin ? Ingester.STDIN_NAME : file.toString();
                ProblemPrinter problems = new ProblemPrinter(err, label);
                Progress progress = Progress.forTerminal(err, label);
                Manifest.Source s;
                try {
                    Ingester.Observer observer = new Ingester.Observer() {
                        @Override
                        public void started(IngestSession session) {
                            if (kernel != null) {
                                session.entry().kernel = kernel.trim();
                                session.entry().kernelFrom = "ingest --kernel";
                            }
                            if (kernelConfig != null) session.entry().kernelConfig = new java.util.TreeMap<>(kernelConfig);
                            progress.start(session::progressBytes, session.entry().size, "B");
                        }

                        @Override
                        public void problem(Manifest.Source src, long line, String reason) {
                            progress.clear();
                            problems.problem(line, reason);
                        }
                    };
                    s = stdin ? Ingester.ingest(ws, stdinStream(), fmt, strict, observer, parallelism(null))
                            : Ingester.ingest(ws, file, fmt, strict, observer, parallelism(file));
                } catch (TraceInputException | DuplicateSourceException e) {
                    progress.stop();
                    problems.discard(); // a refused file: its one-line error says it all
                    err.println("vmalock: " + e.getMessage());
                    err.flush();
                    worst = Math.max(worst, ExitCode.INPUT);
                    if (strict) {
                        break;
                    }
                    continue;
                } finally {
                    progress.stop();
                }
                problems.flush();
                problems.finish(s.problems);
                out.println(String.format(Locale.ROOT,
                        "source %d: %s:%n  %s, %s clock, %,d lines: %,d events, %,d non-event lines, %,d problems",
                        s.index, label, s.format, s.clock, s.linesTotal, s.events, s.nonEventLines, s.problems));
                out.flush();
                if (s.lostEvents > 0 || s.lostEventMarkers > 0) {
                    err.println(String.format(Locale.ROOT, "vmalock: warning: %s: the trace lost %,d events (%,d markers%s); "
                            + "its figures are flagged as lossy", label, s.lostEvents, s.lostEventMarkers,
                            s.lostEventMarkersWithoutCount > 0 ? ", " + s.lostEventMarkersWithoutCount + " without a count" : ""));
                }
                if (s.headerEntriesWritten != null && s.headerEntriesWritten > s.headerEntriesInBuffer) {
                    err.println(String.format(Locale.ROOT, "vmalock: warning: %s: the ring buffer overwrote %,d entries "
                            + "(entries-in-buffer/entries-written %d/%d); the oldest events are missing", label,
                            s.headerEntriesWritten - s.headerEntriesInBuffer, s.headerEntriesInBuffer, s.headerEntriesWritten));
                }
                err.flush();
                if (s.problems > 0) {
                    worst = Math.max(worst, ExitCode.PROBLEMS);
                }
            }
            List<Manifest.Source> stored = ws.manifest().sources;
            if (!stored.isEmpty() && !noTables && (tables || Workspace.records(stored) >= TABLES_FROM_EVENTS)) {
                if (db == null) db = IngestTables.start(ws, before > 0);
                db.finish(ws, err);
            } else if (stored.size() != before) {
                vmalock.db.ObservedRun.dropStatsCache(ws.dir()); // describes the sources before this ingest
                if (!noTables) storeStats(ws, err); // a small workspace: the figures without DuckDB
            }
        } catch (StoreException e) {
            err.println("vmalock: " + e.getMessage());
            err.flush();
            return ExitCode.WORKSPACE;
        } finally {
            if (db != null) db.close();
        }
        return worst;
    }

    /**
     * Whether this ingest will likely build the tables ({@link #TABLES_FROM_EVENTS}), so that DuckDB should start
     * now: the workspace holds that many events already, standard input is read (its size is unknown), or the files
     * add up to {@link #TABLES_EXPECTED_FROM_BYTES} (a compressed file counts by its compressed size: one that holds
     * more gets its tables built after the parse, DuckDB's start then not overlapped).
     */
    static boolean tablesExpected(Workspace ws, List<Path> files) {
        return Workspace.records(ws.manifest().sources) >= TABLES_FROM_EVENTS || largeInput(files);
    }

    /** Standard input among the inputs, or files that add up to {@link #TABLES_EXPECTED_FROM_BYTES}. */
    static boolean largeInput(List<Path> files) {
        long bytes = 0;
        for (Path f : files) {
            if (f.toString().equals("-")) {
                return true;
            }
            try {
                bytes += java.nio.file.Files.size(f);
            } catch (java.io.IOException e) {
                // the ingest reports the file
            }
        }
        return bytes >= TABLES_EXPECTED_FROM_BYTES;
    }

    /** The stats figures of a workspace whose tables are left for later; a failure is a warning (stats computes them). */
    private static void storeStats(Workspace ws, PrintWriter err) {
        try {
            JavaStats.store(ws);
        } catch (StoreException e) {
            err.println("vmalock: warning: the stats figures were not stored (" + e.getMessage() + "); stats computes them");
            err.flush();
        }
    }

    /** How many threads parse {@code file} (standard input: null, copied to a file first): --threads, or by its size. */
    private Parallelism parallelism(Path file) {
        int n;
        if (threads != null) {
            n = threads;
        } else {
            long size = 0;
            try {
                size = file == null ? 0 : java.nio.file.Files.size(file);
            } catch (java.io.IOException e) {
                // the ingest reports the file
            }
            n = Parallelism.auto(size).threads();
        }
        return chunkBytes == null ? Parallelism.of(n) : new Parallelism(n, chunkBytes);
    }

    /** Standard input (tests replace it with System.setIn). */
    static java.io.InputStream stdinStream() {
        return System.in;
    }

    /**
     * Prints the first {@link #SHOWN_PROBLEMS} problems of a file as FILE:LINE: REASON, then the total. They are
     * held until the file is done: a file refused as a whole (not a trace, wrong --format) gets one line only.
     */
    static final class ProblemPrinter {
        private final PrintWriter err;
        private final String file;
        private final java.util.List<String> held = new java.util.ArrayList<>();
        private long seen;

        ProblemPrinter(PrintWriter err, String file) {
            this.err = err;
            this.file = file;
        }

        void problem(long line, String reason) {
            if (++seen <= SHOWN_PROBLEMS) {
                held.add(file + ":" + line + ": " + reason);
            }
        }

        void flush() {
            held.forEach(err::println);
            held.clear();
            err.flush();
        }

        void discard() {
            held.clear();
        }

        void finish(long total) {
            if (total > SHOWN_PROBLEMS) {
                err.println(String.format(Locale.ROOT, "%s: %,d bad lines skipped in total (first %d shown)", file, total,
                        SHOWN_PROBLEMS));
            } else if (total > 0) {
                err.println(String.format(Locale.ROOT, "%s: %,d bad lines skipped", file, total));
            }
            err.flush();
        }
    }
}
