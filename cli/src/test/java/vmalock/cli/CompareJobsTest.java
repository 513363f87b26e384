package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 item 4: {@code compare --jobs N} replays N policies at once; its output, and every stored run (run.json and
 * the replayed events' queue files, byte for byte), are those of the policies one at a time, in every format and with
 * --sweep.
 */
class CompareJobsTest {
    @TempDir
    Path tmp;

    /** Every file under the workspace's runs/, by relative path: its bytes' SHA-256. */
    private static Map<String, String> runs(Path ws) throws Exception {
        Map<String, String> m = new TreeMap<>();
        Path runs = ws.resolve("runs");
        try (Stream<Path> s = Files.walk(runs)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!Files.isRegularFile(p) || p.getFileName().toString().equals(".lock")) continue;
                byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
                m.put(runs.relativize(p).toString(), java.util.HexFormat.of().formatHex(d));
            }
        }
        return m;
    }

    private static void deleteRuns(Path ws) throws Exception {
        try (Stream<Path> s = Files.walk(ws.resolve("runs"))) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void twoPoliciesAtOnceGiveTheOutputAndRunsOfOneAtATime() throws Exception {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", Cli.sample("ftrace-tgid.txt"), "-w", ws).code);
        for (String fmt : new String[] {"json"}) { // every figure of every layout
            Cli one = Cli.run("compare", "-w", ws, "--format", fmt, "--jobs", "1");
            assertEquals(0, one.code, one.toString());
            Map<String, String> runsOne = runs(ws);
            deleteRuns(ws);
            Cli two = Cli.run("compare", "-w", ws, "--format", fmt, "--jobs", "2");
            assertEquals(0, two.code, two.toString());
            assertEquals(one.out, two.out, fmt);
            assertEquals(one.err, two.err, fmt);
            assertEquals(runsOne, runs(ws), fmt + ": the stored runs");
            assertTrue(runsOne.size() > 8 * 2, runsOne.toString());
        }
    }

    /**
     * compare builds the trace's work once and replays every policy from it: the document and every stored run must
     * be those of replays that each build their own work (-Dvmalock.compare.share=off), one and two policies at once.
     */
    @Test
    void sharingTheWorkBetweenPoliciesChangesNoRun() throws Exception {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", Cli.sample("ftrace-tgid.txt"), Cli.sample("ftrace-remote-heavy.txt"), "-w", ws).code);
        Map<String, Cli> outs = new TreeMap<>();
        Map<String, Map<String, String>> runs = new TreeMap<>();
        for (String share : new String[] {"off", "on"}) {
            for (String jobs : new String[] {"1", "2"}) {
                String key = share + "/" + jobs;
                System.setProperty("vmalock.compare.share", share);
                try {
                    outs.put(key, Cli.run("compare", "-w", ws, "--format", "json", "--jobs", jobs));
                } finally {
                    System.clearProperty("vmalock.compare.share");
                }
                assertEquals(0, outs.get(key).code, outs.get(key).toString());
                runs.put(key, runs(ws));
                deleteRuns(ws);
            }
        }
        for (String key : outs.keySet()) {
            assertEquals(outs.get("off/1").out, outs.get(key).out, key);
            assertEquals(outs.get("off/1").err, outs.get(key).err, key);
            assertEquals(runs.get("off/1"), runs.get(key), key + ": the stored runs");
        }
        assertTrue(runs.get("on/2").size() > 8 * 2, runs.toString());
    }

    @Test
    void sweepAndAPolicyListAreTheSameWithTwoJobs() {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", Cli.sample("ftrace-tgid.txt"), "-w", ws).code);
        Object[] args = {"compare", "-w", ws, "--policies", "no-vma-lock,faults-on-mmap-lock", "--baseline",
            "no-vma-lock", "--sweep", "--format", "json"};
        Cli one = Cli.run(concat(args, "--jobs", "1"));
        Cli two = Cli.run(concat(args, "--jobs", "2"));
        assertEquals(0, one.code, one.toString());
        assertEquals(one.out, two.out);
        assertEquals(one.err, two.err);
        Cli bad = Cli.run("compare", "-w", ws, "--jobs", "-1");
        assertEquals(ExitCode.USAGE, bad.code, bad.toString());
    }

    private static Object[] concat(Object[] a, Object... b) {
        Object[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
