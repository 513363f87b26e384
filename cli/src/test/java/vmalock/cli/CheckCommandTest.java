package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vmalock check}: the mmap_lock invariants over stored events. */
class CheckCommandTest {
    @TempDir
    Path tmp;

    private static final String HEAD = "# tracer: nop\n#\n";

    private static String line(String comm, int pid, String ts, String event, String fields) {
        return String.format("%16s-%-7d [000] ..... %s: %s: %s%n", comm, pid, ts, event, fields);
    }

    private Path ws(String trace) throws IOException {
        Path f = tmp.resolve("t.txt");
        Files.writeString(f, trace);
        Path w = tmp.resolve("ws");
        Cli in = Cli.run("ingest", f, "-w", w);
        assertEquals(0, in.code, in.toString());
        return w;
    }

    private static String mm(String rest) {
        return "mm=00000000deadbeef memcg_id=1 " + rest;
    }

    @Test
    void cleanTraceExitsZero() throws IOException {
        String t = HEAD
                + line("a", 10, "100.000001", "mmap_lock_start_locking", mm("write=false"))
                + line("a", 10, "100.000002", "mmap_lock_acquire_returned", mm("write=false success=true"))
                + line("b", 11, "100.000003", "mmap_lock_start_locking", mm("write=true"))
                + line("a", 10, "100.000004", "mmap_lock_released", mm("write=false"))
                + line("b", 11, "100.000005", "mmap_lock_acquire_returned", mm("write=true success=true"))
                + line("b", 11, "100.000006", "mmap_lock_acquire_returned", mm("write=false success=true"))
                + line("b", 11, "100.000007", "mmap_lock_released", mm("write=false"));
        Cli c = Cli.run("check", "-w", ws(t));
        assertEquals(0, c.code, c.toString());
        assertTrue(c.out.contains("violations: none"), c.out);
    }

    @Test
    void overlapsAndUnmatchedReleasesAreViolationsWithLocations() throws IOException {
        String t = HEAD
                + line("a", 10, "100.000001", "mmap_lock_start_locking", mm("write=true"))
                + line("a", 10, "100.000002", "mmap_lock_acquire_returned", mm("write=true success=true"))
                + line("b", 11, "100.000003", "mmap_lock_start_locking", mm("write=false"))
                + line("b", 11, "100.000004", "mmap_lock_acquire_returned", mm("write=false success=true"))
                + line("a", 10, "100.000005", "mmap_lock_start_locking", mm("write=false"))
                + line("b", 11, "100.000006", "mmap_lock_released", mm("write=false"))
                + line("b", 11, "100.000007", "mmap_lock_released", mm("write=false"));
        Cli c = Cli.run("check", "-w", ws(t), "--json");
        assertEquals(8, c.code, c.toString());
        JsonNode j = new ObjectMapper().readTree(c.out);
        assertEquals(1, j.get("violations").get("10-readers-writer-overlap").asLong(), c.out);
        assertEquals(1, j.get("violations").get("10-unmatched-release").asLong(), c.out);
        JsonNode first = j.get("examples").get(0);
        assertEquals("t.txt", first.get("source").asText());
        assertTrue(first.get("line").asLong() > 2);
    }

    @Test
    void twoWritersWhoseFirstReleasesNextAreToleratedAsLateRelease() throws IOException {
        String t = HEAD
                + line("a", 10, "100.000001", "mmap_lock_start_locking", mm("write=true"))
                + line("a", 10, "100.000002", "mmap_lock_acquire_returned", mm("write=true success=true"))
                + line("b", 11, "100.000003", "mmap_lock_start_locking", mm("write=true"))
                + line("b", 11, "100.000004", "mmap_lock_acquire_returned", mm("write=true success=true"))
                + line("a", 10, "100.000005", "mmap_lock_released", mm("write=true"))
                + line("b", 11, "100.000006", "mmap_lock_released", mm("write=true"))
                + line("c", 12, "100.000007", "mmap_lock_released", mm("write=false"));
        Cli c = Cli.run("check", "-w", ws(t));
        assertEquals(0, c.code, c.toString());
        assertTrue(c.out.contains("late-release"), c.out);
        assertTrue(c.out.contains("taken before the trace"), c.out);
    }

    @Test
    void realSharedTraceHasNoViolations() {
        Path trace = Cli.shared().resolve("traces").resolve("ftrace-overlap-default.txt");
        Path w = tmp.resolve("ws2");
        assertEquals(0, Cli.run("ingest", trace, "-w", w).code);
        Cli c = Cli.run("check", "-w", w);
        assertEquals(0, c.code, c.toString());
    }

    @Test
    void missingWorkspaceIsOneLineAndExitFour() {
        Cli c = Cli.run("check", "-w", tmp.resolve("nope"));
        assertEquals(4, c.code);
        assertEquals(1, c.err.strip().lines().count(), c.err);
    }

    private static String lineOn(int cpu, String comm, int pid, String ts, String event, String fields) {
        return String.format("%16s-%-7d [%03d] ..... %s: %s: %s%n", comm, pid, cpu, ts, event, fields);
    }

    /** Issue 12 item 2: an overlap the lost events of the holder's CPU can explain is unverifiable, not a violation. */
    @Test
    void overlapsExplainedByLostEventsAreUnverifiable() throws IOException {
        String t = HEAD
                + lineOn(1, "w", 10, "100.000001", "mmap_lock_start_locking", mm("write=true"))
                + lineOn(1, "w", 10, "100.000002", "mmap_lock_acquire_returned", mm("write=true success=true"))
                // CPU 1 loses the writer's release; the reader on CPU 0 seems to overlap
                + lineOn(0, "r", 11, "100.000010", "mmap_lock_start_locking", mm("write=false"))
                + lineOn(0, "r", 11, "100.000011", "mmap_lock_acquire_returned", mm("write=false success=true"))
                + "CPU:1 [LOST 7 EVENTS]\n"
                + lineOn(0, "r", 11, "100.000012", "mmap_lock_released", mm("write=false"))
                + lineOn(1, "w", 10, "100.000020", "page_fault_user", "address=0x7f0000001000 ip=0x400000 error_code=0x6");
        Cli c = Cli.run("check", "-w", ws(t), "--json");
        assertEquals(0, c.code, c.toString());
        JsonNode j = new ObjectMapper().readTree(c.out);
        assertEquals(0, j.get("violations").size(), c.out);
        assertEquals(1, j.get("unverifiable").get("10-readers-writer-overlap").asLong(), c.out);
        Cli text = Cli.run("check", "-w", tmp.resolve("ws"));
        assertTrue(text.out.contains("unverifiable"), text.out);

        // a marker of an unrelated CPU explains nothing: still a violation
        String u = t.replace("CPU:1 [LOST 7 EVENTS]", "CPU:3 [LOST 7 EVENTS]");
        Path w2 = tmp.resolve("ws2");
        Path f2 = tmp.resolve("u.txt");
        Files.writeString(f2, u);
        assertEquals(0, Cli.run("ingest", f2, "-w", w2).code);
        Cli c2 = Cli.run("check", "-w", w2, "--json");
        assertEquals(8, c2.code, c2.toString());
    }
}
