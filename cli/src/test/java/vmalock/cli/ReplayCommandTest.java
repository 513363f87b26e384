package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vmalock replay}: stored runs, determinism, defects, usage errors. */
class ReplayCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path ingest(String sample) {
        Path ws = tmp.resolve("ws-" + sample);
        Cli in = Cli.run("ingest", Cli.sample(sample), "-w", ws);
        assertEquals(0, in.code, in.toString());
        return ws;
    }

    /** SHA-256 of every file of a run directory (name → digest). */
    private static TreeMap<String, String> digest(Path dir) throws Exception {
        TreeMap<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            // (not the figures' cache, HtmlReportPage.REPLAY_STATS: derived, written by the first command that computes
            // them — the replay itself where the workspace has its database, else the first stats --run or report)
            for (Path p : s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().equals(HtmlReportPage.REPLAY_STATS)).toList()) {
                m.put(dir.relativize(p).toString(),
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return m;
    }

    @Test
    void sameTracePolicyAndSeedGiveByteIdenticalRunsWhateverTheThreadCount() throws Exception {
        Path ws = ingest("ftrace-tgid.txt");
        Cli a = Cli.run("replay", "-w", ws, "--policy", "vma-refcount", "--seed", "7", "--threads", "1");
        assertEquals(0, a.code, a.toString());
        Path run = ws.resolve("runs").resolve("vma-refcount-s7");
        TreeMap<String, String> first = digest(run);
        Cli st1 = Cli.run("stats", "-w", ws, "--run", "vma-refcount-s7", "--json");
        Cli b = Cli.run("replay", "-w", ws, "--policy", "vma-refcount", "--seed", "7", "--threads", "4");
        assertEquals(0, b.code, b.toString());
        assertEquals(first, digest(run), "stored run (events queue, manifest, run.json) byte-identical");
        Cli st2 = Cli.run("stats", "-w", ws, "--run", "vma-refcount-s7", "--json");
        assertEquals(st1.out, st2.out);
        // another seed places sub-µs times differently: a different run id, and its own files
        Cli c = Cli.run("replay", "-w", ws, "--policy", "vma-refcount", "--seed", "8");
        assertEquals(0, c.code, c.toString());
        assertTrue(Files.isRegularFile(ws.resolve("runs/vma-refcount-s8/run.json")));
        assertNotEquals(first.get("run.json"), digest(ws.resolve("runs/vma-refcount-s8")).get("run.json"));
    }

    @Test
    void jsonRecordsCarryStatsCountersAndAssumptions() throws Exception {
        Path ws = ingest("ftrace-tgid.txt");
        Cli r = Cli.run("replay", "-w", ws, "--policy", "no-vma-lock", "--policy", "hypothetical-fault-start-read-unlocked-v2", "--json");
        assertEquals(0, r.code, r.toString());
        JsonNode arr = JSON.readTree(r.out);
        assertEquals(2, arr.size());
        JsonNode none = arr.get(0);
        assertEquals("no-vma-lock", none.get("policy").asText());
        assertEquals(none.get("stats").get("page_faults").asLong(), none.get("counters").get("faults_mmap").asLong());
        assertEquals(1.0, none.get("stats").get("fallback_rate_strict").asDouble(), 1e-9);
        assertEquals(0, none.get("vma_lock").get("success").asLong());
        assertTrue(none.get("assumptions").size() >= 5);
        JsonNode v2 = arr.get(1);
        // the v2 slow path (on the fault path: a hypothetical preset) dereferences NULL whenever the fast
        // path fails: reported, not thrown
        assertEquals(v2.get("vma_lock").get("abort").asLong() > 0, v2.get("defect_count").asLong() > 0, v2.toString());
        if (v2.get("defect_count").asLong() > 0) {
            assertTrue(v2.get("defects").get(0).get("detail").asText().contains("NULL"), v2.toString());
            // the kernel oopses there with mmap_lock held: that address space's replay stops at its first defect
            assertEquals(v2.get("defect_count").asLong(), v2.get("address_spaces_stopped_at_defect").asLong(), v2.toString());
            assertTrue(v2.get("counters").get("faults").asLong() < none.get("counters").get("faults").asLong(),
                    "no figures after the oops");
        }
        // the stored run is measured like a trace
        Cli st = Cli.run("stats", "-w", ws, "--run", "no-vma-lock-s0", "--json");
        assertEquals(0, st.code, st.toString());
        assertEquals(none.get("stats"), JSON.readTree(st.out));
    }

    @Test
    void liveRunsOnRealThreadsAndIsLabelledNonDeterministic() throws Exception {
        Path ws = ingest("ftrace-tgid.txt");
        Cli r = Cli.run("replay", "-w", ws, "--policy", "vma-refcount", "--live", "--check", "--json");
        assertEquals(0, r.code, r.toString());
        JsonNode rec = JSON.readTree(r.out).get(0);
        assertEquals("vma-refcount-s0-live", rec.get("run").asText());
        assertEquals(false, rec.get("deterministic").asBoolean());
        assertTrue(rec.get("assumptions").get(0).asText().startsWith("LIVE"), rec.toString());
        assertEquals(0, rec.get("violations").asLong(), rec.get("findings").toString());
        assertEquals(rec.get("counters").get("faults").asLong(), rec.get("stats").get("page_faults").asLong());
        Cli bad = Cli.run("replay", "-w", ws, "--policy", "vma-refcount", "--live", "--cpus", "2");
        assertEquals(ExitCode.USAGE, bad.code, bad.toString());
    }

    @Test
    void textOutputNamesUnitsAndStoredRun() {
        Path ws = ingest("perf-fields.perf.txt");
        Cli r = Cli.run("replay", "-w", ws, "--policy", "vma-refcount");
        assertEquals(0, r.code, r.toString());
        assertTrue(r.out.contains("run vma-refcount-s0"), r.out);
        assertTrue(r.out.contains("µs"), r.out);
        assertTrue(r.out.contains("modelling assumptions:"), r.out);
        assertTrue(r.out.contains("stats -w"), r.out);
    }

    @Test
    void usageAndWorkspaceErrorsAreOneLine() {
        Path ws = ingest("perf-fields.perf.txt");
        Cli bad = Cli.run("replay", "-w", ws, "--policy", "no-such-policy");
        assertEquals(ExitCode.USAGE, bad.code, bad.toString());
        assertTrue(bad.err.startsWith("vmalock: unknown policy 'no-such-policy'"), bad.err);
        assertEquals(1, bad.err.strip().lines().count(), bad.err);
        Cli set = Cli.run("replay", "-w", ws, "--set", "fault=sideways");
        assertEquals(ExitCode.USAGE, set.code, set.toString());
        assertTrue(set.err.contains("fault=sideways is not one of"), set.err);
        Cli cost = Cli.run("replay", "-w", ws, "--policy", "vma-refcount", "--fault-cost", "fast");
        assertEquals(ExitCode.USAGE, cost.code, cost.toString());
        Cli none = Cli.run("replay", "-w", tmp.resolve("nope"), "--policy", "vma-refcount");
        assertEquals(ExitCode.WORKSPACE, none.code, none.toString());
        assertEquals(1, none.err.strip().lines().count(), none.err);
        Cli norun = Cli.run("stats", "-w", ws, "--run", "nothing-s0");
        assertEquals(ExitCode.USAGE, norun.code, norun.toString());
        assertTrue(norun.err.contains("no run nothing-s0"), norun.err);
    }

    /** --delay-dequeue: the CPU model's DELAY_DEQUEUE, recorded in run.json, a run of its own, a usage error when wrong. */
    @Test
    void delayDequeueIsRecordedAndStoredAsARunOfItsOwn() throws IOException {
        Path ws = ingest("cf/o2-u1.txt.xz");
        Cli on = Cli.run("replay", "-w", ws, "--policy", "vma-refcount", "--delay-dequeue", "on");
        assertEquals(0, on.code, on.toString());
        JsonNode dd = JSON.readTree(ws.resolve("runs/vma-refcount-s0-dd/run.json").toFile());
        assertTrue(dd.get("delay_dequeue").asBoolean(), dd.toString());
        assertEquals("eevdf", dd.get("wakeup_preempt").asText());
        Cli def = Cli.run("replay", "-w", ws, "--policy", "vma-refcount");
        assertEquals(0, def.code, def.toString());
        JsonNode plain = JSON.readTree(ws.resolve("runs/vma-refcount-s0/run.json").toFile());
        assertEquals(false, plain.get("delay_dequeue").asBoolean(), plain.toString());
        // the trace's sleeps inside write sections, against an independent count over the text (a Python pass over
        // sched_switch between acquire_returned write=true and released: 29 sleeps, 259 µs)
        JsonNode wss = plain.get("observed_write_section_sleep_us");
        assertEquals(29, wss.get("count").asLong(), wss.toString());
        assertEquals(259.0, wss.get("sum").asDouble(), 1e-9, wss.toString());
        Cli bad = Cli.run("replay", "-w", ws, "--policy", "vma-refcount", "--delay-dequeue", "sometimes");
        assertEquals(ExitCode.USAGE, bad.code, bad.toString());
        assertTrue(bad.err.contains("--delay-dequeue: 'sometimes' is not on or off"), bad.err);
        assertEquals(1, bad.err.strip().lines().count(), bad.err);
    }

    /**
     * A per-VMA-lock madvise(MADV_DONTNEED) holds the VMA lock for its zap only: where the trace has tlb:tlb_flush,
     * each call's first flush ends it (a real capture: 269 such calls, every one with a flush, by an independent Python
     * pass over the text); the cf/ captures have none, and their calls zap for the fast calls' time per page.
     */
    @Test
    void madviseZapsAreSplitAtTheTracesTlbFlushes() throws IOException {
        JsonNode in = replayedInput("tlb/cf-o4-u.txt.xz");
        assertEquals("trace-tlb-flush", in.get("madvise_zap_source").asText(), in.toString());
        assertEquals(269, in.get("madvise_zap_calls").asLong(), in.toString());
        assertEquals(269, in.get("madvise_zap_tlb_flushes").asLong(), in.toString());
        JsonNode ci = replayedInput("cf/o2-u1.txt.xz");
        assertEquals("trace-fast-calls-p10-per-page", ci.get("madvise_zap_source").asText(), ci.toString());
        assertEquals(0, ci.get("madvise_zap_tlb_flushes").asLong(), ci.toString());
        assertTrue(ci.get("madvise_zap_ns_per_page").asLong() > 0, ci.toString());
    }

    /**
     * In the closed loop the replay's events say which modelled CPU each task ran on (the trace's two CPUs here); the
     * open loop, with unlimited CPUs, leaves it unknown.
     */
    @Test
    void replayedEventsCarryTheModelledCpu() throws IOException {
        Path ws = ingest("cf/o2-u1.txt.xz");
        assertEquals(0, Cli.run("replay", "-w", ws, "--policy", "vma-refcount").code);
        assertEquals(0, Cli.run("replay", "-w", ws, "--policy", "vma-refcount", "--timing", "trace").code);
        for (String run : List.of("vma-refcount-s0", "vma-refcount-s0-trace")) {
            Path csv = tmp.resolve(run + ".csv");
            Cli x = Cli.run("export", "-w", ws, "--table", "events", "--run", run, "-o", csv);
            assertEquals(0, x.code, x.toString());
            List<String> lines = Files.readAllLines(csv);
            int col = List.of(lines.get(0).split(",")).indexOf("cpu");
            java.util.Set<String> cpus = new java.util.TreeSet<>();
            for (String l : lines.subList(1, lines.size())) cpus.add(l.split(",", -1)[col]);
            assertEquals(run.endsWith("trace") ? java.util.Set.of("") : java.util.Set.of("0", "1"), cpus, run);
        }
    }

    /** The run.json input record of a vma-refcount replay of {@code sample}. */
    private JsonNode replayedInput(String sample) throws IOException {
        Cli r = Cli.run("replay", "-w", ingest(sample), "--policy", "vma-refcount", "--json");
        assertEquals(0, r.code, r.toString());
        return JSON.readTree(r.out).get(0).get("inputs").get(0);
    }

    @Test
    void composedPolicyAndUpKernel() throws IOException {
        Path ws = ingest("ftrace-tgid.txt");
        Cli r = Cli.run("replay", "-w", ws, "--set", "lock=rwsem,remote=vma-lock-fast-path", "--json");
        assertEquals(0, r.code, r.toString());
        JsonNode rec = JSON.readTree(r.out).get(0);
        assertTrue(rec.get("run").asText().startsWith("custom-"), rec.get("run").asText());
        assertTrue(rec.get("spec").asText().contains("lock=rwsem"), rec.get("spec").asText());
        // one CPU: per-VMA locks need SMP, so vma-refcount behaves like no-vma-lock; unconditional keeps them
        Cli up = Cli.run("replay", "-w", ws, "--policy", "vma-refcount", "--policy", "unconditional", "--cpus", "1", "--json");
        assertEquals(0, up.code, up.toString());
        JsonNode a = JSON.readTree(up.out);
        assertEquals(0, a.get(0).get("vma_lock").get("success").asLong());
        assertTrue(a.get(1).get("vma_lock").get("success").asLong() > 0);
        assertEquals(List.of("vma-refcount-s0-c1", "unconditional-s0-c1"),
                List.of(a.get(0).get("run").asText(), a.get(1).get("run").asText()));
    }

    /**
     * --fault-cost replaces the calibrated per-VMA fault service time and says so; --cpus N bounds the
     * CPUs per address space (run id -cN, CPU waits counted, stated as an assumption); every run is a
     * row of the DuckDB runs table under its id, next to the observed trace; the text output reports
     * how much of the address space was known versus inferred.
     */
    @Test
    void faultCostCpusRunIdsInDuckDbAndAddressSpaceCoverage() throws IOException {
        Path ws = ingest("ftrace-tgid.txt");
        Cli r = Cli.run("replay", "-w", ws, "--policy", "vma-refcount", "--fault-cost", "3us", "--cpus", "1", "--json");
        assertEquals(0, r.code, r.toString());
        JsonNode rec = JSON.readTree(r.out).get(0);
        assertEquals("vma-refcount-s0-c1", rec.get("run").asText());
        assertEquals(3000, rec.get("inputs").get(0).get("fault_cost_ns").asLong(), rec.toString());
        assertEquals("option", rec.get("inputs").get(0).get("fault_cost_source").asText());
        assertTrue(rec.get("assumptions").toString().contains("3000 ns (--fault-cost)"), rec.get("assumptions").toString());
        assertTrue(rec.get("assumptions").toString().contains("CPUs: 1 per address space"), rec.get("assumptions").toString());
        Cli auto = Cli.run("replay", "-w", ws, "--policy", "vma-refcount", "--cpus", "2", "--json");
        assertEquals(0, auto.code, auto.toString());
        JsonNode a = JSON.readTree(auto.out).get(0);
        assertEquals("vma-refcount-s0-c2", a.get("run").asText());
        assertTrue(a.get("inputs").get(0).get("fault_cost_source").asText().matches("trace-fallback-mean|trace-vma-fault-gap-mean|spec-default"));
        assertTrue(a.get("counters").has("cpu_wait_us"), a.get("counters").toString());
        JsonNode as = a.get("address_space");
        long faults = as.get("faults_in_known_vmas").asLong() + as.get("faults_in_inferred_vmas").asLong();
        assertEquals(a.get("counters").get("faults").asLong(), faults, as.toString());
        assertTrue(as.get("syscall_ranges_in_known_vmas").asLong() + as.get("syscall_ranges_in_inferred_vmas").asLong() > 0,
                as.toString());
        assertTrue(as.get("address_spaces").asLong() >= 2, as.toString());
        Cli q = Cli.run("query", "-w", ws, "--run", "all", "--format", "csv", "SELECT run, policy FROM runs ORDER BY run");
        assertEquals(0, q.code, q.toString());
        assertTrue(q.out.contains("observed"), q.out);
        assertTrue(q.out.contains("vma-refcount-s0-c1,vma-refcount"), q.out);
        assertTrue(q.out.contains("vma-refcount-s0-c2,vma-refcount"), q.out);
        Cli text = Cli.run("replay", "-w", ws, "--policy", "vma-refcount");
        assertTrue(text.out.matches("(?s).*address space: [0-9.]+ % of faults and [0-9.]+ % of munmap/mprotect/madvise ranges "
                + "in known VMAs.*"), text.out);
    }

    /**
     * --set other=…: the "other readers" class (khugepaged-like sections, binder-style callers) takes
     * the composed strategy: trylock-only binder (spec §6 f) tries lock_vma_under_rcu and never takes
     * mmap_lock, so every other reader's mmap_lock read acquisition disappears from the replay.
     */
    @Test
    void otherReadersTakeTheComposedStrategy() throws IOException {
        Path ws = ingest("ftrace-remote-heavy.txt");
        JsonNode base = JSON.readTree(Cli.run("replay", "-w", ws, "--policy", "vma-refcount", "--json").out).get(0);
        Cli r = Cli.run("replay", "-w", ws, "--set", "other=trylock-skip", "--json");
        assertEquals(0, r.code, r.toString());
        JsonNode rec = JSON.readTree(r.out).get(0);
        assertTrue(rec.get("spec").asText().endsWith("other=trylock-skip"), rec.get("spec").asText());
        long others = rec.get("counters").get("other_reads").asLong();
        assertTrue(others > 100, rec.get("counters").toString());
        long before = base.get("stats").get("mmap_lock").get("read_acquisitions").asLong();
        long after = rec.get("stats").get("mmap_lock").get("read_acquisitions").asLong();
        assertTrue(before - after >= others - rec.get("counters").get("other_reads_skipped").asLong() - 5,
                before + " -> " + after + " with " + others + " other readers");
    }
}
