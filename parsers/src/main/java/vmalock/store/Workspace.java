package vmalock.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.ChronicleQueue;

/**
 * A workspace directory: {@code queue/} (Chronicle Queue of event blocks, see {@link BlockCodec}),
 * {@code manifest.json} (see {@link Manifest}) and {@code .lock} (held while ingesting).
 *
 * <p>Open it with {@link #forIngest} to append sources (one writer at a time, enforced by a file
 * lock) or {@link #open} to read. Close it to release the queue and the lock.
 */
public final class Workspace implements AutoCloseable {
    static final String QUEUE_DIR = "queue";
    static final String LOCK_FILE = ".lock";

    private final Path dir;
    private final boolean writable;
    /** Opened for ingest with no manifest yet: if nothing gets committed, {@link #close} removes what the ingest made. */
    private boolean fresh;
    /** The topmost folder {@link #forIngest} created (null: it existed), removed with a fresh workspace left empty. */
    private Path created;
    private Manifest manifest;
    private FileChannel lockChannel;
    private FileLock lock;
    private ChronicleQueue queue;
    private IngestSession active;
    private EventFilter filter;
    /** The open readers, and what the closed ones read, for {@link #eventsRead}. */
    private final List<EventReader> readers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong closedReadersRead = new java.util.concurrent.atomic.AtomicLong();

    private Workspace(Path dir, boolean writable, Manifest manifest) {
        this.dir = dir;
        this.writable = writable;
        this.manifest = manifest;
    }

