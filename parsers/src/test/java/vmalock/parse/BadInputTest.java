package vmalock.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import vmalock.event.EventSink.NonEventKind;

/** Bad input: each case gets a clear one-line message naming the file (and line), never a crash. */
class BadInputTest {
    @TempDir
    Path dir;

    static final String L1 = "      capture.sh-16869   [001] d....  1216.415952: page_fault_user: address=0x7ffe04f81080 ip=0x55c68066d35e error_code=0x7";
    static final String L2 = "      capture.sh-16869   [001] .....  1216.416173: mmap_lock_start_locking: mm=00000000c4a8aad3 memcg_id=5859 write=true";
    static final String L3 = "      capture.sh-16869   [001] .....  1216.416174: mmap_lock_acquire_returned: mm=00000000c4a8aad3 memcg_id=5859 write=true success=true";
    static final String PERF_LINE = "            perf 20190 [001]  1294.467111:           exceptions:page_fault_user: address=0x7f810b7c6408 ip=0x55d48e4a752d error_code=0x7";

    Path write(String name, byte[] content) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    Path write(String name, String content) throws Exception {
        return write(name, content.getBytes(StandardCharsets.UTF_8));
    }

    static void assertOneLine(String msg, Path file, String... parts) {
        assertFalse(msg.contains("\n"), msg);
        assertTrue(msg.startsWith(file.toString()), msg);
        for (String part : parts) assertTrue(msg.contains(part), "'" + part + "' not in: " + msg);
    }

    TraceInputException fails(Path p, TraceFormat f, boolean strict) {
        return assertThrows(TraceInputException.class, () -> TraceParsers.parse(p, f, 0, new CountingSink(false), strict));
    }

    @Test
    void emptyFile() throws Exception {
        Path p = write("empty.txt", "");
        assertOneLine(fails(p, null, false).getMessage(), p, "empty file");
        assertOneLine(fails(p, TraceFormat.FTRACE, false).getMessage(), p, "empty file");
    }

    @Test
    void headerOnlyFile() throws Exception {
        Path p = write("header.txt", "# tracer: nop\n#\n# entries-in-buffer/entries-written: 0/0   #P:2\n#\n");
        assertOneLine(fails(p, null, false).getMessage(), p, "no events", "4 lines");
        Path tc = write("header.report.txt", "cpus=2\n");
        assertOneLine(fails(tc, null, false).getMessage(), tc, "no events");
    }

    @Test
    void binaryGarbage() throws Exception {
        byte[] junk = new byte[100_000];
        new Random(42).nextBytes(junk);
        Path p = write("junk.bin", junk);
        assertOneLine(fails(p, null, false).getMessage(), p, "binary data");
        assertOneLine(fails(p, TraceFormat.PERF_SCRIPT, false).getMessage(), p, "binary data");
    }

    @Test
    void textOfNoKnownFormat() throws Exception {
        Path p = write("prose.txt", "hello world\nthis is not a trace\n");
        assertOneLine(fails(p, null, false).getMessage(), p, "cannot tell the format", "--format");
    }

    @Test
    void missingFileDirectoryAndUnreadable() throws Exception {
        Path missing = dir.resolve("nope.txt");
        assertOneLine(fails(missing, null, false).getMessage(), missing, "no such file");
        assertOneLine(fails(dir, null, false).getMessage(), dir, "is a directory");
        Path plain = write("plain.txt", L1 + "\n");
        Path underFile = plain.resolve("child.txt"); // a path through a regular file: not readable
        assertOneLine(fails(underFile, null, false).getMessage(), underFile, "cannot read");
        Path locked = write("locked.txt", L1 + "\n");
        assertTrue(locked.toFile().setReadable(false, false));
        if (!Files.isReadable(locked)) { // root reads everything: then this case cannot be built
            assertOneLine(fails(locked, null, false).getMessage(), locked, "permission denied");
        }
    }

    @Test
    void truncatedLastLine() throws Exception {
        // complete last line without a newline: parsed
        CountingSink ok = new CountingSink(false);
        SourceResult r = TraceParsers.parse(write("nonl.txt", L1 + "\n" + L2), null, 0, ok, true);
        assertEquals(2, r.events());
        assertEquals(2, r.linesTotal());
        // cut in the middle: a problem on line 3, the rest parsed
        String cut = L3.substring(0, L3.indexOf("success=") + 5);
        CountingSink bad = new CountingSink(false);
        Path p = write("cut.txt", L1 + "\n" + L2 + "\n" + cut);
        r = TraceParsers.parse(p, null, 0, bad, false);
        assertEquals(2, r.events());
        assertEquals(1, r.problems());
        assertEquals(3, r.firstProblems().get(0).line());
        assertTrue(r.firstProblems().get(0).reason().contains("truncated"), r.firstProblems().toString());
        // strict: a one-line message with file and line
        assertOneLine(fails(p, null, true).getMessage(), p, ":3: ", "truncated", "--strict");
    }

