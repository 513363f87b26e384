package vmalock.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vmalock.cli.Main;
import vmalock.store.MapsSnapshots;
import vmalock.store.Workspace;

/**
 * Real captures on this machine's tracefs (root only; skipped with a visible message elsewhere):
 * the overlapping workload, built here with gcc, captured with the default events; then the
 * workspace, the maps snapshots, {@code stats}, an independent awk count of the captured text, and
 * tracefs compared byte for byte with its state before. A second test covers a concurrent capture
 * (refused), SIGTERM (clean stop, workspace written) and SIGKILL (the next capture cleans up).
 */
class CaptureIntegrationTest {
    static final Path ROOT = Paths.get(System.getProperty("vmalock.root", ".")).toAbsolutePath().normalize();
    static final Path SHARED = vmalock.cli.Cli.shared();
    static final String MREMAP_C = "#define _GNU_SOURCE\n#include <sys/mman.h>\n#include <stdlib.h>\n"
            + "int main(void) {\n  char *p = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);\n"
            + "  p[0] = 1;\n  p = mremap(p, 8192, 65536, MREMAP_MAYMOVE);\n  p[61440] = 1;\n  munmap(p, 65536);\n"
            + "  free(malloc(1 << 20)); free(malloc(200000));\n  return 0;\n}\n";

    @TempDir
    static Path tmp;
    static Path overlapping;
    static Path mremapOnce;

    /** Held for the whole class: test suites of other checkouts on the same machine wait instead of colliding. */
    static FileChannel suiteLockChannel;
    static FileLock suiteLock;

    @AfterAll
    static void releaseSuiteLock() throws IOException {
        if (suiteLock != null) suiteLock.release();
        if (suiteLockChannel != null) suiteLockChannel.close();
    }

