package vmalock.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import vmalock.event.Event;
import vmalock.event.EventSink;

/**
 * A parse on several threads (chunks cut at line ends, parsed apart, merged in order) gives exactly the sink
 * calls and the {@link SourceResult} of one thread: on every bundled and shared plain trace (compressed ones:
 * {@code ParallelIngestTest}), on CSV, and on
 * inputs built to put parser state across chunk ends (timestamp style, the function-tracer and
 * entries-written headers, CSV's header row and quoted newlines, overlong lines, a last line without newline,
 * --strict), with chunk sizes down to one byte (every line a chunk of its own).
 */
class ChunkedParseTest {
    @TempDir
    Path tmp;

    /** Every sink call as a line of text (events as complete CSV rows: every field). */
    static final class Transcript implements EventSink {
        final List<String> calls = new ArrayList<>();
        private final StringWriter row = new StringWriter();
        private final CsvEventWriter csv;

        Transcript() {
            try {
                csv = new CsvEventWriter(row, null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void event(Event e) {
            row.getBuffer().setLength(0);
            try {
                csv.write(e);
                csv.flush();
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
            calls.add("E " + row);
        }

        @Override
        public void nonEventLine(NonEventKind kind, long line) {
            calls.add("N " + kind + " " + line);
        }

        @Override
        public void problem(long line, String reason) {
            calls.add("P " + line + " " + reason);
        }
    }

    static String describe(SourceResult r) {
        return r + " compression=" + r.compression() + " bytes=" + r.bytes() + " markersWithoutCount="
                + r.lostMarkersWithoutCount() + " byCpu=" + r.lostEventsByCpu() + " kept=" + r.firstProblems()
                + " ts=" + r.firstTs() + ".." + r.lastTs() + " entries=" + r.headerEntriesInBuffer() + "/"
                + r.headerEntriesWritten() + " cpus=" + r.cpus() + " counter=" + r.isCounterClock();
    }

    /** One thread's transcript and result, then each (threads, chunk size)'s, compared; returns the chunks parsed again. */
    private long sameEverywhere(Path file, TraceFormat format, boolean strict, int... chunkSizes) throws Exception {
        Transcript one = new Transcript();
        String oneResult;
        String oneError = null;
        try {
            oneResult = describe(TraceParsers.parse(file, file.toString(), format, 0, one, strict, null, Parallelism.ONE));
        } catch (TraceInputException e) {
            oneResult = null;
            oneError = e.getMessage();
        }
        long reparsed = 0;
        for (int threads : new int[] {2, 3}) {
            for (int chunk : chunkSizes) {
                Transcript many = new Transcript();
                String what = file.getFileName() + " threads=" + threads + " chunk=" + chunk + (strict ? " strict" : "");
                try {
                    SourceResult r = TraceParsers.parse(file, file.toString(), format, 0, many, strict, null,
                            new Parallelism(threads, chunk));
                    assertEquals(oneError, null, what + ": one thread failed but not " + threads);
                    assertEquals(oneResult, describe(r), what);
                } catch (TraceInputException e) {
                    assertEquals(oneError, e.getMessage(), what);
                }
                assertTranscripts(one, many, what);
                long[] stats = TraceParsers.lastChunks;
                if (stats != null) reparsed += stats[1];
            }
        }
        return reparsed;
    }

    private static void assertTranscripts(Transcript one, Transcript many, String what) {
        int n = Math.min(one.calls.size(), many.calls.size());
        for (int i = 0; i < n; i++) {
            if (!one.calls.get(i).equals(many.calls.get(i))) {
                assertEquals(one.calls.get(i), many.calls.get(i), what + ": sink call " + i);
            }
        }
        assertEquals(one.calls.size(), many.calls.size(), what + ": sink calls");
    }

    static List<Path> plainTraces() throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.list(SharedTraces.sample("."))) {
            s.filter(p -> p.toString().endsWith(".txt")).sorted().forEach(all::add);
        }
        try (Stream<Path> s = Files.list(SharedTraces.dir())) {
            s.filter(p -> p.toString().endsWith(".txt")).sorted().forEach(all::add);
        }
        return all;
    }

    @Test
    void everyPlainTraceGivesTheSameCallsAndResult() throws Exception {
        List<Path> traces = plainTraces();
        assertTrue(traces.size() >= 20, "traces: " + traces);
        for (Path t : traces) {
            long size = Files.size(t);
            if (size < 200_000) {
                sameEverywhere(t, null, false, 1, 2, 3, 61, 1000, 4096, 70_000);
            } else {
                sameEverywhere(t, null, false, 4093, (int) (size / 7) + 1);
            }
        }
    }

    @Test
    void strictStopsAtTheSameLineWithTheSameCalls() throws Exception {
        List<String> lines = Files.readAllLines(SharedTraces.sample("ftrace-tgid.txt"));
        lines.add(lines.size() / 2, "garbage in the middle");
        Path f = write("strict.txt", String.join("\n", lines) + "\n");
        sameEverywhere(f, null, true, 1, 17, 500, 1 << 20);
        Path clean = SharedTraces.sample("perf-ns.perf.txt");
        sameEverywhere(clean, null, true, 1, 300);
    }

    private static String ftraceLine(int i, String ts) {
        return "           a.out-" + (4000 + i % 3) + "    [00" + (i % 2) + "] d...  " + ts
                + ": mmap_lock_start_locking: mm=000000004b4f6a81 memcg_path=/user.slice write=" + (i % 2 == 0) + "\n";
    }

    /** State that crosses chunk ends: timestamp style and clock, function tracer, entries headers, cpus. */
    @Test
    void parserStateAcrossChunksIsCarriedExactly() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 30; i++) sb.append("# header line ").append(i).append('\n'); // state settles late
        sb.append("# entries-in-buffer/entries-written: 40/50   #P:2\n");
        for (int i = 0; i < 40; i++) sb.append(ftraceLine(i, "1216." + (100000 + i)));
        sb.append("         bash-12   [001] d...  123456789: mmap_lock_released: mm=000000004b4f6a81 memcg_path=/ write=true\n");
        sb.append("\n   \n\r\n");
        sb.append("# tracer: function\n");
        sb.append("# entries-in-buffer/entries-written: 7/7   #P:4\n");
        for (int i = 0; i < 20; i++) {
            sb.append("           a.out-4000    [000] d...  1217.").append(100000 + i).append(": lock_vma_under_rcu\n");
            sb.append("           a.out-4000    [000] d...  1217.").append(100000 + i).append(": do_user_addr_fault <-exc_page_fault\n");
        }
        sb.append("CPU:1 [LOST 12 EVENTS]\r\n");
        sb.append("CPU:0 [LOST EVENTS]\n");
        for (int i = 0; i < 10; i++) sb.append(ftraceLine(i, "1218." + (100000 + i)).replace("\n", "\r\n"));
        sb.append(ftraceLine(99, "1219.000001").trim()); // no newline at the end
        Path f = write("state.txt", sb.toString());
        long reparsed = sameEverywhere(f, TraceFormat.FTRACE, false, 1, 2, 5, 80, 300, 1000, 1 << 20);
        assertTrue(reparsed > 0, "the inputs put state across chunk ends: some chunks are parsed again");
        // the same lines with the state settled by the first line: nothing to parse again with big chunks
        sameEverywhere(write("counter.txt", ftraceLine(1, "12345") + sb), TraceFormat.FTRACE, false, 3, 700);
    }

