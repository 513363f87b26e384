package vmalock.capture;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import vmalock.event.EventSink;
import vmalock.parse.SourceResult;
import vmalock.parse.TraceFormat;
import vmalock.parse.TraceInputException;
import vmalock.parse.TraceParsers;

/**
 * Reads the instance's {@code trace_pipe} on its own thread while the capture runs and feeds it,
 * line by line as it arrives, through the same ftrace parser as {@code ingest} into the sink; every
 * byte read is also copied verbatim to a text file in the workspace (the capture's source file).
 *
 * <p>Ending: once tracing is off and the buffer drained, {@code trace_pipe} returns end-of-file to a
 * reader that has read something. If nothing was ever read it would block forever, so
 * {@link #finish} interrupts the read (a {@link FileChannel} read is interruptible) once the ring
 * buffer is empty and no bytes have arrived for a while; that interrupt is treated as end of input.
 */
public final class TracePipeReader {
    private final Path pipe;
    private final OutputStream copy;
    private final EventSink sink;
    private final int sourceIndex;
    private final Thread thread;
    private volatile long bytes;
    private volatile SourceResult result;
    private volatile Exception failure;

    public TracePipeReader(Path pipe, OutputStream copy, EventSink sink, int sourceIndex) {
        this.pipe = pipe;
        this.copy = copy;
        this.sink = sink;
        this.sourceIndex = sourceIndex;
        this.thread = new Thread(this::run, "vmalock-trace-pipe");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    public long bytes() {
        return bytes;
    }

    private void run() {
        try (FileChannel ch = FileChannel.open(pipe, StandardOpenOption.READ)) {
            result = TraceParsers.parse(new PipeStream(ch), pipe.toString(), TraceFormat.FTRACE, sourceIndex, sink, false);
        } catch (TraceInputException | IOException | RuntimeException e) {
            failure = e;
        }
    }

    /**
     * Waits for the reader to reach the end of the stream (tracing must already be off). Interrupts
     * it when {@code drained} says the ring buffer is empty and no byte has come for {@code quietMillis}.
     *
     * @return the parse result
     */
    public SourceResult finish(Drained drained, long quietMillis, long maxMillis) throws CaptureException {
        long deadline = System.nanoTime() + maxMillis * 1_000_000L;
        long lastBytes = -1;
        long quietSince = System.nanoTime();
        try {
            while (thread.isAlive()) {
                thread.join(20);
                long b = bytes;
                if (b != lastBytes) {
                    lastBytes = b;
                    quietSince = System.nanoTime();
                }
                boolean quiet = System.nanoTime() - quietSince >= quietMillis * 1_000_000L;
                if (thread.isAlive() && (quiet && drained.drained() || System.nanoTime() - deadline >= 0)) {
                    thread.interrupt();
                    thread.join(5_000);
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.interrupt();
        }
        try {
            copy.flush();
        } catch (IOException e) {
            throw new CaptureException(CaptureException.Kind.WORKSPACE, "cannot write the captured text: " + e.getMessage(), e);
        }
        if (failure != null) {
            throw new CaptureException(CaptureException.Kind.TRACEFS, "reading " + pipe + " failed: " + failure.getMessage(), failure);
        }
        if (result == null) {
            throw new CaptureException(CaptureException.Kind.TRACEFS, "the reader of " + pipe + " did not finish");
        }
        return result;
    }

    /** Stops the reader at once (error path): tracefs can only remove the instance once trace_pipe is closed. */
    public void abort() {
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Tells whether the ring buffer holds no unread events. */
    public interface Drained {
        boolean drained();
    }

    /** The pipe as an InputStream: copies what it reads; an interrupt or close ends the stream cleanly. */
    private final class PipeStream extends InputStream {
        private final FileChannel ch;

        PipeStream(FileChannel ch) {
            this.ch = ch;
        }

        /** Set once the stream has ended; a read after that must not touch the (closed) channel. */
        private boolean ended;

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (ended) return -1;
            int n;
            try {
                n = ch.read(ByteBuffer.wrap(b, off, Math.min(len, 1 << 16)));
            } catch (ClosedChannelException e) {
                // finish()'s interrupt closes the channel: ClosedByInterruptException inside a read,
                // ClosedChannelException on a read after it (the parser may read again after -1).
                ended = true;
                return -1;
            }
            if (n < 0) ended = true;
            if (n > 0) {
                copy.write(b, off, n);
                bytes += n;
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n <= 0 ? -1 : one[0] & 0xff;
        }
    }
}
