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

    /** A workspace of the counter-clock sample, its database built. */
    private Path counterClockWorkspace() {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", "--tables", Cli.sample("ftrace-counter.txt"), "-w", ws).code);
        assertEquals(0, Cli.run("stats", "-w", ws).code);
        return ws;
    }

    @Test
    void refusedReplaysOfACounterClockTraceLeaveNoState() throws IOException {
        Path ws = counterClockWorkspace();
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

    /**
     * Issue 12 item 3: every command's failure path (usage errors, refusals, missing inputs, unwritable
     * outputs, bad SQL) leaves the workspace as it was: no new file or folder, the manifest unchanged.
     */
    @Test
    void everyCommandsFailurePathLeavesTheWorkspaceAsItWas() throws IOException {
        failuresLeaveNoState(counterClockWorkspace());
    }

    /** The same on a small workspace whose ingest left the database for later: a failed first use does not create it. */
    @Test
    void aFailedFirstUseLeavesNoDatabase() throws IOException {
        Path ws = tmp.resolve("small");
        assertEquals(0, Cli.run("ingest", Cli.sample("ftrace-counter.txt"), "-w", ws).code);
        assertFalse(Files.exists(ws.resolve("vmalock.duckdb")));
        failuresLeaveNoState(ws);
    }

    private void failuresLeaveNoState(Path ws) throws IOException {
        TreeSet<String> before = tree(ws);
        byte[] manifest = Files.readAllBytes(ws.resolve("manifest.json"));
        Path notATrace = tmp.resolve("notes.txt");
        Files.writeString(notATrace, "hello\nthis is not a trace\n");
        String w = ws.toString();
        List<List<String>> failing = List.of(
                List.of("ingest", "-w", w, tmp.resolve("missing.txt").toString()),
                List.of("ingest", "-w", w, notATrace.toString()),
                List.of("stats", "-w", w, "--source", "9"),
                List.of("stats", "-w", w, "--run", "nope"),
                List.of("export", "-w", w, "-o", tmp.resolve("no/such/dir/x.csv").toString()),
                List.of("export", "-w", w, "-o", tmp.resolve("x.csv").toString(), "--format", "bogus"),
                List.of("report", "-w", w, "nosuchreport"),
                List.of("report", "-w", w, "--html", tmp.resolve("no/such/dir/x.html").toString()),
                List.of("query", "-w", w, "SELEC broken"),
                List.of("check", "-w", w, "--source", "9"),
                List.of("replay", "-w", w, "--policy", "nosuch"),
                List.of("replay", "-w", w, "--policy", "vma-refcount"),
                List.of("compare", "-w", w, "--policies", "vma-refcount"),
                List.of("compare", "-w", w, "--format", "bogus"),
                List.of("capture", "-w", w, "--", "true"));
        for (List<String> args : failing) {
            Cli r = Cli.run(args.toArray());
            assertNotEquals(0, r.code, r.toString());
            assertFalse(r.err.contains("\tat "), "no stack trace: " + r);
            assertEquals(before, tree(ws), "state left behind by " + args);
            assertTrue(java.util.Arrays.equals(manifest, Files.readAllBytes(ws.resolve("manifest.json"))), "manifest changed by " + args);
        }
        assertFalse(Files.exists(tmp.resolve("x.csv")), "no partial export");
    }
}
