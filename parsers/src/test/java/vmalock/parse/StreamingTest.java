package vmalock.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import vmalock.event.Event;

/**
 * The InputStream variant works like {@code trace_pipe}: events reach the sink while the stream is
 * still open (no EOF needed), lines split across reads are joined, and the result equals the file parse.
 */
class StreamingTest {

    /** A stream fed chunk by chunk from another thread; read() blocks like a pipe. */
    static final class Pipe extends InputStream {
        final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
        private byte[] cur = new byte[0];
        private int pos;

        void feed(String s) {
            chunks.add(s.getBytes(StandardCharsets.UTF_8));
        }

        void close(boolean eof) {
            chunks.add(new byte[0]);
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (pos == cur.length) {
                try {
                    cur = chunks.take();
                } catch (InterruptedException x) {
                    throw new IOException(x);
                }
                pos = 0;
                if (cur.length == 0) return -1;
            }
            int n = Math.min(len, cur.length - pos);
            System.arraycopy(cur, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    @Test
    void eventsArriveBeforeEndOfStream() throws Exception {
        List<String> lines = Files.readAllLines(SharedTraces.trace(SharedTraces.FTRACE)).subList(12, 112);
        Pipe pipe = new Pipe();
        Semaphore seen = new Semaphore(0);
        CountingSink sink = new CountingSink(true) {
            @Override
            public void event(Event e) {
                super.event(e);
                seen.release();
            }
        };
        CompletableFuture<SourceResult> run = CompletableFuture.supplyAsync(() -> {
            try {
                return TraceParsers.parse(pipe, "trace_pipe", TraceFormat.FTRACE, 0, sink, true);
            } catch (TraceInputException x) {
                throw new IllegalStateException(x);
            }
        });
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i) + "\n";
            int cut = l.length() / 2; // every line split across two reads
            pipe.feed(l.substring(0, cut));
            pipe.feed(l.substring(cut));
            // the event of line i is delivered before any later byte is written
            assertTrue(seen.tryAcquire(30, TimeUnit.SECONDS), "event " + i + " not delivered while the stream is open");
        }
        pipe.close(true);
        SourceResult r = run.get(30, TimeUnit.SECONDS);
        assertEquals(100, r.events());
        assertEquals(100, r.linesTotal());

        CountingSink fromFile = new CountingSink(true);
        java.nio.file.Path tmp = Files.createTempFile("pipe", ".txt");
        try {
            Files.write(tmp, lines);
            TraceParsers.parse(tmp, TraceFormat.FTRACE, 0, fromFile, true);
        } finally {
            Files.delete(tmp);
        }
        assertEquals(fromFile.events, sink.events);
    }
}
