package vmalock.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The temporary file a workload's finished operations are written to while the trace is read, so that
 * memory holds per-task and per-mm state, not the trace: each {@link TaskWork} keeps the list of its
 * chunks (file offset, operation count) and is replayed by streaming them back ({@link Ops#streaming}).
 * One file per workload, unlinked as soon as it is open (its space is freed by {@link #close} or when the process ends).
 */
final class Spill implements AutoCloseable {
    private final Path file;
    private final FileChannel ch;
    private long size;
    private ByteBuffer buf = ByteBuffer.allocate(64 * Ops.RECORD).order(ByteOrder.LITTLE_ENDIAN);

    Spill(Path dir) {
        try {
            file = Files.createTempFile(dir, "vmalock-replay-work-", ".tmp");
            try {
                ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } finally {
                // unlinked at once: the open channel keeps the data, and nothing is left behind even by kill -9
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot create the replay's work file: " + e.getMessage(), e);
        }
    }

    long bytes() {
        return size;
    }

    /** Appends slots [0, k) of {@code tw.ops} as one chunk of {@code tw}. */
    void write(TaskWork tw, int k) {
        int need = k * Ops.RECORD;
        if (buf.capacity() < need) buf = ByteBuffer.allocate(need).order(ByteOrder.LITTLE_ENDIAN);
        buf.clear();
        tw.ops.encode(k, buf);
        if (tw.spilled == 0) tw.spilledFirstStart = tw.ops.start[0];
        buf.flip();
        long at = size;
        try {
            while (buf.hasRemaining()) size += ch.write(buf, size);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write the replay's work file: " + e.getMessage(), e);
        }
        tw.addChunk(at, k);
    }

    /** A sequential reader of one task's chunks. */
    final class Reader {
        private final long[] chunks;
        private final int nChunks;
        private int chunk;
        private int inChunk;
        private ByteBuffer b = ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);

        Reader(long[] chunks, int nChunks) {
            this.chunks = chunks;
            this.nChunks = nChunks;
        }

        /** The next {@code count} records, positioned for reading. */
        ByteBuffer read(int count) {
            int need = count * Ops.RECORD;
            if (b.capacity() < need) b = ByteBuffer.allocate(need).order(ByteOrder.LITTLE_ENDIAN);
            b.clear();
            int left = count;
            while (left > 0) {
                if (chunk >= nChunks) throw new IllegalStateException(file + ": task work ends early");
                long off = chunks[2 * chunk];
                int len = (int) chunks[2 * chunk + 1];
                int take = Math.min(left, len - inChunk);
                b.limit(b.position() + take * Ops.RECORD);
                long pos = off + (long) inChunk * Ops.RECORD;
                try {
                    while (b.hasRemaining()) {
                        int r = ch.read(b, pos);
                        if (r < 0) throw new IOException("unexpected end of file");
                        pos += r;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(file + ": cannot read the replay's work file: " + e.getMessage(), e);
                }
                inChunk += take;
                left -= take;
                if (inChunk == len) {
                    chunk++;
                    inChunk = 0;
                }
            }
            b.flip();
            return b;
        }
    }

    Reader reader(TaskWork tw) {
        return new Reader(Arrays.copyOf(tw.chunks, 2 * tw.nChunks), tw.nChunks);
    }

    @Override
    public void close() {
        try {
            ch.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot delete the replay's work file: " + e.getMessage(), e);
        }
    }
}
