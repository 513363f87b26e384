package vmalock.store;

import java.nio.file.Path;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.UnsafeMemory;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import vmalock.event.Event;
import vmalock.event.EventKind;
import vmalock.event.EventSink;

/**
 * Appends one source's events to the workspace queue, in the order the parser delivers them, and
 * counts what the manifest records about it. Nothing becomes visible to readers until {@link #commit};
 * a session closed without commit (error, {@code --strict} stop, crash) leaves only orphan blocks that
 * no manifest entry points at.
 */
public final class IngestSession implements EventSink, AutoCloseable {
    /** How many problems the manifest keeps verbatim (all are counted). */
    public static final int PROBLEM_SAMPLES = 20;

    static final boolean DIRECT_COPY = !Boolean.getBoolean("vmalock.store.boundedCopy");
    private static final long BYTE_BASE = UnsafeMemory.UNSAFE.arrayBaseOffset(byte[].class);

    private final Workspace ws;
    private final ExcerptAppender appender; // null with a BlockWriter, whose thread has its own
    private final BlockCodec.Encoder enc = new BlockCodec.Encoder();
    private final Manifest.Source entry = new Manifest.Source();
    private boolean finished;
    private volatile long progressLines;
    private volatile long progressBytes;
    // hot counters as primitives (the manifest entry's boxed fields are filled at commit)
    private long events;
    private boolean hasTs;
    private long firstTs;
    private long lastTs;

    /** Told about every problem as it is found (the CLI prints the first few, with file:line). */
    public interface ProblemListener {
        void problem(Manifest.Source source, long line, String reason);
    }

    IngestSession(Workspace ws, ChronicleQueue queue, int index, Path file, long size, String checksum) {
        this.ws = ws;
        boolean own = storeThread;
        this.writer = own ? new BlockWriter(queue) : null;
        this.appender = own ? null : queue.createAppender();
        entry.index = index;
        entry.path = file.toAbsolutePath().normalize().toString();
        entry.name = file.getFileName() == null ? entry.path : file.getFileName().toString();
        entry.size = size;
        entry.checksum = checksum;
        enc.startSource(index);
    }

    private ProblemListener listener;

    /** Sets who hears about problems as they are found. */
    public IngestSession onProblem(ProblemListener l) {
        this.listener = l;
        return this;
    }

    public int sourceIndex() {
        return entry.index;
    }

    /** The entry being filled (counts so far); complete after {@link #commit}. */
    public Manifest.Source entry() {
        return entry;
    }

    /** Bytes of the file (as stored: compressed for a .gz) read so far (for progress display from another thread). */
    public long progressBytes() {
        return progressBytes;
    }

    void addProgressBytes(long n) {
        progressBytes += n; // one writer (the parsing thread)
    }

    /** Lines seen so far (for progress display from another thread). */
    public long progressLines() {
        return progressLines;
    }

    @Override
    public void event(Event e) {
        if (e.kind == EventKind.LOST) {
            entry.lostEventMarkers++;
            if (e.count < 0) {
                entry.lostEventMarkersWithoutCount++;
            } else {
                entry.lostEvents += e.count;
            }
            entry.nonEventLines++;
            entry.nonEventLinesByKind.merge("lost_marker", 1L, Long::sum);
        } else {
            events++;
            if (!hasTs) {
                hasTs = true;
                firstTs = e.ts;
            }
            lastTs = e.ts;
        }
        enc.encode(e);
        if (enc.full()) {
            flushBlock();
        }
    }

    @Override
    public void nonEventLine(NonEventKind kind, long line) {
        entry.nonEventLines++;
        entry.nonEventLinesByKind.merge(kind.jsonName(), 1L, Long::sum);
    }

    @Override
    public void problem(long line, String reason) {
        entry.problems++;
        if (entry.problemSamples.size() < PROBLEM_SAMPLES) {
            entry.problemSamples.add(line + ": " + reason);
        }
        if (listener != null) {
            listener.problem(entry, line, reason);
        }
    }

    private void flushBlock() {
        int start = enc.finishBlock();
        int len = enc.payload.pos - start;
        if (writer != null) {
            writer.write(enc.payload.buf, start, len);
        } else {
            append(appender, enc.payload.buf, start, len);
        }
        entry.records += enc.count();
        entry.blocks++;
        enc.blockWritten();
        progressLines = events + entry.nonEventLines + entry.problems;
    }

    /**
     * Appends one block as a queue document and notes its index in the entry: on the parsing thread, or on the
     * {@link BlockWriter}'s (whose thread alone then writes the entry's index fields, read after it ends).
     */
    private void append(ExcerptAppender a, byte[] buf, int start, int len) {
        try (DocumentContext dc = a.writingDocument()) {
            Bytes<?> b = dc.wire().bytes();
            if (DIRECT_COPY) {
                // one bulk copy into the mapped queue file; Bytes.write(byte[]) copies 8 bytes per loop step
                long pos = b.writePosition();
                b.ensureCapacity(pos + len);
                UnsafeMemory.UNSAFE.copyMemory(buf, BYTE_BASE + start, null, b.addressForWrite(pos), len);
                b.writeSkip(len);
            } else {
                b.write(buf, start, len);
            }
        }
        long idx = a.lastIndexAppended();
        if (entry.firstIndex < 0) {
            entry.firstIndex = idx;
        } else if (idx != entry.lastIndex + 1) {
            throw new StoreException(ws.dir() + ": event queue index jumped from " + entry.lastIndex + " to " + idx
                    + " (is another process writing to this workspace?)");
        }
        entry.lastIndex = idx;
    }

