package vmalock.store;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import vmalock.parse.Parallelism;
import vmalock.parse.SourceResult;
import vmalock.parse.TraceFormat;
import vmalock.parse.TraceInputException;
import vmalock.parse.TraceParsers;

/**
 * Ingests one trace file into a workspace: checksum (refusing a file already there), parse straight
 * into an {@link IngestSession}, commit the manifest entry. A file that cannot be used, or a
 * {@code --strict} stop, aborts the session: nothing of that file becomes visible, and sources already
 * in the workspace are untouched.
 */
public final class Ingester {
    private Ingester() {
    }

    /** Called when an ingest starts, so a progress display can watch the session. */
    public interface Observer extends IngestSession.ProblemListener {
        default void started(IngestSession session) {
        }
    }

    /**
     * @param format the format, or null to detect it
     * @throws TraceInputException the file is missing, unreadable, empty, not a trace, or (strict) has a bad line
     * @throws DuplicateSourceException a file with the same size and checksum is already in the workspace
     * @throws StoreException the workspace cannot be written
     */
    public static Manifest.Source ingest(Workspace ws, Path file, TraceFormat format, boolean strict, Observer observer)
            throws TraceInputException {
        return ingest(ws, file, format, strict, observer, Parallelism.ONE);
    }

    /**
     * @param par how many threads parse the file ({@link Parallelism}); the stored events, counts and problems
     *            are the same whatever it is
     */
    public static Manifest.Source ingest(Workspace ws, Path file, TraceFormat format, boolean strict, Observer observer,
            Parallelism par) throws TraceInputException {
        return ingest(ws, file, null, format, strict, observer, par);
    }

    /** What messages and the manifest call a trace read from standard input. */
    public static final String STDIN_NAME = "(standard input)";

