package vmalock.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import vmalock.event.Event;
import vmalock.parse.CsvEventWriter;
import vmalock.store.EventReader;
import vmalock.store.Manifest;
import vmalock.store.StoreException;
import vmalock.store.Workspace;

/**
 * {@code vmalock export -w DIR -o FILE}: the stored events as CSV (re-ingestable with {@code ingest});
 * {@code --table T [--format csv|parquet] [--run ID…]}: a table of the workspace's DuckDB database.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write the events of a workspace as CSV: a '# vmalock-events clock=…' line, a header row, one row "
                + "per event with every field of the canonical event (lost-event markers included).",
            "`vmalock ingest` reads the file back into an identical event stream.",
            "With --table: a table of the workspace's DuckDB database (lock_spans, faults, events, …; see "
                + "queries/README.md) as CSV (Commons CSV) or Parquet (--format parquet), for some runs (--run) or all."})
public final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-w", "--workspace"}, required = true, paramLabel = "DIR", description = "workspace directory")
    Path workspace;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "CSV file to write ('-' for stdout)")
    String output;

    @Option(names = "--source", split = ",", paramLabel = "N", description = "only these sources; default all")
    List<Integer> sources;

    @Option(names = "--table", paramLabel = "T", description = "export this table of the workspace database instead of the events")
    String table;

    @Option(names = "--format", paramLabel = "FMT", defaultValue = "csv", description = "csv (default) or parquet (a table: --table T, or the events table without --table)")
    String format;

    @Option(names = "--run", paramLabel = "ID", description = "with --table: only these runs (repeatable; default all)")
    List<String> runs = new java.util.ArrayList<>();

    @picocli.CommandLine.Mixin
    FilterOptions filters;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Path out = "-".equals(output) ? null : Path.of(output);
        if (table == null && !"csv".equalsIgnoreCase(format)) {
            if (sources != null) {
                err.println("vmalock export: --format " + format + " writes a table (the events by default); --source "
                        + "selects sources of the CSV event export only");
                err.flush();
                return ExitCode.USAGE;
            }
            table = "events"; // --format parquet without --table: the events table, not CSV in a .parquet file
        }
        if (table != null && filters.active()) {
            err.println("vmalock export: the filters (--pid, --tid, --comm, --mm, --from, --to) select events of the CSV "
                    + "event export; a table (--table, --format parquet) is exported whole");
            err.flush();
            return ExitCode.USAGE;
        }
        if (table != null) {
            return exportTable(out, err);
        }
        try (Workspace ws = Workspace.open(workspace)) {
            List<Manifest.Source> src = ws.sources(sources);
            vmalock.store.EventFilter filter;
            try {
                filter = filters.build(src);
            } catch (IllegalArgumentException e) {
                return Failure.report(err, "export: " + e.getMessage(), ExitCode.USAGE);
            }
            ws.filter(filter);
            Set<String> clocks = new LinkedHashSet<>();
            src.forEach(s -> clocks.add(s.clock));
            String clock = clocks.size() == 1 ? clocks.iterator().next() : null;
            if (clocks.size() > 1) {
                err.println("vmalock: warning: sources use different clocks " + clocks + "; the CSV carries no clock line");
            }
            long n;
            if (out == null) {
                Writer w = new BufferedWriter(checked(spec.commandLine().getOut()), 1 << 16);
                n = write(ws, src, clock, w);
                w.flush();
            } else if (Files.exists(out) && !Files.isRegularFile(out)) {
                // a device or a pipe (/dev/full, /dev/stdout, a FIFO): written in place, never replaced
                try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                    n = write(ws, src, clock, w);
                }
                err.println(String.format(java.util.Locale.ROOT, "vmalock: wrote %,d events to %s", n, out));
            } else {
                Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
                try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                    n = write(ws, src, clock, w);
                } catch (IOException | UncheckedIOException | StoreException e) {
                    Files.deleteIfExists(tmp);
                    throw e;
                }
                Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                err.println(String.format(java.util.Locale.ROOT, "vmalock: wrote %,d events to %s", n, out));
            }
            if (filter != null) {
                err.println("vmalock: " + filter.summary());
            }
            err.flush();
            return ExitCode.OK;
        } catch (StoreException e) {
            err.println("vmalock: " + e.getMessage());
            err.flush();
            return ExitCode.WORKSPACE;
        } catch (IOException | UncheckedIOException e) {
            err.println("vmalock: cannot write " + output + ": " + e.getMessage());
            err.flush();
            return ExitCode.INPUT;
        }
    }

    private int exportTable(Path out, PrintWriter err) {
        boolean parquet;
        if ("parquet".equalsIgnoreCase(format)) {
            parquet = true;
        } else if ("csv".equalsIgnoreCase(format)) {
            parquet = false;
        } else {
            err.println("vmalock export: unknown format '" + format + "' (expected csv or parquet)");
            err.flush();
            return ExitCode.USAGE;
        }
        if (!vmalock.db.TableExport.tables().contains(table)) {
            err.println("vmalock export: no table " + table + " (tables: " + String.join(", ", vmalock.db.TableExport.tables()) + ")");
            err.flush();
            return ExitCode.USAGE;
        }
        if (parquet && out == null) {
            err.println("vmalock export: Parquet needs a file (-o FILE), not stdout");
            err.flush();
            return ExitCode.USAGE;
        }
        return DbCommands.withDb(workspace, err, "export", (db, events) -> {
            long n;
            if (parquet) {
                n = vmalock.db.TableExport.parquet(db, table, runs, events, out);
            } else if (out == null) {
                try {
                    Writer w = new BufferedWriter(checked(spec.commandLine().getOut()), 1 << 16);
                    n = vmalock.db.TableExport.csv(db, table, runs, events, w);
                    w.flush();
                } catch (IOException | UncheckedIOException e) {
                    err.println("vmalock export: cannot write to standard output: " + rootMessage(e));
                    return ExitCode.OUTPUT;
                }
            } else {
                boolean inPlace = Files.exists(out) && !Files.isRegularFile(out);
                Path tmp = inPlace ? out : out.resolveSibling(out.getFileName() + ".tmp");
                try {
                    try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                        n = vmalock.db.TableExport.csv(db, table, runs, events, w);
                    }
                    if (!inPlace) {
                        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (IOException | UncheckedIOException e) {
                    try {
                        if (!inPlace) Files.deleteIfExists(tmp);
                    } catch (IOException ignored) {
                        // the write error below is the one to report
                    }
                    err.println("vmalock export: cannot write " + out + ": " + rootMessage(e));
                    return ExitCode.OUTPUT;
                }
            }
            if (out != null) {
                err.println(String.format(java.util.Locale.ROOT, "vmalock: wrote %,d rows of %s to %s", n, table, out));
            }
            return ExitCode.OK;
        });
    }

    private static String rootMessage(Exception e) {
        Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        return t.getMessage();
    }

    /** Standard output as a Writer that throws once a write failed (a PrintWriter only sets a flag). */
    static Writer checked(PrintWriter out) {
        return new Writer() {
            @Override
            public void write(char[] c, int off, int len) throws IOException {
                out.write(c, off, len);
                check();
            }

            @Override
            public void flush() throws IOException {
                check(); // checkError flushes
            }

            @Override
            public void close() throws IOException {
                flush();
            }

            private void check() throws IOException {
                if (out.checkError()) {
                    throw new IOException("cannot write to standard output (disk full, or the reader went away)");
                }
            }
        };
    }

    private static long write(Workspace ws, List<Manifest.Source> src, String clock, Writer w) throws IOException {
        long n = 0;
        CsvEventWriter csv = new CsvEventWriter(w, clock);
        try (EventReader r = ws.reader(src)) {
            Event e = new Event();
            while (r.next(e)) {
                csv.write(e);
                n++;
            }
        }
        csv.flush();
        return n;
    }
}
