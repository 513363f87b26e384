package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 12 (fault-injection #49, #62): replay in a small heap on a trace of many tasks (20,000 one-fault
 * tasks, each in its own mm: the shape of the 100,000-task run, smaller). In a child JVM: with -Xmx128m it
 * finishes (48 MB is enough there, 32 MB is not; before, the work alone took ≈3 KB a task); with -Xmx32m it fails with one
 * line naming the heap and VMALOCK_JAVA_OPTS, exit 10, and leaves no run behind.
 */
class SmallHeapTest {
    static final int TASKS = 20_000;

    @TempDir
    Path tmp;

    private Path workspace() throws Exception {
        Path trace = tmp.resolve("tasks.txt");
        try (java.io.BufferedWriter w = Files.newBufferedWriter(trace)) {
            w.write("# tracer: nop\n#\n");
            for (int i = 0; i < TASKS; i++) {
                String mm = String.format("mm=%016x memcg_id=1", 4096L * (i + 1));
                String[] ev = {"page_fault_user: address=0x1000 ip=0x400000 error_code=0x6",
                        "mmap_lock_start_locking: " + mm + " write=false",
                        "mmap_lock_acquire_returned: " + mm + " write=false success=true",
                        "mmap_lock_released: " + mm + " write=false"};
                for (int k = 0; k < 4; k++) {
                    long t = 4L * i + k;
                    w.write(String.format("%16s-%-7d [%03d] ..... %d.%06d: %s%n", "t" + i, 1000 + i, i % 2,
                            100 + t / 1_000_000, t % 1_000_000, ev[k]));
                }
            }
        }
        Path ws = tmp.resolve("ws");
        Cli r = Cli.run("ingest", "-w", ws, "--kernel", "6.18", trace);
        assertEquals(0, r.code, r.toString());
        return ws;
    }

    private static String replay(Path ws, String heap, int expect) throws Exception {
        Path log = ws.resolveSibling("child-" + heap + ".log");
        Process p = FaultInjectionTest.child(log, List.of(heap), "replay", "-w", ws, "--policy", "no-vma-lock");
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "replay " + heap + " did not end");
        String out = Files.readString(log);
        assertEquals(expect, p.exitValue(), out);
        return out;
    }

    @Test
    void manyTasksReplayInASmallHeapOrFailInOneLine() throws Exception {
        Path ws = workspace();
        String ok = replay(ws, "-Xmx128m", 0);
        assertTrue(ok.contains("address spaces") || ok.contains("no-vma-lock"), ok);
        assertTrue(Files.isRegularFile(ws.resolve("runs/no-vma-lock-s0/run.json")));
        assertEquals(TASKS, vmalock.stats.StatsJson.JSON.readTree(ws.resolve("runs/no-vma-lock-s0/run.json").toFile())
                .get("inputs").get(0).get("address_spaces").asInt());

        vmalock.replay.ReplayRunner.runIds(ws).forEach(id -> deleteTree(ws.resolve("runs").resolve(id)));
        deleteTree(ws.resolve("runs"));
        String oom = replay(ws, "-Xmx32m", ExitCode.OUT_OF_MEMORY);
        assertEquals(1, oom.strip().split("\n").length, oom);
        assertTrue(oom.startsWith("vmalock: out of memory: replay needs more than the "), oom);
        assertTrue(oom.contains("VMALOCK_JAVA_OPTS=-Xmx"), oom);
        assertFalse(oom.contains("\tat "), oom);
        // the staged run was removed: nothing under runs/ (no partial run, no staging folder)
        assertFalse(Files.exists(ws.resolve("runs")) && Files.list(ws.resolve("runs")).findAny().isPresent(),
                "left behind under runs/");
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) return;
        try (java.util.stream.Stream<Path> s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
