package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vmalock.store.Manifest;

/**
 * {@code vmalock ingest}: every bad input gets a clear one-line error (never a stack trace), the exit
 * code says what happened, and nothing already ingested is lost.
 */
class IngestCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String HEADER = "# tracer: nop\n#\n# entries-in-buffer/entries-written: 3/3   #P:2\n#\n";
    static final String L1 = "      capture.sh-16869   [001] d....  1216.415952: page_fault_user: address=0x7ffe04f81080 ip=0x55c68066d35e error_code=0x7\n";
    static final String L2 = "      capture.sh-16869   [001] d....  1216.415961: mmap_lock_start_locking: mm=000000005f3681c8 memcg_path= write=false\n";
    static final String L3 = "      capture.sh-16869   [001] d....  1216.415962: mmap_lock_acquire_returned: mm=000000005f3681c8 memcg_path= write=false success=true\n";

    @TempDir
    Path tmp;

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private Path ws() {
        return tmp.resolve("ws");
    }

    private static void noStackTrace(Cli c) {
        assertFalse(c.err.contains("\tat ") || c.err.contains("Exception"), c.toString());
    }

    private JsonNode stats() throws IOException {
        Cli st = Cli.run("stats", "-w", ws(), "--json");
        assertEquals(0, st.code, st.toString());
        return JSON.readTree(st.out);
    }

    @Test
    void goodFileExitsZeroAndPrintsOneLinePerSource() throws IOException {
        Cli c = Cli.run("ingest", write("ok.txt", HEADER + L1 + L2 + L3), "-w", ws());
        assertEquals(0, c.code, c.toString());
        assertTrue(c.out.startsWith("source 0: ") && c.out.contains("ftrace, unknown clock, 7 lines: 3 events, 4 non-event lines, 0 problems"), c.out);
        assertEquals("", c.err);
    }

    @Test
    void badLinesAreSkippedAndReportedWithFileAndLine() throws IOException {
        StringBuilder sb = new StringBuilder(HEADER + L1);
        for (int i = 0; i < 12; i++) {
            sb.append("this is not a trace line ").append(i).append('\n');
        }
        sb.append(L2).append(L3);
        // comment lines, so that the bad lines are not most of the file (such a file is refused: see below)
        sb.append("#\n".repeat(6));
        Path f = write("bad.txt", sb.toString());
        Cli c = Cli.run("ingest", f, "-w", ws());
        assertEquals(ExitCode.PROBLEMS, c.code, c.toString());
        assertTrue(c.err.contains(f + ":6: "), c.err); // first bad line is line 6
        assertTrue(c.err.contains("12 bad lines skipped in total (first 10 shown)"), c.err);
        assertEquals(10, c.err.lines().filter(l -> l.matches(java.util.regex.Pattern.quote(f + ":") + "\\d+: .*")).count(), c.err);
        assertTrue(c.out.contains("12 problems"), c.out);
        noStackTrace(c);
        JsonNode st = stats();
        assertEquals(3, st.get("total_events").asLong());
        assertEquals(12, st.get("problems").asLong());
        assertEquals(25, st.get("lines_total").asLong()); // 4 header + 3 events + 12 bad + 6 comments
        assertTrue(st.get("warnings").get(0).asText().contains("12 input lines could not be parsed"));
    }

    @Test
    void strictStopsAtTheFirstBadLineAndKeepsEarlierSources() throws IOException {
        Path good = write("good.txt", HEADER + L1 + L2 + L3);
        Path bad = write("bad.txt", HEADER + L1 + "garbage\n" + L2);
        Path never = write("never.txt", HEADER + L3);
        Cli c = Cli.run("ingest", "--strict", good, bad, never, "-w", ws());
        assertEquals(ExitCode.INPUT, c.code, c.toString());
        assertTrue(c.err.contains(bad + ":6: ") && c.err.contains("(--strict)"), c.err);
        noStackTrace(c);
        Manifest m = Manifest.read(ws());
        assertEquals(1, m.sources.size(), "only the good file is in the workspace");
        assertEquals("good.txt", m.sources.get(0).name);
        assertEquals(3, stats().get("total_events").asLong());
    }

    /** --threads 2 (tiny chunks): same output lines, same problems, same statistics; 0 threads is a usage error. */
    @Test
    void twoThreadsGiveTheSameWorkspace() throws IOException {
        Path f = write("bad.txt", HEADER + L1 + "garbage line\n" + L2 + L3);
        Cli one = Cli.run("ingest", "--threads", "1", f, "-w", tmp.resolve("one"));
        Cli two = Cli.run("ingest", "--threads", "2", "--chunk-bytes", "7", f, "-w", ws());
        assertEquals(ExitCode.PROBLEMS, one.code, one.toString());
        assertEquals(one.code, two.code, two.toString());
        assertEquals(one.out, two.out);
        assertEquals(one.err, two.err);
        Cli st1 = Cli.run("stats", "-w", tmp.resolve("one"), "--json");
        assertEquals(JSON.readTree(st1.out), stats());
        Cli strict = Cli.run("ingest", "--threads", "2", "--chunk-bytes", "7", "--strict", f, "-w", tmp.resolve("strict"));
        assertEquals(ExitCode.INPUT, strict.code, strict.toString());
        assertTrue(strict.err.contains("bad.txt:6: truncated line"), strict.err);
        Cli zero = Cli.run("ingest", "--threads", "0", f, "-w", tmp.resolve("zero"));
        assertEquals(ExitCode.USAGE, zero.code, zero.toString());
        noStackTrace(zero);
    }

    @Test
    void theSameFileTwiceIsRefused() throws IOException {
        Path f = write("a.txt", HEADER + L1 + L2 + L3);
        assertEquals(0, Cli.run("ingest", f, "-w", ws()).code);
        Path copy = write("copy.txt", HEADER + L1 + L2 + L3);
        Cli c = Cli.run("ingest", copy, "-w", ws());
        assertEquals(ExitCode.INPUT, c.code, c.toString());
        assertTrue(c.err.contains("already in workspace") && c.err.contains("a.txt"), c.err);
        assertEquals(1, c.err.strip().lines().count(), c.err);
        assertEquals(1, Manifest.read(ws()).sources.size());
        assertEquals(3, stats().get("total_events").asLong());
    }

    /** Each bad input: exit code, a one-line message naming the file, and the workspace unharmed. */
    @Test
    void unusableFilesGetOneLineErrors() throws IOException {
        Path good = write("good.txt", HEADER + L1 + L2 + L3);
        assertEquals(0, Cli.run("ingest", good, "-w", ws()).code);
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {tmp.resolve("does-not-exist.txt"), "no such file"});
        cases.add(new Object[] {write("empty.txt", ""), "empty"});
        cases.add(new Object[] {write("header-only.txt", HEADER), "no events"});
        Path bin = tmp.resolve("garbage.bin");
        byte[] g = new byte[4096];
        new java.util.Random(1).nextBytes(g);
        Files.write(bin, g);
        cases.add(new Object[] {bin, "binary"});
        cases.add(new Object[] {tmp, "is a directory"});
        for (Object[] k : cases) {
            Path f = (Path) k[0];
            Cli c = Cli.run("ingest", f, "-w", ws());
            assertEquals(ExitCode.INPUT, c.code, c.toString());
            assertTrue(c.err.startsWith("vmalock: " + f) && c.err.toLowerCase().contains((String) k[1]), c.toString());
            assertEquals(1, c.err.strip().lines().count(), c.toString());
            noStackTrace(c);
        }
        assertEquals(1, Manifest.read(ws()).sources.size());
        assertEquals(3, stats().get("total_events").asLong());
    }

    @Test
    void crlfTruncatedLastLineMixedFormatsAndAHugeLine() throws IOException {
        // CRLF line ends parse like LF
        Cli crlf = Cli.run("ingest", write("crlf.txt", (HEADER + L1 + L2 + L3).replace("\n", "\r\n")), "-w", ws());
        assertEquals(0, crlf.code, crlf.toString());
        // a last line cut in the middle of an event is a problem, the rest is kept
        String cut = L3.substring(0, 60);
        Path trunc = write("trunc.txt", HEADER + L1 + L2 + cut);
        Cli t = Cli.run("ingest", trunc, "-w", tmp.resolve("ws2"));
        assertEquals(ExitCode.PROBLEMS, t.code, t.toString());
        assertTrue(t.err.contains(trunc + ":7: "), t.err);
        // a perf line inside an ftrace file is a problem on its line
        String perf = "            perf 20190 [001]  1294.467111:           exceptions:page_fault_user: address=0x7f810b7c6408 ip=0x55d48e4a752d error_code=0x7\n";
        Path mixed = write("mixed.txt", HEADER + L1 + perf + L2 + L3);
        Cli m = Cli.run("ingest", mixed, "-w", tmp.resolve("ws3"));
        assertEquals(ExitCode.PROBLEMS, m.code, m.toString());
        assertTrue(m.err.contains(mixed + ":6: "), m.err);
        // a 1 MB line
        Path huge = write("huge.txt", HEADER + L1 + "x".repeat(1 << 20) + "\n" + L2 + L3);
        Cli h = Cli.run("ingest", huge, "-w", tmp.resolve("ws4"));
        assertEquals(ExitCode.PROBLEMS, h.code, h.toString());
        assertTrue(h.err.contains(huge + ":6: "), h.err);
        assertTrue(h.out.contains("3 events"), h.out);
        for (Cli c : List.of(crlf, t, m, h)) {
            noStackTrace(c);
        }
    }

    @Test
    void usageErrorsExitTwo() {
        Cli none = Cli.run("ingest", "-w", ws());
        assertEquals(ExitCode.USAGE, none.code);
        assertTrue(none.err.contains("Missing required parameter"), none.err);
        Cli fmt = Cli.run("ingest", "x.txt", "-w", ws(), "--format", "pcap");
        assertEquals(ExitCode.USAGE, fmt.code);
        assertTrue(fmt.err.contains("unknown format 'pcap'"), fmt.err);
        Cli help = Cli.run("ingest", "--help");
        assertEquals(0, help.code);
        assertTrue(help.out.contains("Exit codes:") && help.out.contains("completed with problems"), help.out);
    }

    @Test
    void workspaceErrorsExitFour() throws IOException {
        Path notDir = write("plain-file", "x");
        Cli c = Cli.run("ingest", write("a.txt", HEADER + L1), "-w", notDir);
        assertEquals(ExitCode.WORKSPACE, c.code, c.toString());
        assertTrue(c.err.contains("not a directory"), c.err);
        noStackTrace(c);
    }

    /**
     * A real interruption: a child JVM ingesting a large file is killed with SIGKILL mid-way. The
     * workspace must still read as exactly what was committed before, and the file can be ingested
     * again afterwards.
     */
    @Test
    void killedIngestLeavesNoPartialSource() throws Exception {
        Path small = Cli.sample("tc-plain.report.txt");
        assertEquals(0, Cli.run("ingest", small, "-w", ws()).code);
        Path big = tmp.resolve("big.txt");
        byte[] trace = Files.readAllBytes(Cli.shared().resolve("traces/ftrace-overlap-default.txt"));
        try (OutputStream o = Files.newOutputStream(big)) {
            for (int i = 0; i < 120; i++) { // ~270 MB: several seconds of ingest on this machine
                o.write(trace);
            }
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("@" + Cli.root().resolve("cli/jvm-flags.args"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.add("ingest");
        cmd.add(big.toString());
        cmd.add("-w");
        cmd.add(ws().toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        Path queue = ws().resolve("queue");
        long before = dirSize(queue);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (p.isAlive() && dirSizeGrew(queue, before) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(300); // let it write a few more blocks
        assertTrue(p.isAlive(), "the child finished before it could be killed: " + Files.readString(tmp.resolve("child.log")));
        p.destroyForcibly();
        p.waitFor();
        Manifest m = Manifest.read(ws());
        assertEquals(1, m.sources.size(), "the killed ingest left no source");
        Cli st = Cli.run("stats", "-w", ws(), "--json");
        assertEquals(0, st.code, st.toString());
        JsonNode want = JSON.readTree(Cli.sample("tc-plain.report.expected.json").toFile());
        assertEquals(want.get("total_events"), JSON.readTree(st.out).get("total_events"));
        assertTrue(st.err.contains("interrupted ingest are ignored"), st.err);
        // the lock died with the process: a new ingest of a small file works and reads correctly
        Path again = Cli.sample("perf-ns.perf.txt");
        Cli in = Cli.run("ingest", again, "-w", ws());
        assertEquals(0, in.code, in.toString());
        assertTrue(in.out.startsWith("source 1: "), in.out);
        JsonNode both = JSON.readTree(Cli.run("stats", "-w", ws(), "--json").out);
        JsonNode ns = JSON.readTree(Cli.sample("perf-ns.perf.expected.json").toFile());
        assertEquals(want.get("total_events").asLong() + ns.get("total_events").asLong(), both.get("total_events").asLong());
    }

    /** True while nothing was written to the queue yet (loop condition: wait for the first blocks). */
    private static boolean dirSizeGrew(Path dir, long before) throws IOException {
        return dirSize(dir) <= before;
    }

    private static long dirSize(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long n = 0;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                // cq4 files are sparse: count the blocks actually written
                n += (Long) Files.getAttribute(p, "unix:size") > 0 ? allocated(p) : 0;
            }
        }
        return n;
    }

    /** Issue 12 item 6: a file that is not a trace, or a trace forced to the wrong format, is refused, not stored. */
    @Test
    void aFileWithoutEventsOrMostlyProblemsIsRefused() throws IOException {
        Path ws = tmp.resolve("refuse");
        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "shopping list\n- milk\n- bread\n");
        Cli notTrace = Cli.run("ingest", text, "-w", ws, "--format", "ftrace");
        assertEquals(ExitCode.INPUT, notTrace.code, notTrace.toString());
        assertTrue(notTrace.err.startsWith("vmalock: " + text + ":"), notTrace.err);
        Path trace = Cli.shared().resolve("traces/ftrace-overlap-default.txt");
        Cli wrong = Cli.run("ingest", trace, "-w", ws, "--format", "perf");
        assertEquals(ExitCode.INPUT, wrong.code, wrong.toString());
        assertTrue(wrong.err.contains(trace + ":") && wrong.err.contains("not ingested"), wrong.err);
        // one line: file, first bad line and its reason, and why the file is refused (no list of problems before it)
        assertEquals(1, wrong.err.strip().split("\n").length, wrong.err);
        assertTrue(wrong.err.startsWith("vmalock: " + trace + ":1: "), wrong.err);
        assertEquals(1, notTrace.err.strip().split("\n").length, notTrace.err);
        // nothing was stored: the right ingest is not a duplicate
        Cli right = Cli.run("ingest", trace, "-w", ws);
        assertEquals(0, right.code, right.toString());
        assertTrue(right.out.startsWith("source 0: "), right.out);
    }

    private static long allocated(Path p) throws IOException {
        Process du = new ProcessBuilder("du", "-B1", p.toString()).start();
        String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        return out.isEmpty() ? 0 : Long.parseLong(out.split("\\s+")[0]);
    }
}
