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
    private final ExcerptAppender appender;
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
        this.appender = queue.createAppender();
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
        try (DocumentContext dc = appender.writingDocument()) {
            Bytes<?> b = dc.wire().bytes();
            if (DIRECT_COPY) {
                // one bulk copy into the mapped queue file; Bytes.write(byte[]) copies 8 bytes per loop step
                long pos = b.writePosition();
                b.ensureCapacity(pos + len);
                UnsafeMemory.UNSAFE.copyMemory(enc.payload.buf, BYTE_BASE + start, null, b.addressForWrite(pos), len);
                b.writeSkip(len);
            } else {
                b.write(enc.payload.buf, start, len);
            }
        }
        long idx = appender.lastIndexAppended();
        if (entry.firstIndex < 0) {
            entry.firstIndex = idx;
        } else if (idx != entry.lastIndex + 1) {
            throw new StoreException(ws.dir() + ": event queue index jumped from " + entry.lastIndex + " to " + idx
                    + " (is another process writing to this workspace?)");
        }
        entry.lastIndex = idx;
        entry.records += enc.count();
        entry.blocks++;
        enc.blockWritten();
        progressLines = events + entry.nonEventLines + entry.problems;
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
        appender.close();
        finished = true;
        ws.commit(entry);
        return entry;
    }

    /** Abandons the source: its blocks stay in the queue as orphans no reader visits. */
    public void abort() {
        if (!finished) {
            finished = true;
            appender.close();
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
