package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12 items 3 and 12: a refused or interrupted command leaves nothing behind that blocks a later one. */
class FailureLeavesNothingTest {
    @TempDir
    Path tmp;

    private static TreeSet<String> tree(Path ws) throws IOException {
        try (Stream<Path> s = Files.walk(ws)) {
            return s.map(p -> ws.relativize(p).toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void refusedReplaysOfACounterClockTraceLeaveNoState() throws IOException {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", Cli.sample("ftrace-counter.txt"), "-w", ws).code);
        assertEquals(0, Cli.run("stats", "-w", ws).code);
        TreeSet<String> before = tree(ws);
        for (List<String> args : List.of(List.of("replay", "--policy", "vma-refcount"), List.of("replay", "--policy", "no-vma-lock"),
                List.of("compare", "--policies", "vma-refcount"))) {
            Object[] a = Stream.concat(args.stream(), Stream.of("-w", ws.toString())).toArray();
            Cli r = Cli.run(a);
            assertNotEquals(0, r.code, r.toString());
            assertEquals(1, r.err.strip().split("\n").length, r.toString());
            assertTrue(r.err.contains("clock"), r.toString());
            assertEquals(before, tree(ws), "state left behind by " + args);
        }
    }

    @Test
    void anInterruptedReplayDoesNotBlockTheNext() throws IOException {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", Cli.shared().resolve("traces/ftrace-overlap-default.txt"), "-w", ws).code);
        // what a kill -9 left before runs were staged: the run folder with only its lock and queue
        Path partial = ws.resolve("runs/vma-refcount-s0");
        Files.createDirectories(partial.resolve("queue"));
        Files.writeString(partial.resolve(".lock"), "");
        // what a kill -9 leaves now: a stage of a process that is gone (pids never reach 999999999)
        Path stale = ws.resolve("runs/.staging/999999999-vma-refcount-s0-1");
        Files.createDirectories(stale.resolve("queue"));
        Cli r = Cli.run("replay", "-w", ws, "--policy", "vma-refcount");
        assertEquals(0, r.code, r.toString());
        assertTrue(Files.isRegularFile(partial.resolve("run.json")));
        assertFalse(Files.exists(stale), "abandoned stage removed");
        assertFalse(Files.exists(ws.resolve("runs/.staging")), "no staging folder left");
        Cli again = Cli.run("compare", "-w", ws, "--policies", "vma-refcount");
        assertEquals(0, again.code, again.toString());
    }
}