    /**
     * Ingests a trace read from a stream ({@code ingest -}: standard input). It is copied to a temporary file in
     * the workspace first (deleted afterwards), so it is checksummed, refused as a duplicate and committed like
     * a file; messages and the manifest name it {@link #STDIN_NAME}.
     */
    public static Manifest.Source ingest(Workspace ws, java.io.InputStream in, TraceFormat format, boolean strict,
            Observer observer, Parallelism par) throws TraceInputException {
        Path tmp;
        try {
            tmp = Files.createTempFile(ws.dir(), ".stdin-", ".tmp");
        } catch (IOException e) {
            throw new StoreException(ws.dir() + ": cannot store standard input: " + e.getMessage(), e);
        }
        try {
            try (java.io.OutputStream out = Files.newOutputStream(tmp)) {
                in.transferTo(out);
            } catch (IOException e) {
                throw new TraceInputException(STDIN_NAME + ": cannot read or store it (" + e.getMessage() + ")");
            }
            return ingest(ws, tmp, STDIN_NAME, format, strict, observer, par);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a temporary copy; the ingest's own outcome is what matters
            }
        }
    }

    private static Manifest.Source ingest(Workspace ws, Path file, String label, TraceFormat format, boolean strict,
            Observer observer, Parallelism par) throws TraceInputException {
        String name = label != null ? label : file.toString();
        if (Files.isDirectory(file)) {
            throw new TraceInputException(name + ": is a directory, not a trace file");
        }
        long size;
        String checksum = null;
        try {
            size = Files.size(file);
            // The checksum only matters when a source of the same size is already there: then it is
            // computed first, so a duplicate is refused before any parsing. Otherwise it is computed
            // by the parse's own read of the file (one pass instead of two).
            if (ws.hasSourceOfSize(size)) {
                checksum = Checksums.of(file);
            }
        } catch (NoSuchFileException e) {
            throw new TraceInputException(name + ": no such file");
        } catch (AccessDeniedException e) {
            throw new TraceInputException(name + ": cannot read (permission denied)");
        } catch (IOException e) {
            throw new TraceInputException(name + ": cannot read (" + e.getMessage() + ")");
        }
        IngestSession session = ws.beginSource(label != null ? Path.of(label) : file, size, checksum);
        if (label != null) {
            session.entry().path = label;
            session.entry().name = label;
        }
        try {
            if (observer != null) {
                session.onProblem(observer);
                observer.started(session);
            }
            Checksums.Running running = checksum == null ? new Checksums.Running() : null;
            java.util.function.Consumer<java.nio.ByteBuffer> tap = buf -> {
                session.addProgressBytes(buf.remaining());
                if (running != null) running.accept(buf);
            };
            SourceResult r = TraceParsers.parse(file, name, format, session.sourceIndex(), session, strict, tap, par);
            refuseUnusable(name, r);
            refuseSameCapture(file, ws, r);
            if (running != null) {
                Manifest.Source entry = session.entry();
                entry.size = running.bytes(); // what was read and checksummed, even if the file grew meanwhile
                entry.checksum = running.value();
                Manifest.Source dup = ws.findSame(entry.size, entry.checksum);
                if (dup != null) { // the file grew to an ingested one's size while being read: still refuse
                    throw Workspace.duplicate(label != null ? Path.of(label) : file, ws.dir(), dup);
                }
            }
            IngestSession.Details d = new IngestSession.Details();
            d.format = r.format().cliName();
            d.clock = r.clock();
            d.counterClock = r.isCounterClock();
            d.barePointers = r.format() == TraceFormat.FTRACE;
            if (r.headerEntriesInBuffer() >= 0) {
                d.headerEntriesInBuffer = r.headerEntriesInBuffer();
                d.headerEntriesWritten = r.headerEntriesWritten();
            }
            d.linesTotal = r.linesTotal();
            return session.commit(d);
        } finally {
            session.abort(); // no-op after a commit
        }
    }

    /**
     * A file in which no line is an event, or most lines are problems (not a trace, or a trace forced to the
     * wrong {@code --format}), is refused rather than stored as a source nobody can use or re-ingest.
     */
    /**
     * The same capture stored differently (gzip/xz/zstd or plain, CRLF aside: the checksum is of the bytes
     * as stored) is refused as a duplicate too: a source with the same format, lines, events, lost events
     * and first and last timestamps (to the ns) is the same capture; counting it twice doubles every figure.
     */
    /** gzip, xz or zstd, by the file's magic bytes (or, for a file no longer there, its name). */
    static boolean compressed(Path f) {
        String n = f.getFileName() == null ? "" : f.getFileName().toString();
        byte[] h = new byte[6];
        try (var in = java.nio.file.Files.newInputStream(f)) {
            int k = in.readNBytes(h, 0, 6);
            return (k >= 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b)
                    || (k >= 6 && (h[0] & 0xff) == 0xfd && h[1] == '7' && h[2] == 'z' && h[3] == 'X' && h[4] == 'Z' && h[5] == 0)
                    || (k >= 4 && (h[0] & 0xff) == 0x28 && (h[1] & 0xff) == 0xb5 && (h[2] & 0xff) == 0x2f && (h[3] & 0xff) == 0xfd);
        } catch (java.io.IOException | RuntimeException e) {
            return n.endsWith(".gz") || n.endsWith(".xz") || n.endsWith(".zst");
        }
    }

    private static void refuseSameCapture(Path file, Workspace ws, SourceResult r) {
        boolean compressed = compressed(file);
        for (Manifest.Source s : ws.manifest().sources) {
            // only across storage forms: two plain files of equal counts and ends may still differ inside
            if ((compressed || compressed(Path.of(s.path))) && s.format.equals(r.format().cliName()) && s.linesTotal == r.linesTotal() && s.events == r.events()
                    && s.lostEvents == r.lostEvents() && s.firstTs != null && s.firstTs == r.firstTs()
                    && s.lastTs != null && s.lastTs == r.lastTs()) {
                throw new DuplicateSourceException(file + ": already in workspace " + ws.dir() + " as source " + s.index
                        + " (" + s.path + ": the same capture — same lines, events and first/last timestamps — stored "
                        + "differently, e.g. compressed); not ingested again");
            }
        }
    }

    static void refuseUnusable(String name, SourceResult r) throws TraceInputException {
        String as = r.format() == null ? "" : " as " + r.format().cliName();
        // one line naming the file, the first bad line and its reason, then why the whole file is refused
        String first = r.firstProblems().isEmpty() ? name
                : name + ":" + r.firstProblems().get(0).line() + ": " + r.firstProblems().get(0).reason() + ";";
        if (r.events() == 0 && r.lostMarkers() == 0) {
            throw new TraceInputException(String.format(java.util.Locale.ROOT,
                    "%s no line%s is a trace event (%,d lines, %,d problems): not ingested", first.endsWith(";") ? first
                            : first + ":", as, r.linesTotal(), r.problems()));
        }
        if (r.problems() * 2 > r.linesTotal()) {
            throw new TraceInputException(String.format(java.util.Locale.ROOT,
                    "%s most lines%s are problems (%,d of %,d lines): not ingested; is --format right?", first, as,
                    r.problems(), r.linesTotal()));
        }
    }
}
