package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12 item 12: the defects of the fault-injection run (shared/docs/fault-injection.md), one test each. */
class FaultInjectionTest {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String FMT = "%16s-%-7s [%03d] ..... %s: %s: %s%n";
    private static final String MM = "mm=00000000deadbeef memcg_id=1 ";

    @TempDir
    Path tmp;

    private Path ingest(String name, String text) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, text);
        Path ws = tmp.resolve("ws-" + name);
        Cli in = Cli.run("ingest", f, "-w", ws);
        assertTrue(in.code == 0 || in.code == 1, in.toString());
        return ws;
    }

    private static JsonNode dataQuality(Path ws) throws IOException {
        Cli r = Cli.run("report", "-w", ws, "data_quality", "--format", "json");
        assertEquals(0, r.code, r.toString());
        return JSON.readTree(r.out).findValue("rows").get(0);
    }

    /** #56, #42: lost markers are not out-of-order timestamps; time running backwards is flagged. */
    @Test
    void dataQualitySkipsLostMarkersAndFlagsTimeRunningBackwards() throws IOException {
        Path lossy = tmp.resolve("lossy");
        assertEquals(0, Cli.run("ingest", Cli.sample("ftrace-pipe-lost.txt"), "-w", lossy).code);
        JsonNode q = dataQuality(lossy);
        assertEquals(0, q.get("out_of_order_ts").asLong(), q.toString());
        assertTrue(q.get("verdict").asText().startsWith("LOSSY"), q.toString());

        String t = "# tracer: nop\n#\n"
                + String.format(FMT, "a", "10", 0, "200.000001", "mmap_lock_start_locking", MM + "write=false")
                + String.format(FMT, "a", "10", 0, "200.000002", "mmap_lock_acquire_returned", MM + "write=false success=true")
                + String.format(FMT, "a", "10", 0, "100.000003", "mmap_lock_released", MM + "write=false");
        JsonNode b = dataQuality(ingest("backwards.txt", t));
        assertEquals(1, b.get("out_of_order_ts").asLong(), b.toString());
        assertTrue(b.get("verdict").asText().startsWith("TIME RUNS BACKWARDS"), b.toString());
    }

    /** #41, #48: pids beyond int and absurd lost-event counts are problems, never wrapped. */
    @Test
    void oversizedPidsAndLostCountsDoNotWrap() throws IOException {
        String t = "# tracer: nop\n#\n"
                + String.format(FMT, "a", "10", 0, "100.000001", "page_fault_user", "address=0x1000 ip=0x400000 error_code=0x6")
                + String.format(FMT, "big", "2147483648", 0, "100.000002", "page_fault_user", "address=0x1000 ip=0x400000 error_code=0x6")
                + String.format(FMT, "huge", "99999999999999999999", 0, "100.000003", "page_fault_user", "address=0x1000 ip=0x400000 error_code=0x6")
                + "CPU:0 [LOST 9223372036854775807 EVENTS]\n"
                + "CPU:0 [LOST 9223372036854775807 EVENTS]\n"
                + "CPU:1 [LOST 5 EVENTS]\n";
        Path ws = ingest("hostile.txt", t);
        JsonNode s = JSON.readTree(Cli.run("stats", "-w", ws, "--json").out);
        assertEquals(4, s.get("problems").asLong(), s.toString());
        assertEquals(1, s.get("page_faults").asLong());
        assertEquals(5, s.get("lost_events").asLong());
        JsonNode j = JSON.readTree(Cli.run("stats", "-w", ws, "--json", "--source", "0").out);
        assertEquals(5, j.get("lost_events").asLong());
        Cli export = Cli.run("export", "-w", ws, "-o", "-");
        assertFalse(export.out.contains("-2147483648"), export.out);
    }

    /** #54: two dumps in one file, the first overwritten: every header counts, the trace is lossy. */
    @Test
    void everyFtraceHeaderOfAFileCounts() throws IOException {
        String ev = String.format(FMT, "a", "10", 0, "100.000001", "page_fault_user", "address=0x1000 ip=0x400000 error_code=0x6");
        String t = "# tracer: nop\n#\n# entries-in-buffer/entries-written: 1/3707   #P:2\n#\n" + ev
                + "# tracer: nop\n#\n# entries-in-buffer/entries-written: 1/1   #P:2\n#\n" + ev;
        Path ws = ingest("two-dumps.txt", t);
        JsonNode s = JSON.readTree(Cli.run("stats", "-w", ws, "--json").out);
        assertTrue(s.get("lossy").asBoolean(), s.toString());
        assertEquals(3706, s.get("header_entries_overwritten").asLong(), s.toString());
    }

    /** #32: a truncated queue file is a one-line workspace error (exit 4), not a stack trace and exit 1. */
    @Test
    void aTruncatedQueueFileIsAOneLineWorkspaceError() throws IOException {
        Path ws = overlapWorkspace();
        Path cq4 = queueFile(ws);
        try (RandomAccessFile f = new RandomAccessFile(cq4.toFile(), "rw")) {
            f.setLength(256 * 1024);
        }
        for (Object[] args : new Object[][] {{"stats", "-w", ws, "--source", "0"}, {"check", "-w", ws}}) {
            Cli r = Cli.run(args);
            assertEquals(4, r.code, r.toString());
            assertEquals(1, r.err.strip().split("\n").length, r.toString());
            assertFalse(r.err.contains("\tat "), r.toString());
        }
    }

    /**
     * #31: single-bit flips across the event blocks of a real workspace's queue file (40 positions spread
     * evenly over the used part of the file, one bit each) give either the identical {@code stats} output
     * or a one-line workspace error (exit 4) naming the workspace and the source, never other numbers.
     */
    @Test
    void bitFlipsInTheQueueNeverChangeTheFigures() throws IOException {
        Path ws = overlapWorkspace();
        Path cq4 = queueFile(ws);
        Cli ref = Cli.run("stats", "-w", ws, "--source", "0", "--json");
        assertEquals(0, ref.code, ref.toString());
        byte[] data = Files.readAllBytes(cq4);
        int used = data.length;
        while (used > 0 && data[used - 1] == 0) used--;
        int flips = 40;
        int detected = 0;
        for (int i = 0; i < flips; i++) {
            // the first quarter holds Chronicle's header and index; the blocks follow it
            long pos = used / 4 + (long) (used - used / 4) * i / flips + 7L * i % 97;
            int bit = i % 8;
            try (RandomAccessFile f = new RandomAccessFile(cq4.toFile(), "rw")) {
                f.seek(pos);
                int b = f.read();
                f.seek(pos);
                f.write(b ^ (1 << bit));
                Cli r = Cli.run("stats", "-w", ws, "--source", "0", "--json");
                f.seek(pos);
                f.write(b);
                String where = "flip of bit " + bit + " at byte " + pos;
                if (r.code == 0) {
                    assertEquals(ref.out, r.out, where + " changed the figures");
                } else {
                    detected++;
                    assertEquals(4, r.code, where + ": " + r);
                    assertEquals(1, r.err.strip().split("\n").length, where + ": " + r);
                    assertTrue(r.err.contains(ws.toString()) && r.err.contains("source 0"), where + ": " + r);
                }
            }
        }
        assertTrue(detected > flips / 2, "most flips land in event data and are detected: " + detected);
    }

    /** The workspace's one Chronicle cycle file. */
    private static Path queueFile(Path ws) throws IOException {
        try (Stream<Path> s = Files.list(ws.resolve("queue"))) {
            return s.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
    }

    /** A workspace of the sample overlap capture. */
    private Path overlapWorkspace() {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", Cli.sample("ftrace-overlap-default.txt"), "-w", ws).code);
        return ws;
    }

    /** #12, #37: a damaged vmalock.duckdb (derived data) is rebuilt, not an error forever. */
    @Test
    void aDamagedDatabaseIsRebuilt() throws IOException {
        Path ws = overlapWorkspace();
        String want = Cli.run("stats", "-w", ws, "--json").out;
        Path db = ws.resolve("vmalock.duckdb");
        byte[] garbage = new byte[8192];
        new java.util.Random(1).nextBytes(garbage);
        for (byte[] content : new byte[][] {new byte[0], new byte[40960], garbage}) {
            Files.write(db, content);
            Cli r = Cli.run("stats", "-w", ws, "--json");
            assertEquals(0, r.code, r.toString());
            assertEquals(want, r.out);
        }
    }

    /** #65, #66, #39: SQL reaches no file, network or extension unless --allow-external, and changes nothing. */
    @Test
    void sqlIsClosedToTheOutsideAndChangesNothing() throws IOException {
        Path ws = overlapWorkspace();
        String want = Cli.run("stats", "-w", ws, "--json").out;
        Path outside = tmp.resolve("outside.txt");
        Files.writeString(outside, "secret\n");
        Cli read = Cli.run("query", "-w", ws, "SELECT * FROM read_text('" + outside + "')");
        assertEquals(5, read.code, read.toString());
        Path copy = tmp.resolve("copy.csv");
        assertEquals(5, Cli.run("query", "-w", ws, "COPY (SELECT 1) TO '" + copy + "'").code);
        assertFalse(Files.exists(copy));
        assertEquals(5, Cli.run("query", "-w", ws, "INSTALL httpfs").code);
        Cli off = Cli.run("query", "-w", ws, "--format", "csv", "SELECT current_setting('autoinstall_known_extensions') AS a,"
                + " current_setting('autoload_known_extensions') AS b");
        assertTrue(off.out.contains("false,false"), off.out);
        Cli del = Cli.run("query", "-w", ws, "DELETE FROM vmalock.main.lock_spans WHERE true");
        assertEquals(want, Cli.run("stats", "-w", ws, "--json").out, "a DELETE through query is rolled back: " + del);
        Cli allowed = Cli.run("query", "-w", ws, "--allow-external", "--format", "csv", "SELECT content FROM read_text('" + outside + "')");
        assertEquals(0, allowed.code, allowed.toString());
        assertTrue(allowed.out.contains("secret"), allowed.out);
    }

    /** #53: the same capture ingested compressed after plain is a duplicate, not a second source. */
    @Test
    void theSameCaptureCompressedIsADuplicate() throws IOException {
        Path ws = overlapWorkspace();
        Path gz = tmp.resolve("ftrace-overlap-default.txt.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(Cli.sample("ftrace-overlap-default.txt"), out);
        }
        Cli again = Cli.run("ingest", gz, "-w", ws);
        assertEquals(3, again.code, again.toString());
        assertTrue(again.err.contains("same capture"), again.err);
        assertEquals(1, JSON.readTree(Files.readString(ws.resolve("manifest.json"))).get("sources").size());
    }

    /** #25: replay runs made before a later ingest are flagged stale and not used for the calibration. */
    @Test
    void replayRunsFromBeforeALaterIngestAreStale() throws IOException {
        Path ws = overlapWorkspace();
        assertEquals(0, Cli.run("replay", "-w", ws, "--policy", "vma-refcount").code);
        Cli fresh = Cli.run("report", "-w", ws, "--run", "all", "summary");
        assertFalse(fresh.err.contains("stale"), fresh.err);
        assertEquals(0, Cli.run("ingest", Cli.sample("ftrace-memcg.txt"), "-w", ws).code);
        Cli r = Cli.run("report", "-w", ws, "--run", "all", "summary");
        assertEquals(0, r.code, r.toString());
        assertTrue(r.err.contains("stale replay runs (vma-refcount-s0)"), r.err);
        Path html = tmp.resolve("r.html");
        assertEquals(0, Cli.run("report", "-w", ws, "--html", html).code);
        String h = Files.readString(html);
        assertTrue(h.contains("id=\"stale-runs\""), "stale warning on the page");
        assertFalse(h.contains("id=\"calibration-table\""), "no calibration against a stale run");
    }

    /** #35: a manifest that contradicts itself (last_index edited: half the events gone silently) is refused. */
    @Test
    void aManifestIsCheckedAgainstItself() throws IOException {
        Path ws = overlapWorkspace();
        Path mf = ws.resolve("manifest.json");
        com.fasterxml.jackson.databind.node.ObjectNode m = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(mf.toFile());
        com.fasterxml.jackson.databind.node.ObjectNode src = (com.fasterxml.jackson.databind.node.ObjectNode) m.get("sources").get(0);
        src.put("last_index", src.get("last_index").asLong() / 2);
        Files.writeString(mf, JSON.writeValueAsString(m));
        Cli r = Cli.run("stats", "-w", ws, "--source", "0");
        assertEquals(4, r.code, r.toString());
        assertTrue(r.err.contains("damaged manifest"), r.err);
        assertEquals(1, r.err.strip().split("\n").length, r.err);
    }

    /**
     * #24: a second command while another process holds the database (a long query) waits for it and
     * succeeds, instead of failing with DuckDB's "Conflicting lock".
     */
    @Test
    void aSecondReadingCommandWaitsForTheFirst() throws Exception {
        Path ws = overlapWorkspace();
        assertEquals(0, Cli.run("stats", "-w", ws).code);
        Path log = tmp.resolve("other.log");
        Process other = child(log, java.util.List.of(), "query", "-w", ws, "SELECT count(*) FROM range(8000000000)");
        try {
            Thread.sleep(4000); // the other process has the database open
            Cli r = Cli.run("stats", "-w", ws, "--json");
            assertEquals(0, r.code, r.toString());
            assertFalse(r.err.contains("lock"), r.err);
        } finally {
            other.waitFor(120, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertEquals(0, other.exitValue(), Files.readString(log));
    }

    /** vmalock in another JVM (the test's class path), output to {@code log}. */
    static Process child(Path log, java.util.List<String> jvmOptions, Object... args) throws IOException {
        java.util.List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("-D")).toList());
        cmd.addAll(jvmOptions);
        cmd.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"), "vmalock.cli.Main"));
        for (Object a : args) {
            cmd.add(String.valueOf(a));
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * #24, issue 12 item 2: read-only commands share the database. While this process holds it open as a
     * reading command does (the database current: nothing to load), a query and a report in another process
     * get in at once — they are told not to wait for a lock at all — and answer.
     */
    @Test
    void readingCommandsShareTheDatabase() throws Exception {
        Path ws = overlapWorkspace();
        Path log = tmp.resolve("child.log");
        try (vmalock.store.Workspace w = vmalock.store.Workspace.open(ws);
             vmalock.db.WorkspaceDb held = vmalock.db.ObservedRun.open(w)) {
            assertTrue(held.readOnly(), "a current database is opened read-only");
            for (Object[] args : new Object[][] {{"query", "-w", ws, "--format", "csv", "SELECT count(*) AS n FROM faults"},
                    {"report", "-w", ws, "summary"}}) {
                Process p = child(log, java.util.List.of("-Dvmalock.db.lockWaitMs=0"), args);
                assertTrue(p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), Files.readString(log));
                assertFalse(Files.readString(log).contains("Conflicting lock"), Files.readString(log));
            }
        }
    }
}
