package vmalock.store;

import java.util.List;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import vmalock.event.Event;
import vmalock.event.EventKind;

/**
 * Streams the stored events of some complete sources, in ingest order, into one reused {@link Event}.
 * It visits exactly each source's committed index range, so orphan blocks of interrupted ingests are
 * never read. Lost-event markers are delivered as events of kind {@link EventKind#LOST}.
 *
 * <pre>
 * try (EventReader r = ws.reader()) {
 *     Event e = new Event();
 *     while (r.next(e)) { ... }
 * }
 * </pre>
 */
public final class EventReader implements AutoCloseable {
    private final List<Manifest.Source> sources;
    private final ExcerptTailer tailer;
    private final BlockCodec.Decoder dec = new BlockCodec.Decoder();
    private int sourcePos = -1;
    private Manifest.Source current;
    private long nextIndex;
    /** Only events this accepts are returned (null: all). */
    EventFilter filter;
    /** Events decoded so far (filtered or not), published once per block for progress displays. */
    private long decoded;
    private volatile long decodedPublished;
    /** Told once when the reader is closed (the workspace's progress count). */
    java.util.function.Consumer<EventReader> onClose;

    /** The workspace (or replay run) directory, for error messages. */
    private final java.nio.file.Path dir;
    /** The index of the block being decoded, for error messages. */
    private long blockIndex = -1;

    EventReader(java.nio.file.Path dir, ChronicleQueue queue, List<Manifest.Source> sources) {
        this.dir = dir;
        this.sources = sources;
        this.tailer = queue == null ? null : queue.createTailer();
    }

    /** The source the last event returned by {@link #next} came from. */
    public Manifest.Source source() {
        return current;
    }

    /** Fills {@code e} with the next event; false at the end. */
    public boolean next(Event e) {
        do {
            while (!dec.hasNext()) {
                if (!nextBlock()) {
                    return false;
                }
            }
            try {
                dec.next(e);
            } catch (StoreException x) {
                throw damaged("block " + Long.toHexString(blockIndex) + ": " + x.getMessage());
            }
            decoded++;
        } while (filter != null && !filter.test(e));
        return true;
    }

    /** Events read so far, as of the last block boundary (safe to call from another thread). */
    public long progress() {
        return decodedPublished;
    }

    /** Every event decoded (for the count kept after close). */
    long decoded() {
        return decoded;
    }

    private boolean nextBlock() {
        decodedPublished = decoded;
        while (current == null || nextIndex > current.lastIndex) {
            if (++sourcePos >= sources.size()) {
                current = null;
                return false;
            }
            current = sources.get(sourcePos);
            nextIndex = current.firstIndex;
            if (!tailer.moveToIndex(nextIndex)) {
                throw damaged("block " + Long.toHexString(nextIndex) + " is missing");
            }
        }
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                throw damaged("the queue ends before block " + Long.toHexString(nextIndex));
            }
            if (dc.index() != nextIndex) {
                throw damaged("expected block " + Long.toHexString(nextIndex) + ", found " + Long.toHexString(dc.index()));
            }
            Bytes<?> b = dc.wire().bytes();
            int n = (int) b.readRemaining();
            ByteBuf in = dec.in;
            in.pos = 0;
            in.ensure(n + BlockCodec.SLACK);
            b.read(in.buf, 0, n);
            in.limit = n;
        }
        blockIndex = nextIndex++;
        try {
            dec.startBlock();
        } catch (StoreException x) {
            throw damaged("block " + Long.toHexString(blockIndex) + ": " + x.getMessage());
        }
        if (dec.source() != current.index) {
            throw damaged("block of source " + dec.source() + " inside the range of source " + current.index);
        }
        return true;
    }

    private StoreException damaged(String what) {
        return new StoreException(dir + ": damaged workspace (source " + current.index + ", " + current.name + "): " + what);
    }

    @Override
    public void close() {
        if (tailer != null) {
            tailer.close();
        }
        if (onClose != null) {
            onClose.accept(this);
            onClose = null;
        }
    }
}