    @Test
    void overlongLinesAreTheSameProblems() throws Exception {
        String longLine = "x".repeat(TextParser.MAX_LINE + 5);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20; i++) sb.append(ftraceLine(i, "1216." + (100000 + i)));
        sb.append(longLine).append('\n');
        sb.append(ftraceLine(50, "1216.200000"));
        sb.append("y".repeat(TextParser.MAX_LINE)).append("\r\n"); // exactly the limit with the \r: too long by one
        sb.append("z".repeat(TextParser.MAX_LINE - 1)).append("\r\n");
        sb.append(ftraceLine(51, "1216.200001"));
        sb.append("w".repeat(3 * TextParser.MAX_LINE)).append('\n');
        sb.append(ftraceLine(52, "1216.200002"));
        sb.append(longLine); // the last line, no newline
        Path f = write("long.txt", sb.toString());
        sameEverywhere(f, null, false, 1, 100, 5000, TextParser.MAX_LINE, TextParser.MAX_LINE + 3, 1 << 20);
        sameEverywhere(write("long2.txt", sb + "\n"), null, false, 1, 4096);
    }

    /** CSV: a header row every chunk depends on, records with quoted newlines across chunk ends, bad records. */
    @Test
    void csvGivesTheSameCallsAndResult() throws Exception {
        CountingSink keep = new CountingSink(true);
        TraceParsers.parse(SharedTraces.sample("ftrace-remote.txt"), null, 0, keep, false);
        List<Event> events = keep.events;
        StringWriter w = new StringWriter();
        CsvEventWriter csv = new CsvEventWriter(w, "local");
        Random rnd = new Random(13);
        for (Event e : events.subList(0, Math.min(events.size(), 400))) {
            if (rnd.nextInt(10) == 0) {
                e.kind = vmalock.event.EventKind.GENERIC;
                e.text = "two\nlines, \"quoted\"\nthree";
            }
            csv.write(e);
        }
        csv.flush();
        String text = w.toString();
        int mid = text.length() / 2;
        int nl = text.indexOf('\n', mid) + 1;
        text = text.substring(0, nl) + "1,2,\"unterminated,\"x\"y\n" + "garbage,,\n" + text.substring(nl);
        Path f = write("events.csv", text);
        sameEverywhere(f, TraceFormat.CSV, false, 1, 2, 50, 999, 1 << 20);
        sameEverywhere(write("open.csv", text + "1,2,\"never closed\n,,\n"), TraceFormat.CSV, false, 1, 97, 1 << 20);
        sameEverywhere(write("csvlong.csv", text.substring(0, nl) + "a".repeat(TextParser.MAX_LINE + 10) + "\n"
                + text.substring(nl)), TraceFormat.CSV, false, 1, 333, 1 << 20);
        sameEverywhere(f, TraceFormat.CSV, true, 1, 999);
    }

    /** Random damage (garbled bytes, cut lines, foreign formats) on a real trace of each text format. */
    @Test
    void damagedTracesGiveTheSameCallsAndResult() throws Exception {
        String[] traces = {"ftrace-remote-heavy.txt", "tc-latency.report.txt", "perf-lost.perf.txt"};
        Random rnd = new Random(42);
        for (String name : traces) {
            List<String> lines = Files.readAllLines(SharedTraces.sample(name), StandardCharsets.UTF_8);
            StringBuilder sb = new StringBuilder();
            for (String l : lines) {
                switch (rnd.nextInt(12)) {
                    case 0 -> sb.append(l, 0, rnd.nextInt(l.length() + 1)).append('\n');
                    case 1 -> {
                        byte[] g = new byte[1 + rnd.nextInt(200)];
                        rnd.nextBytes(g);
                        sb.append(new String(g, StandardCharsets.ISO_8859_1).replace('\n', '?').replace('\r', '?')).append('\n');
                    }
                    case 2 -> sb.append("  perf 20190 [001]  1294.467120:    mmap_lock:mmap_lock_released: mm=0x1 memcg_id=1 write=false\n");
                    default -> sb.append(l).append('\n');
                }
            }
            Path f = write("damaged-" + name, sb.toString());
            sameEverywhere(f, null, false, 1, 7, 1000, 1 << 20);
        }
    }

    @Test
    void badParallelismIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Parallelism(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new Parallelism(2, 0));
        assertEquals(Parallelism.ONE, Parallelism.auto(100));
    }

    /** Issue 13: a large file on two processors is parsed on one thread by default (it was slower on two), on more on every one. */
    @Test
    void theDefaultIsOneThreadBelowThreeProcessors() {
        long big = Parallelism.AUTO_MIN_BYTES;
        assertEquals(Parallelism.ONE, Parallelism.auto(big, 1));
        assertEquals(Parallelism.ONE, Parallelism.auto(big, 2));
        assertEquals(Parallelism.of(3), Parallelism.auto(big, 3));
        assertEquals(Parallelism.of(8), Parallelism.auto(big, 8));
        assertEquals(Parallelism.ONE, Parallelism.auto(big - 1, 8));
    }

    private Path write(String name, String text) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }
}
