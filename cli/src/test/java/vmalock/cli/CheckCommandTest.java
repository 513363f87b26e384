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
}