    /** Opens (creating if needed) a workspace for ingest and takes its lock. */
    public static Workspace forIngest(Path dir) {
        dir = dir.toAbsolutePath().normalize();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new StoreException(dir + ": workspace path exists and is not a directory");
        }
        boolean existing = Files.exists(dir.resolve(Manifest.FILE));
        if (!existing && Files.isDirectory(dir) && !isEmptyOrOnlyOurs(dir)) {
            throw new StoreException(dir + ": directory is not empty and is not a vmalock workspace; choose a new -w DIR");
        }
        Path created = null; // the topmost folder this ingest creates, removed again if nothing is committed
        for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) {
            created = p;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException(dir + ": cannot create workspace directory: " + reason(e), e);
        }
        Workspace ws = new Workspace(dir, true, existing ? Manifest.read(dir) : new Manifest());
        ws.fresh = !existing;
        ws.created = created;
        ws.lock();
        ws.deleteStaleStdinCopies();
        // re-read under the lock: another ingest may have committed between our read and the lock
        if (Files.exists(dir.resolve(Manifest.FILE))) {
            ws.manifest = Manifest.read(dir);
        }
        return ws;
    }

    /** Opens an existing workspace for reading. */
    public static Workspace open(Path dir) {
        dir = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new StoreException(dir + ": no such workspace directory");
        }
        return new Workspace(dir, false, Manifest.read(dir));
    }

    public Path dir() {
        return dir;
    }

    public Manifest manifest() {
        return manifest;
    }

    /** Whether a complete source has this size (only then can a file be a duplicate). */
    public boolean hasSourceOfSize(long size) {
        for (Manifest.Source s : manifest.sources) {
            if (s.size == size) {
                return true;
            }
        }
        return false;
    }

    static DuplicateSourceException duplicate(Path file, Path dir, Manifest.Source dup) {
        return new DuplicateSourceException(file + ": already in workspace " + dir + " as source " + dup.index
                + " (" + dup.path + ", same size and checksum " + dup.checksum + "); not ingested again");
    }

    /** The complete source with this size and checksum, or null. */
    public Manifest.Source findSame(long size, String checksum) {
        for (Manifest.Source s : manifest.sources) {
            if (s.size == size && s.checksum.equals(checksum)) {
                return s;
            }
        }
        return null;
    }

    /**
     * Starts appending one source. Refuses a file whose size and checksum are already in the workspace.
     * A null checksum means it is not known yet: the caller sets {@code entry().checksum} before commit
     * and checks for a duplicate itself.
     * Events go into the returned sink; {@link IngestSession#commit} makes them visible.
     */
    public IngestSession beginSource(Path file, long size, String checksum) {
        if (!writable) {
            throw new IllegalStateException("workspace opened read-only");
        }
        if (active != null && !active.finished()) {
            throw new IllegalStateException("another source is still being ingested");
        }
        Manifest.Source dup = checksum == null ? null : findSame(size, checksum);
        if (dup != null) {
            throw duplicate(file, dir, dup);
        }
        int index = manifest.nextSource;
        for (Manifest.Source s : manifest.sources) {
            index = Math.max(index, s.index + 1);
        }
        active = new IngestSession(this, queue(), index, file, size, checksum);
        return active;
    }

    /** Called by a session's commit: appends its entry and rewrites the manifest atomically. */
    void commit(Manifest.Source entry) {
        Manifest next = new Manifest();
        next.sources.addAll(manifest.sources);
        next.sources.add(entry);
        next.removedBlocks = manifest.removedBlocks;
        next.nextSource = Math.max(manifest.nextSource, entry.index + 1);
        next.write(dir);
        manifest = next;
    }

    /**
     * Removes a source ({@code vmalock remove}): its manifest entry goes (one atomic rewrite, like an ingest's
     * commit), so no reader sees its events again and the same file can be ingested anew. Its event blocks stay
     * in the queue file, counted as {@link Manifest#removedBlocks} (not taken for an interrupted ingest's); when
     * no source is left the queue is deleted. Its index is not given to a later source. Needs {@link #forIngest}.
     *
     * @return the removed entry
     * @throws StoreException no such source, or the manifest cannot be written
     */
    public Manifest.Source removeSource(int index) {
        if (!writable) {
            throw new IllegalStateException("workspace opened read-only");
        }
        Manifest.Source gone = manifest.source(index);
        if (gone == null) {
            throw new StoreException(dir + ": no source " + index + " in this workspace (sources: " + indexList() + ")");
        }
        Manifest next = new Manifest();
        for (Manifest.Source s : manifest.sources) {
            if (s != gone) next.sources.add(s);
        }
        next.nextSource = Math.max(manifest.nextSource, gone.index + 1);
        for (Manifest.Source s : manifest.sources) {
            next.nextSource = Math.max(next.nextSource, s.index + 1);
        }
        next.removedBlocks = next.sources.isEmpty() ? 0 : manifest.removedBlocks + gone.blocks;
        next.write(dir);
        manifest = next;
        if (next.sources.isEmpty()) {
            // nothing references the queue any more: give its space back
            if (queue != null) {
                queue.close();
                queue = null;
            }
            deleteTree(dir.resolve(QUEUE_DIR));
        }
        return gone;
    }

    private String indexList() {
        List<String> l = new ArrayList<>();
        manifest.sources.forEach(s -> l.add(Integer.toString(s.index)));
        return l.isEmpty() ? "none" : String.join(", ", l);
    }

    /** Deletes a file or folder with everything in it (nothing if absent). */
    public static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(x);
            }
        } catch (IOException e) {
            throw new StoreException(p + ": cannot delete: " + reason(e), e);
        }
    }

    /**
     * The complete sources with these indexes, in the given order; all sources when {@code indexes} is
     * null or empty.
     */
    public List<Manifest.Source> sources(List<Integer> indexes) {
        if (indexes == null || indexes.isEmpty()) {
            return manifest.sources;
        }
        List<Manifest.Source> l = new ArrayList<>();
        for (int i : indexes) {
            Manifest.Source s = manifest.source(i);
            if (s == null) {
                throw new StoreException(dir + ": no source " + i + " in this workspace (it has sources 0.."
                        + (manifest.sources.size() - 1) + ")");
            }
            l.add(s);
        }
        return l;
    }

    /** A reader over all complete sources, in ingest order. */
    public EventReader reader() {
        return reader(manifest.sources);
    }

    /**
     * Makes every later {@link #reader} return only the events {@code f} accepts (null or empty: all).
     * Not for building the workspace database, which always holds every event.
     */
    public void filter(EventFilter f) {
        filter = f == null || f.isEmpty() ? null : f;
    }

    /** The filter set with {@link #filter}, or null. */
    public EventFilter filter() {
        return filter;
    }

    /** A reader over the given sources (complete entries of this workspace's manifest), filtered if a filter is set. */
    public EventReader reader(List<Manifest.Source> sources) {
        EventReader r = unfilteredReader(sources);
        if (filter != null) {
            filter.prepare(this, sources);
            r.filter = filter;
        }
        return r;
    }

    /**
     * Events read so far by every reader of this workspace (a progress display's count; it lags by up to a
     * block). Compare with {@link #records}.
     */
    public long eventsRead() {
        long n = closedReadersRead.get();
        for (EventReader r : readers) {
            n += r.progress();
        }
        return n;
    }

    /** Stored records (events and lost markers) of these sources: what one pass over them reads. */
    public static long records(List<Manifest.Source> sources) {
        long n = 0;
        for (Manifest.Source s : sources) {
            n += s.records;
        }
        return n;
    }

    /** A reader over the given sources, ignoring {@link #filter}. */
    public EventReader unfilteredReader(List<Manifest.Source> sources) {
        EventReader r = newReader(sources);
        readers.add(r);
        r.onClose = x -> {
            if (readers.remove(x)) closedReadersRead.addAndGet(x.decoded()); // not kept: its buffers go with it
        };
        return r;
    }

    private EventReader newReader(List<Manifest.Source> sources) {
        List<Manifest.Source> withEvents = new ArrayList<>();
        for (Manifest.Source s : sources) {
            if (s.blocks > 0) {
                withEvents.add(s);
            }
        }
        return new EventReader(dir, withEvents.isEmpty() ? null : queue(), withEvents);
    }

    /** Stored blocks no complete source owns (left by interrupted ingests); readers never visit them. */
    public long orphanBlocks() {
        if (!Files.isDirectory(dir.resolve(QUEUE_DIR)) || !hasCycleFile()) {
            return 0;
        }
        long committed = manifest.removedBlocks;
        for (Manifest.Source s : manifest.sources) {
            committed += s.blocks;
        }
        long last = queue().lastIndex();
        if (last < 0) {
            return 0;
        }
        // one cycle (see Queues): indexes are contiguous, so the total is last - first + 1
        return Math.max(0, last - queue().firstIndex() + 1 - committed);
    }

    private boolean hasCycleFile() {
        try (Stream<Path> s = Files.list(dir.resolve(QUEUE_DIR))) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".cq4"));
        } catch (IOException e) {
            return false;
        }
    }

    ChronicleQueue queue() {
        if (queue == null) {
            Path q = dir.resolve(QUEUE_DIR);
            if (!writable && !Files.isDirectory(q)) {
                throw new StoreException(dir + ": damaged workspace: the manifest lists events but " + QUEUE_DIR + "/ is missing");
            }
            try {
                queue = Queues.open(q, !writable);
            } catch (RuntimeException e) {
                throw new StoreException(dir + ": cannot open the event queue: " + Manifest.firstLine(e.getMessage()), e);
            }
        }
        return queue;
    }

    private void lock() {
        Path lockFile = dir.resolve(LOCK_FILE);
        try {
            lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            closeQuietly();
            throw new StoreException(dir + ": cannot lock workspace: " + reason(e), e);
        }
        if (lock == null) {
            closeQuietly();
            throw new StoreException(dir + ": workspace is busy: another vmalock ingest is writing to it");
        }
    }

    @Override
    public void close() {
        if (active != null && !active.finished()) {
            active.abort();
        }
        closeQuietly();
        if (writable && fresh && !Files.exists(dir.resolve(Manifest.FILE))) {
            removeUncommitted();
        }
    }

    /**
     * A workspace that an ingest created and into which it committed nothing (a refused file, a full disk,
     * an error) is removed again, with the folders the ingest created: the path is as it was before. Only
     * vmalock's own files are deleted; anything else keeps the folder.
     */
    private void removeUncommitted() {
        try {
            deleteTree(dir.resolve(QUEUE_DIR));
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    String n = p.getFileName().toString();
                    if (n.equals(LOCK_FILE) || n.equals(Manifest.FILE + ".tmp") || isStdinCopy(n) || n.startsWith("vmalock.duckdb")
                            || n.startsWith("stats-observed.json")) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            if (created != null) {
                for (Path p = dir; p != null && p.startsWith(created); p = p.getParent()) {
                    try (Stream<Path> s = Files.list(p)) {
                        if (s.findAny().isPresent()) break;
                    }
                    Files.delete(p);
                }
            }
        } catch (IOException | StoreException e) {
            // best effort: what is left holds no source, and the next ingest into it starts afresh
        }
    }

    private void closeQuietly() {
        if (queue != null) {
            queue.close();
            queue = null;
        }
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException ignored) {
            // releasing a lock on close: the OS drops it with the process anyway
        }
        lock = null;
        lockChannel = null;
    }

    /** A copy of standard input being ingested ({@code Ingester}, {@code ingest -}). */
    static boolean isStdinCopy(String name) {
        return name.startsWith(".stdin-") && name.endsWith(".tmp");
    }

    /** Copies of standard input left by a killed ingest: under the lock, no other ingest is using one. */
    private void deleteStaleStdinCopies() {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (isStdinCopy(p.getFileName().toString())) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            // a leftover copy only costs space; the next ingest tries again
        }
    }

    private static boolean isEmptyOrOnlyOurs(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.allMatch(p -> {
                String n = p.getFileName().toString();
                return n.equals(QUEUE_DIR) || n.equals(LOCK_FILE) || n.equals(Manifest.FILE + ".tmp") || isStdinCopy(n);
            });
        } catch (IOException e) {
            return false;
        }
    }

    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