    @BeforeAll
    static void usableTracefsAndGcc() throws Exception {
        String why = null;
        if (!Tracefs.isRoot()) {
            why = "not root";
        } else {
            try {
                Tracefs.open(Tracefs.DEFAULT_ROOT, true);
            } catch (CaptureException e) {
                why = e.getMessage();
            }
        }
        if (why == null && !Files.isRegularFile(SHARED.resolve("workloads/overlapping.c"))) {
            why = SHARED.resolve("workloads/overlapping.c") + " is missing";
        }
        if (why == null && run(List.of("gcc", "--version")) != 0) {
            why = "gcc is not installed";
        }
        if (why == null) {
            // tracefs is machine-wide and one capture runs at a time: serialise with other test runs
            suiteLockChannel = FileChannel.open(Paths.get(System.getProperty("java.io.tmpdir"), "vmalock-capture-it.lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while ((suiteLock = suiteLockChannel.tryLock()) == null && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            if (suiteLock == null) why = "another test run kept the capture test lock for 10 minutes";
        }
        if (why != null) {
            System.err.println("SKIPPED CaptureIntegrationTest: tracefs capture is not possible here: " + why);
            Assumptions.assumeTrue(false, "tracefs capture is not possible here: " + why);
        }
        overlapping = tmp.resolve("overlapping");
        assertEquals(0, run(List.of("gcc", "-O2", "-pthread", "-o", overlapping.toString(),
                SHARED.resolve("workloads/overlapping.c").toString())));
        Path src = tmp.resolve("mremap_once.c");
        Files.writeString(src, MREMAP_C);
        mremapOnce = tmp.resolve("mremap_once");
        assertEquals(0, run(List.of("gcc", "-O2", "-o", mremapOnce.toString(), src.toString())));
    }

    static int run(List<String> cmd) throws IOException, InterruptedException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(120, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    static CaptureSession.Options command(Path ws, List<String> cmd) {
        return new CaptureSession.Options(ws, 0, List.of(), CaptureSession.DEFAULT_BUFFER_KB, null, "mono", 50, cmd, null, null);
    }

    @Test
    void capturesMapsReadersThroughOpenProbesAndRemovesTheProbes() throws Exception {
        Path tracefs = Tracefs.DEFAULT_ROOT;
        String before = TracefsState.of(tracefs);
        String uprobesBefore = Files.readString(tracefs.resolve("uprobe_events"));
        Path ws = tmp.resolve("ws-maps");
        // the workload outlives the four reads of its maps even on a loaded machine (at 0.3 s, under a load of 7,
        // the last two cats came after it had exited: 2 reads of 4)
        CaptureReport r = new CaptureSession(command(ws, List.of("/bin/sh", "-c", overlapping + " 2 1.0 > /dev/null & p=$!; "
                + "for i in 1 2 3 4; do cat /proc/$p/maps > /dev/null; sleep 0.02; done; wait $p"))).run();
        assertEquals(before, TracefsState.of(tracefs), "tracefs (uprobe_events included) back to its state before");
        assertEquals(uprobesBefore, Files.readString(tracefs.resolve("uprobe_events")), "no uprobe left behind");
        assertEquals(Integer.valueOf(0), r.commandExitStatus());
        assertTrue(r.eventsEnabled().stream().anyMatch(e -> e.startsWith(CaptureSession.UPROBE_GROUP_PREFIX)),
                "open probes enabled: " + r.eventsEnabled() + " skipped " + r.eventsSkipped());
        String text = Files.readString(ws.resolve(CaptureSession.TEXT_FILE));
        assertTrue(text.matches("(?s).*: open64: \\(0x[0-9a-f]+\\) path=\"/proc/[0-9]+/maps\".*"), "a maps open with its path");
        // the replay sees the reads: under no-vma-lock they hold mmap_read_lock
        JsonNode run = cliJson("replay", "-w", ws.toString(), "--policy", "no-vma-lock", "--json").get(0);
        assertTrue(run.get("maps_reads").get("reads").asLong() >= 4, run.get("maps_reads").toString());
        assertTrue(run.get("maps_reads").get("evidence").asText().startsWith("open-path probes"));
        assertEquals(0, run.get("caveats").size(), run.get("caveats").toString());
    }

    @Test
    void capturesOverlappingIntoAWorkspaceAndPutsTracefsBack() throws Exception {
        Path tracefs = Tracefs.DEFAULT_ROOT;
        String before = TracefsState.of(tracefs);
        Path ws = tmp.resolve("ws-overlapping");
        // the workload and, as a child of the same shell, a tiny program that calls mremap/munmap/brk
        CaptureReport r = new CaptureSession(command(ws, List.of("/bin/sh", "-c",
                overlapping + " 2 0.3 > /dev/null && " + mremapOnce))).run();
        String after = TracefsState.of(tracefs);
        assertEquals(before, after, "tracefs must be back to its state before the capture");

        assertEquals(Integer.valueOf(0), r.commandExitStatus());
        assertEquals(0, r.problems(), "every line of trace_pipe parses: " + r.firstProblem());
        assertEquals(0, r.lost(), "no events lost with the default buffer");
        // every enabled kind is present (kprobes are skipped on kernels without them, with a reason)
        for (String e : r.eventsEnabled()) {
            String name = e.substring(e.indexOf(':') + 1);
            // the open-path evidence: which open functions and open syscalls fire depends on the programs
            if (e.startsWith(CaptureSession.UPROBE_GROUP_PREFIX) || EventPlan.OPEN_SYSCALLS.contains(e)) continue;
            // whether a lock is ever contended depends on the timing: a run may have none (seen once on a loaded machine)
            if (e.startsWith("lock:contention_")) continue;
            assertTrue(r.eventsByName().getOrDefault(name, 0L) > 0, "no " + name + " events in " + r.eventsByName());
        }
        assertTrue(r.eventsEnabled().containsAll(List.of("mmap_lock:mmap_lock_start_locking",
                "mmap_lock:mmap_lock_acquire_returned", "mmap_lock:mmap_lock_released", "exceptions:page_fault_user",
                "lock:contention_begin", "lock:contention_end", "syscalls:sys_enter_mremap", "sched:sched_process_fork")));
        if (!Files.exists(tracefs.resolve("kprobe_events"))) {
            assertTrue(r.eventsSkipped().get(EventPlan.KPROBE_ENTRY).contains("no kprobes"));
        }

        // a workspace like any other: one complete source, the same event count
        try (Workspace w = Workspace.open(ws)) {
            assertEquals(1, w.manifest().sources.size());
            assertEquals("ftrace", w.manifest().sources.get(0).format);
            assertEquals("mono", w.manifest().sources.get(0).clock);
            assertEquals(r.events(), w.manifest().sources.get(0).events);
        }
        // every wake-up carries the context it was emitted in (the instance's flags column): what the replay's
        // wake-up dependencies need
        try (Workspace w = Workspace.open(ws); vmalock.store.EventReader rd = w.reader()) {
            vmalock.event.Event e = new vmalock.event.Event();
            long wakings = 0, withContext = 0;
            while (rd.next(e)) {
                if (!"sched_waking".equals(e.name)) continue;
                wakings++;
                if (e.irqContext != vmalock.event.Event.UNKNOWN) withContext++;
            }
            assertTrue(wakings > 0 && withContext == wakings, withContext + " of " + wakings + " sched_waking with a context");
        }
        CaptureReport saved = CaptureReportJson.read(ws.resolve(CaptureReport.FILE));
        assertEquals(r.events(), saved.events());

        // maps snapshots: the workload at start (after its exec) and at exit, on the trace's time axis
        List<MapsSnapshots.Snapshot> snaps = MapsSnapshots.read(ws);
        assertEquals(r.mapsSnapshots(), snaps.size());
        // the snapshot after the exec: tagged exec, or fork when the poll that saw the new task already found
        // it running the workload's binary (its exe says so: a timing race, not a missing snapshot). A fork
        // snapshot read inside exec — new mm installed, program not mapped yet — may precede it: the one that
        // shows the program's mapping is the one after the exec
        MapsSnapshots.Snapshot start = snaps.stream().filter(s -> s.exe().endsWith("/overlapping")
                && (s.reason().equals("exec") || s.reason().equals("fork"))
                && s.vmas().stream().anyMatch(v -> v.path().endsWith("/overlapping"))).findFirst()
                .orElseThrow(() -> new AssertionError("no snapshot after the exec showing the program: " + snaps));
        MapsSnapshots.Snapshot exit = snaps.stream().filter(s -> s.pid() == start.pid() && s.reason().equals("exit"))
                .findFirst().orElseThrow(() -> new AssertionError("no exit snapshot of " + start.pid()));
        // the workload's 64 MiB region, fenced by two PROT_NONE guard pages, is in the exit snapshot
        List<MapsSnapshots.Vma> guards = exit.vmas().stream().filter(v -> v.prot() == 0 && v.end() - v.start() == 4096).toList();
        assertTrue(guards.stream().anyMatch(g1 -> guards.stream().anyMatch(g2 -> g2.start() - g1.end() == 64L << 20)),
                "guard pages 64 MiB apart in " + exit.lines());
        assertTrue(exit.exitTs() >= exit.ts() && exit.ts() >= start.ts());
        assertTrue(snaps.stream().anyMatch(s -> s.reason().equals("start")), "the shell's start snapshot");

        // stats over the workspace produces a fallback rate, and agrees with an independent awk count
        JsonNode stats = statsJson(ws);
        assertTrue(stats.path("fallback_rate_strict").isNumber() || stats.path("fallback_rate").isNumber(), stats.toString());
        double rate = stats.path("fallback_rate_strict").isNumber() ? stats.path("fallback_rate_strict").asDouble()
                : stats.path("fallback_rate").asDouble();
        assertTrue(rate >= 0 && rate <= 1, "fallback rate " + rate);
        assertTrue(stats.path("page_faults").asLong() > 0);
        JsonNode awk = awkExpected(ws.resolve(CaptureSession.TEXT_FILE));
        if (awk != null) {
            for (String f : new String[] {"total_events", "page_faults", "fallback_faults_strict", "lost_events"}) {
                assertEquals(awk.path(f).asLong(), stats.path(f).asLong(), f + ": stats vs expected.awk on the captured text");
            }
            assertEquals(awk.path("events_by_type"), stats.path("events_by_type"));
            assertEquals(awk.path("mmap_lock").path("read_acquisitions"), stats.path("mmap_lock").path("read_acquisitions"));
            assertEquals(awk.path("mmap_lock").path("write_acquisitions"), stats.path("mmap_lock").path("write_acquisitions"));
        }
    }

    @Test
    void aTinyBufferLosesEventsAndSaysSoLoudly() throws Exception {
        String before = TracefsState.of(Tracefs.DEFAULT_ROOT);
        CaptureReport r = new CaptureSession(new CaptureSession.Options(tmp.resolve("ws-lossy"), 0, List.of(), 4, null,
                "mono", 0, List.of(overlapping.toString(), "2", "0.3"), null, null)).run();
        assertEquals(before, TracefsState.of(Tracefs.DEFAULT_ROOT));
        assertTrue(r.lost() > 0, "4 KiB per CPU cannot hold this workload's events");
        assertTrue(r.lostEventMarkers() > 0 && r.lostEvents() > 0, "trace_pipe printed LOST markers");
        StringWriter text = new StringWriter();
        CaptureTextWriter.write(r, new PrintWriter(text));
        assertTrue(text.toString().contains("WARNING: " + r.lost() + " events LOST"), text.toString());
        assertTrue(text.toString().contains("--buffer-kb 16384; now 4"), text.toString());
        // the workspace carries the loss too, so stats flags it
        JsonNode stats = statsJson(tmp.resolve("ws-lossy"));
        assertEquals(r.lostEvents(), stats.path("lost_events").asLong());
    }

    @Test
    void followsARunningPidUntilItExits() throws Exception {
        // long enough to outlive the capture's start-up (the workspace opens first) on a loaded machine
        Process target = new ProcessBuilder(overlapping.toString(), "1", "4", "64", "2000", "2000")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Thread.sleep(100);
        CaptureReport r = new CaptureSession(new CaptureSession.Options(tmp.resolve("ws-pid"), 0,
                List.of((int) target.pid()), 8192, null, "mono", 50, List.of(), null, null)).run();
        assertTrue(target.waitFor(30, TimeUnit.SECONDS));
        assertEquals("pids", r.mode());
        assertTrue(r.eventsByName().getOrDefault("page_fault_user", 0L) > 0, r.eventsByName().toString());
        assertTrue(r.eventsByName().getOrDefault("mmap_lock_start_locking", 0L) > 0, r.eventsByName().toString());
        List<MapsSnapshots.Snapshot> snaps = MapsSnapshots.read(tmp.resolve("ws-pid"));
        assertTrue(snaps.stream().anyMatch(s -> s.pid() == target.pid() && s.reason().equals("start")), snaps.toString());
        assertTrue(snaps.stream().anyMatch(s -> s.pid() == target.pid() && s.reason().equals("exit")), snaps.toString());
    }

    @Test
    void refusesASecondCaptureStopsCleanlyOnSigtermAndCleansUpAfterSigkill() throws Exception {
        Path tracefs = Tracefs.DEFAULT_ROOT;
        String before = TracefsState.of(tracefs);

        // 1. a capture in another JVM; a second one is refused while it runs
        Process p1 = cliCapture(tmp.resolve("ws-term"), "30");
        awaitInstance(p1);
        CaptureException busy = assertThrows(CaptureException.class, () -> new CaptureSession(new CaptureSession.Options(
                tmp.resolve("ws-busy"), 0.1, List.of(), 1024, null, "mono", 0, List.of(), null, null)).run());
        assertEquals(CaptureException.Kind.BUSY, busy.kind());
        assertTrue(busy.getMessage().contains("another vmalock capture is running"), busy.getMessage());

        // 2. SIGTERM: the capture stops, writes its workspace, restores tracefs
        p1.destroy();
        assertTrue(p1.waitFor(30, TimeUnit.SECONDS), "capture did not stop on SIGTERM");
        assertEquals(0, p1.exitValue(), "SIGTERM ends a capture normally");
        CaptureReport r = CaptureReportJson.read(tmp.resolve("ws-term").resolve(CaptureReport.FILE));
        assertTrue(r.stoppedBySignal());
        try (Workspace w = Workspace.open(tmp.resolve("ws-term"))) {
            assertEquals(1, w.manifest().sources.size());
        }
        assertEquals(before, TracefsState.of(tracefs), "tracefs restored after SIGTERM");

        // 3. SIGKILL leaves its instance behind; the next capture removes it and says so
        Process p2 = cliCapture(tmp.resolve("ws-kill"), "30");
        awaitInstance(p2);
        List<ProcessHandle> kids = p2.descendants().toList();
        p2.destroyForcibly();
        p2.waitFor(30, TimeUnit.SECONDS);
        kids.forEach(ProcessHandle::destroyForcibly);
        assertFalse(before.equals(TracefsState.of(tracefs)), "a killed capture cannot clean up");
        // An idle machine may fault nothing in a short whole-machine capture: make some activity of our own
        // (each /bin/true exec maps, faults and unmaps) while it runs.
        // It runs until the capture returns: the session's own set-up can take longer than the trace window.
        java.util.concurrent.atomic.AtomicBoolean captureDone = new java.util.concurrent.atomic.AtomicBoolean();
        Thread activity = new Thread(() -> {
            try {
                while (!captureDone.get()) {
                    new ProcessBuilder("/bin/true").start().waitFor();
                    Thread.sleep(20);
                }
            } catch (IOException | InterruptedException e) {
                // the assertion below reports a capture that saw nothing
            }
        }, "capture-test-activity");
        activity.setDaemon(true); // never keeps the test JVM alive if the capture throws
        activity.start();
        CaptureReport next = new CaptureSession(new CaptureSession.Options(tmp.resolve("ws-next"), 1.0, List.of(), 1024,
                null, "mono", 0, List.of(), null, null)).run();
        captureDone.set(true);
        activity.join();
        assertTrue(next.notes().stream().anyMatch(n -> n.contains("removed tracefs instance vmalock-" + p2.pid())), next.notes().toString());
        assertEquals("machine", next.mode());
        assertTrue(next.events() > 0, "a whole-machine capture sees events");
        assertEquals(before, TracefsState.of(tracefs), "tracefs restored after the stale instance was removed");
    }

    /** {@code vmalock capture -w WS -- sleep SECS} in a separate JVM (the test's own classpath). */
    static Process cliCapture(Path ws, String secs) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("@" + ROOT.resolve("cli/jvm-flags.args"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of("capture", "-w", ws.toString(), "--", "sleep", secs));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(ws.getFileName() + ".log").toFile()).start();
    }

    static void awaitInstance(Process p) throws Exception {
        Path inst = Tracefs.DEFAULT_ROOT.resolve("instances").resolve(CaptureInstance.PREFIX + p.pid());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!tracingOn(inst)) {
            assertTrue(p.isAlive(), "capture process died early");
            assertTrue(System.nanoTime() < deadline, "capture did not start");
            Thread.sleep(50);
        }
    }

    /**
     * Whether the instance exists and traces. tracefs shows a new instance's directory before its files: a missing
     * {@code tracing_on} is "not yet", not an error.
     */
    private static boolean tracingOn(Path inst) throws IOException {
        try {
            return Files.exists(inst) && "1".equals(Files.readString(inst.resolve("tracing_on")).trim());
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
    }

    /** {@code vmalock stats -w WS --json}, in this JVM. */
    static JsonNode statsJson(Path ws) throws Exception {
        return cliJson("stats", "-w", ws.toString(), "--json");
    }

    /** The JSON a CLI command prints (it must succeed). */
    static JsonNode cliJson(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        PrintStream old = System.out;
        int rc;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            var cl = Main.commandLine();
            cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
            cl.setErr(new PrintWriter(err, true));
            rc = cl.execute(args);
        } finally {
            System.setOut(old);
        }
        assertEquals(0, rc, args[0] + " failed: " + err);
        return new ObjectMapper().readTree(out.toByteArray());
    }

    /** sample-traces/expected.awk over the captured text, or null when awk is missing. */
    static JsonNode awkExpected(Path text) throws Exception {
        Path script = ROOT.resolve("sample-traces/expected.awk");
        Process p;
        try {
            p = new ProcessBuilder("awk", "-f", script.toString(), text.toString()).start();
        } catch (IOException e) {
            System.err.println("CaptureIntegrationTest: awk not available, independent cross-check skipped");
            return null;
        }
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "expected.awk failed");
        return new ObjectMapper().readTree(out);
    }
}