    @Test
    void mixedFormats() throws Exception {
        Path p = write("mixed.txt", L1 + "\n" + PERF_LINE + "\n" + L2 + "\n");
        CountingSink s = new CountingSink(false);
        SourceResult r = TraceParsers.parse(p, null, 0, s, false);
        assertEquals(TraceFormat.FTRACE, r.format());
        assertEquals(2, r.events());
        assertEquals("mixed formats: perf line in an ftrace file", s.problems.get(2L));
        Path q = write("mixed.perf.txt", PERF_LINE + "\n" + L1 + "\n");
        s = new CountingSink(false);
        r = TraceParsers.parse(q, null, 0, s, false);
        assertEquals(TraceFormat.PERF_SCRIPT, r.format());
        assertEquals("mixed formats: ftrace line in a perf file", s.problems.get(2L));
        Path tc = write("mixed.report.txt", "cpus=2\n" + L1 + "\n");
        s = new CountingSink(false);
        TraceParsers.parse(tc, null, 0, s, false);
        assertEquals("mixed formats: ftrace line (flags column) in a trace-cmd file", s.problems.get(2L));
    }

    @Test
    void crlfLineEnds() throws Exception {
        CountingSink lf = new CountingSink(true);
        CountingSink crlf = new CountingSink(true);
        String text = "# tracer: nop\n" + L1 + "\n" + L2 + "\n\n" + L3 + "\n";
        SourceResult a = TraceParsers.parse(write("lf.txt", text), null, 0, lf, true);
        SourceResult b = TraceParsers.parse(write("crlf.txt", text.replace("\n", "\r\n")), null, 0, crlf, true);
        assertEquals(3, a.events());
        assertEquals(a.linesTotal(), b.linesTotal());
        assertEquals(1, b.nonEventLines(NonEventKind.BLANK));
        assertEquals(lf.events, crlf.events);
    }

    @Test
    void oneMegabyteLine() throws Exception {
        byte[] big = new byte[1 << 20];
        Arrays.fill(big, (byte) 'x');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((L1 + "\n").getBytes(StandardCharsets.UTF_8));
        out.write(big);
        out.write('\n');
        out.write((L2 + "\n").getBytes(StandardCharsets.UTF_8));
        out.write(big); // and once more as the unterminated last line
        Path p = write("long.txt", out.toByteArray());
        CountingSink s = new CountingSink(false);
        SourceResult r = TraceParsers.parse(p, null, 0, s, false);
        assertEquals(2, r.events());
        assertEquals(4, r.linesTotal());
        assertEquals(2, r.problems());
        assertEquals(List.of(2L, 4L), List.copyOf(s.problems.keySet()));
        assertTrue(s.problems.get(2L).startsWith("line too long (1048576 bytes"), s.problems.get(2L));
        assertOneLine(fails(p, null, true).getMessage(), p, ":2: line too long");
    }

    @Test
    void aFailingSinkStopsTheParseWithItsOwnException() throws Exception {
        Path p = write("ok.txt", L1 + "\n" + L2 + "\n" + L3 + "\n");
        IllegalStateException disk = new IllegalStateException("disk full");
        CountingSink failing = new CountingSink(false) {
            @Override
            public void event(vmalock.event.Event e) {
                if (e.line == 2) throw disk;
                super.event(e);
            }
        };
        IllegalStateException x = assertThrows(IllegalStateException.class, () -> TraceParsers.parse(p, null, 0, failing, false));
        assertTrue(x == disk, "the sink's exception, unchanged");
        assertEquals(1, failing.total);
        assertTrue(failing.problems.isEmpty(), "a sink failure is not a bad line");
    }

    @Test
    void corruptCompressedInput() throws Exception {
        byte[] gz = CompressionTest.gzip((L1 + "\n" + L2 + "\n").repeat(1000).getBytes(StandardCharsets.UTF_8));
        Path p = write("cut.txt.gz", Arrays.copyOf(gz, gz.length / 2));
        assertOneLine(fails(p, null, false).getMessage(), p, "gzip");
        byte[] bad = gz.clone();
        for (int i = 20; i < bad.length - 20; i += 7) bad[i] ^= 0x55;
        Path q = write("bad.txt.gz", bad);
        assertOneLine(fails(q, null, false).getMessage(), q, "gzip");
    }
}
