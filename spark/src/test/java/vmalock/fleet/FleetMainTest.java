package vmalock.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `vmalock fleet`'s arguments, inputs and manifest, without starting Spark. */
class FleetMainTest {
    @TempDir
    Path tmp;

    private String[] run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int rc = FleetMain.run(args, new PrintStream(o, true), new PrintStream(e, true));
        return new String[] {Integer.toString(rc), o.toString(), e.toString()};
    }

    @Test
    void usageErrorsAreOneLine() {
        String[] r = run("a.txt");
        assertEquals("2", r[0]);
        assertEquals("vmalock fleet: give the output directory with -o OUT (see --help)", r[2].strip());
        r = run("a.txt", "-o", "x", "--policies", "nope");
        assertEquals("2", r[0]);
        assertTrue(r[2].startsWith("vmalock fleet: --policies: unknown policy 'nope'") && r[2].strip().lines().count() == 1, r[2]);
        r = run("--bogus");
        assertEquals("2", r[0]);
        r = run("a.txt", "-o", "x", "--mm-tasks", "-3");
        assertEquals("2", r[0]);
        assertEquals("vmalock fleet: --mm-tasks: '-3' is not a number of tasks (0 = one per address space)", r[2].strip());
        r = run("a.txt", "-o", "x", "--replay-timeout", "soon");
        assertEquals("vmalock fleet: --replay-timeout: 'soon' is not a number of seconds (0 = none)", r[2].strip());
        r = run("a.txt", "-o", "x", "--fanout", "vma");
        assertEquals("vmalock fleet: --fanout: 'vma' is not auto, policy, trace or mm", r[2].strip());
        assertEquals("0", run("a.txt", "-o", "x", "--fanout", "mm", "--mm-tasks", "4", "--print-submit")[0]);
        r = run(tmp + "/*.nothing", "-o", tmp.resolve("o").toString());
        assertEquals("3", r[0]);
        assertEquals("vmalock fleet: " + tmp + "/*.nothing: no file matches", r[2].strip());
    }

    @Test
    void printsTheSparkSubmitLine() {
        String[] r = run("hdfs://nn/traces/*.txt.zst", "--manifest", "hdfs://nn/m.csv", "-o", "hdfs://nn/out",
                "--master", "local[2]", "--print-submit");
        assertEquals("0", r[0]);
        assertEquals("spark-submit --class vmalock.fleet.FleetMain --master yarn --deploy-mode cluster --executor-cores 4 "
                + "--executor-memory 8g --conf spark.task.cpus=1 spark/target/vmalock-fleet.jar 'hdfs://nn/traces/*.txt.zst' "
                + "--manifest hdfs://nn/m.csv -o hdfs://nn/out", r[1].strip());
    }

    @Test
    void globsManifestAndUniqueIds() throws Exception {
        Files.createDirectories(tmp.resolve("h1"));
        Files.createDirectories(tmp.resolve("h2"));
        Files.writeString(tmp.resolve("h1/t.txt"), "x");
        Files.writeString(tmp.resolve("h2/t.txt"), "x");
        Files.writeString(tmp.resolve("h2/u.txt"), "x");
        Files.writeString(tmp.resolve("m.csv"), "trace,host,kernel,workload\nh1/t.txt,a,6.15,w1\nu.txt,b,,\n");
        List<TraceInput> in = FleetMain.inputs(List.of(tmp + "/h*/*.txt"), tmp.resolve("m.csv").toString(), new Configuration());
        assertEquals(3, in.size());
        assertEquals(tmp + "/h1/t.txt", in.get(0).path());
        assertTrue(in.get(0).traceId().startsWith("t.txt@") && in.get(1).traceId().startsWith("t.txt@"));
        assertTrue(!in.get(0).traceId().equals(in.get(1).traceId()));
        assertEquals("a", in.get(0).host());
        assertEquals("6.15", in.get(0).kernel());
        assertEquals("unknown", in.get(1).host());
        assertEquals("u.txt", in.get(2).traceId());
        assertEquals("b", in.get(2).host());
        // the manifest alone lists the inputs
        List<TraceInput> m = FleetMain.inputs(List.of(), tmp.resolve("m.csv").toString(), new Configuration());
        assertEquals(2, m.size());
        assertEquals(tmp + "/h1/t.txt", m.get(0).path());
    }

    @Test
    void aReplayPastItsTimeLimitIsAFailureNamingTheTrace() {
        Path trace = Path.of(System.getProperty("vmalock.root", "..")).resolve("sample-traces/ftrace-memcg.txt");
        TraceInput in = new TraceInput(0, "ftrace-memcg.txt", trace.toString(), "unknown", null, null);
        ParsedTrace p = FleetTasks.parse(in, null);
        assertEquals(null, p.error);
        RunOutcome ok = FleetTasks.replay(p, "vma-refcount", 0, 3600);
        assertEquals(null, ok.error);
        assertEquals(ok.entryJson, FleetTasks.replay(p, "vma-refcount", 0).entryJson);
        // a limit already past when the replay starts: stopped at its first event
        RunOutcome stopped = FleetTasks.replayWithDeadline(p, "vma-refcount", 0, System.nanoTime() - 1, 1);
        assertTrue(stopped.error != null && stopped.error.startsWith(trace + ": replay under vma-refcount timed out after 1 s ("),
                String.valueOf(stopped.error));
        assertEquals(null, stopped.entryJson);
    }
}