    /** What only the parser knows about the source; given at commit. */
    public static final class Details {
        public String format;
        public String clock;
        public boolean counterClock;
        public boolean barePointers;
        public Long headerEntriesInBuffer;
        public Long headerEntriesWritten;
        /** The parser's own physical line count, or -1; must agree with the sink's count. */
        public long linesTotal = -1;
    }

    /**
     * Flushes the last block and commits the source to the manifest (atomically). After this the
     * source is visible to readers.
     */
    public Manifest.Source commit(Details d) {
        if (finished) {
            throw new IllegalStateException("session already finished");
        }
        if (entry.checksum == null) {
            throw new IllegalStateException("source committed without a checksum");
        }
        if (enc.count() > 0) {
            flushBlock();
        }
        if (writer != null) {
            writer.finish(); // every block appended, the entry's index fields set (or the writer's failure thrown)
        }
        entry.events = events;
        if (hasTs) {
            entry.firstTs = firstTs;
            entry.lastTs = lastTs;
        }
        entry.format = d.format;
        entry.clock = d.clock == null ? "unknown" : d.clock;
        entry.timeUnit = d.counterClock ? "ticks" : "ns";
        entry.barePointers = d.barePointers;
        entry.headerEntriesInBuffer = d.headerEntriesInBuffer;
        entry.headerEntriesWritten = d.headerEntriesWritten;
        entry.linesTotal = entry.events + entry.nonEventLines + entry.problems;
        if (d.linesTotal >= 0 && d.linesTotal != entry.linesTotal) {
            throw new StoreException(entry.path + ": internal error: parser counted " + d.linesTotal
                    + " lines but reported " + entry.linesTotal + " (events + non-event lines + problems)");
        }
        entry.complete = true;
        if (appender != null) appender.close();
        finished = true;
        ws.commit(entry);
        return entry;
    }

    /** Abandons the source: its blocks stay in the queue as orphans no reader visits. */
    public void abort() {
        if (!finished) {
            finished = true;
            if (writer != null) {
                writer.abandon();
            } else {
                appender.close();
            }
        }
    }

    /**
     * Whether sessions begun from now on append their blocks on a thread of their own ({@link BlockWriter}); false
     * ({@code -Dvmalock.store.sameThread=true}, tests) appends them on the parsing thread. The queue is the same.
     */
    static volatile boolean storeThread = !Boolean.getBoolean("vmalock.store.sameThread");

    private final BlockWriter writer;

    /**
     * Appends finished blocks to the queue on a thread of its own, in the order given (issue 13, cold ingest): the
     * parsing thread copies each block into one of a few reused buffers and goes on parsing and encoding. Chronicle's
     * per-block work (one document per block and its index, run in the interpreter in a cold JVM: a few thousand
     * calls, under C2's threshold) and the page faults of the queue file leave the parsing thread: its CPU for a
     * cold 614 MB ftrace ingest fell from 1.94-2.15 s to 1.47-1.74 s (docs/ingest-speed.md, "Cold ingest: the
     * blocks appended on a second thread"). The blocks, their order and their queue indexes are those of one thread
     * appending; a failure of the writer (e.g. a full disk) is thrown by the next block's hand-over or the commit.
     */
    final class BlockWriter {
        private static final int BUFFERS = 8;
        private final java.util.concurrent.ArrayBlockingQueue<byte[]> free = new java.util.concurrent.ArrayBlockingQueue<>(BUFFERS);
        private final java.util.concurrent.ArrayBlockingQueue<Object[]> full = new java.util.concurrent.ArrayBlockingQueue<>(BUFFERS + 1);
        private final Thread thread;
        private volatile Throwable failure;

        BlockWriter(ChronicleQueue queue) {
            for (int i = 0; i < BUFFERS; i++) {
                free.add(new byte[BlockCodec.HEADER_ROOM + BlockCodec.BLOCK_BYTES + 4096]);
            }
            thread = new Thread(() -> run(queue), "vmalock-store");
            thread.setDaemon(true);
            thread.start();
        }

        private void run(ChronicleQueue queue) {
            try (ExcerptAppender a = queue.createAppender()) {
                while (true) {
                    Object[] job = full.take();
                    if (job.length == 0) return;
                    byte[] b = (byte[]) job[0];
                    int len = (Integer) job[1];
                    append(a, b, 0, len);
                    free.put(b);
                }
            } catch (Throwable t) {
                if (failure == null) failure = t;
                free.clear(); // wake a parsing thread waiting for a buffer: it sees the failure
                for (int i = 0; i < BUFFERS; i++) free.offer(new byte[0]);
            }
        }

        void write(byte[] src, int start, int len) {
            rethrow();
            byte[] b;
            try {
                b = free.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException(ws.dir() + ": interrupted while storing events", e);
            }
            rethrow();
            if (b.length < len) b = new byte[len];
            System.arraycopy(src, start, b, 0, len);
            full.add(new Object[] {b, len});
        }

        /** Waits until every block given is appended; throws the writer's failure, if any. */
        void finish() {
            full.add(new Object[0]);
            join();
            rethrow();
        }

        /**
         * Appends the blocks given so far (as the parsing thread itself did before it could stop: an interrupted
         * ingest leaves them as orphans) and waits for the thread to end; a failure of the writer is not thrown.
         */
        void abandon() {
            full.offer(new Object[0]);
            join();
        }

        private void join() {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }

        private void rethrow() {
            Throwable t = failure;
            if (t == null) return;
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error e) throw e;
            throw new StoreException(ws.dir() + ": cannot store events: " + t, t);
        }
    }

    boolean finished() {
        return finished;
    }

    @Override
    public void close() {
        abort();
    }
}
