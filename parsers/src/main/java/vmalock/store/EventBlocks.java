package vmalock.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import vmalock.event.Event;

/**
 * One source's events as the workspace's event blocks ({@link BlockCodec}), held as byte arrays instead of
 * Chronicle documents: how the fleet job hands a parsed trace from its parse task to its replay tasks
 * (~28 bytes per event, no queue, no memory-mapped file). Decoding gives back the stored events exactly as
 * {@link EventReader} does from a workspace.
 */
public final class EventBlocks {
    private EventBlocks() {}

    /** Encodes the events of one source, in order, into blocks. Not thread-safe. */
    public static final class Writer implements Consumer<Event> {
        private final BlockCodec.Encoder enc = new BlockCodec.Encoder();
        private final List<byte[]> blocks = new ArrayList<>();
        private long bytes;

        public Writer() {
            enc.startSource(0);
        }

        @Override
        public void accept(Event e) {
            enc.encode(e);
            if (enc.full()) flush();
        }

        private void flush() {
            int start = enc.finishBlock();
            byte[] b = Arrays.copyOfRange(enc.payload.buf, start, enc.payload.pos);
            blocks.add(b);
            bytes += b.length;
            enc.blockWritten();
        }

        /** The blocks (the last one flushed); the writer must not be used afterwards. */
        public List<byte[]> finish() {
            if (enc.count() > 0) flush();
            return blocks;
        }

        public long bytes() {
            return bytes;
        }
    }

    /** Hands every event of {@code blocks} (from a {@link Writer}) to {@code sink}, in order; the event is reused. */
    public static void read(List<byte[]> blocks, Consumer<Event> sink) {
        Reader r = new Reader(blocks);
        Event e = new Event();
        while (r.next(e)) sink.accept(e);
    }

    /** Reads the events of {@code blocks} one at a time (a k-way merge of several sources pulls from several). */
    public static final class Reader {
        private final BlockCodec.Decoder dec = new BlockCodec.Decoder();
        private final List<byte[]> blocks;
        private int block;

        public Reader(List<byte[]> blocks) {
            this.blocks = blocks;
        }

        /** Fills {@code e} with the next event; false at the end. */
        public boolean next(Event e) {
            while (!dec.hasNext()) {
                if (block == blocks.size()) return false;
                byte[] b = blocks.get(block++);
                ByteBuf in = dec.in;
                in.pos = 0;
                in.ensure(b.length + BlockCodec.SLACK);
                System.arraycopy(b, 0, in.buf, 0, b.length);
                in.limit = b.length;
                dec.startBlock();
            }
            dec.next(e);
            return true;
        }
    }
}
