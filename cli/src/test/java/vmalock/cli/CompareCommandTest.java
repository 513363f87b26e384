package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vmalock compare}: the JSON shape of the issue, formats, calibration block. */
class CompareCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path ingest(String sample) {
        Path ws = tmp.resolve("ws");
        Cli in = Cli.run("ingest", Cli.sample(sample), "-w", ws);
        assertEquals(0, in.code, in.toString());
        return ws;
    }

    private static List<String> keys(JsonNode n) {
        java.util.ArrayList<String> l = new java.util.ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext();) l.add(it.next());
        return l;
    }

    @Test
    void jsonHasExactlyTheIssueShapeAndEverySIsAStatsJson() throws Exception {
        Path ws = ingest("ftrace-tgid.txt");
        Cli c = Cli.run("compare", "-w", ws, "--policies", "vma-refcount,no-vma-lock", "--format", "json");
        assertEquals(0, c.code, c.toString());
        JsonNode j = JSON.readTree(c.out);
        assertEquals(List.of("baseline", "observed", "runs", "calibration", "kernel_policy", "kernel_policy_basis",
                "kernel_policy_guessed"), keys(j));
        assertEquals("vma-refcount", j.get("baseline").asText()); // memcg_id events: a 6.14+ kernel
        JsonNode observed = JSON.readTree(Cli.run("stats", "-w", ws, "--json").out);
        assertEquals(observed, j.get("observed"));
        assertEquals(2, j.get("runs").size());
        for (JsonNode r : j.get("runs")) {
            List<String> runKeys = new java.util.ArrayList<>(List.of("policy", "run", "stats"));
            runKeys.addAll(vmalock.replay.Comparison.RUN_FIELDS);
            runKeys.add("deltas");
            assertEquals(runKeys, keys(r));
            // the figures a policy is judged by: the same population under every policy
            assertEquals(r.get("stats").get("page_faults").asLong(), r.get("fault_latency_us").get("count").asLong());
            assertTrue(r.get("faults_per_s").asDouble() > 0, r.toString());
            // VMA-syscall latency by syscall: the same calls as the pooled figure, replayed and traced
            for (String f : List.of("syscall_latency_us", "observed_syscall_latency_us")) {
                long n = 0;
                double max = 0;
                for (JsonNode by : r.get(f + "_by_syscall")) {
                    n += by.get("count").asLong();
                    max = Math.max(max, by.get("max").asDouble());
                }
                assertEquals(r.get(f).get("count").asLong(), n, f);
                assertEquals(r.get(f).get("max").asDouble(), max, 1e-9, f);
                assertTrue(r.get(f + "_by_syscall").size() > 0, f);
                r.get(f + "_by_syscall").fieldNames().forEachRemaining(k -> assertTrue(
                        List.of("mmap", "munmap", "mprotect", "madvise", "mremap", "brk").contains(k), k));
            }
            assertEquals(List.of("success", "abort", "miss", "retry"), keys(r.get("vma_lock")));
            // stats --json prints header_entries_* only for sources with a ring-buffer header (a replay has none)
            List<String> shape = new java.util.ArrayList<>(keys(observed));
            shape.removeIf(k -> k.startsWith("header_entries_"));
            // … and the traced kernel (release, config, /proc/vmstat counters): the trace's, not a replay's
            shape.removeAll(List.of("kernel", "kernel_from", "kernel_config", "vmstat_vma_lock"));
            assertEquals(shape, keys(r.get("stats")), "S has the shape of stats --json");
            JsonNode st = JSON.readTree(Cli.run("stats", "-w", ws, "--run", r.get("run").asText(), "--json").out);
            assertEquals(st, r.get("stats"));
        }
        JsonNode cal = j.get("calibration");
        assertEquals(List.of("policy", "observed", "replayed", "replayed_run"), keys(cal));
        assertEquals(j.get("runs").get(0).get("stats"), cal.get("replayed"));
        assertEquals(1.0, j.get("runs").get(1).get("stats").get("fallback_rate_strict").asDouble(), 1e-9);
    }

    @Test
    void sweepMarksEveryDeltaWithItsRangeAndSignStability() throws Exception {
        Path ws = ingest("ftrace-tgid.txt");
        Cli c = Cli.run("compare", "-w", ws, "--policies", "vma-refcount,no-vma-lock", "--sweep", "--format", "json");
        assertEquals(0, c.code, c.toString());
        JsonNode sw = JSON.readTree(c.out).get("sweep");
        // no sched_switch in this trace: the trace's side of the VMA writers' waits is unknown, not 0
        assertTrue(JSON.readTree(c.out).get("runs").get(0).get("observed_write_section_sleep_us").isNull(), c.out);
        assertEquals(List.of("fault cost x0.5", "fault cost x2", "wake latency 0",
                        "scheduler on (one run queue, a woken task preempts at once)", "delay dequeue on",
                        "rcuwait switch-out off", "waker cost off", "seed 1", "seed 2"),
                JSON.convertValue(sw.get("variants"), List.class));
        assertEquals(List.of("no-vma-lock"), keys(sw.get("runs")), "the baseline has no deltas to sweep");
        JsonNode d = sw.get("runs").get("no-vma-lock");
        for (String k : List.of("faults_per_s_pct", "fault_latency_p99_us", "writer_wait_sum_us", "reader_wait_sum_us")) {
            JsonNode x = d.get(k);
            assertTrue(x.get("min").asDouble() <= x.get("value").asDouble() && x.get("value").asDouble() <= x.get("max").asDouble(), k + x);
            assertTrue(x.get("sign_stable").isBoolean(), k + x);
        }
        // every fault on mmap_lock: reader waits grow under every variant
        assertTrue(d.get("reader_wait_sum_us").get("min").asDouble() > 0, d.toString());
        Cli t = Cli.run("compare", "-w", ws, "--policies", "vma-refcount,no-vma-lock", "--sweep");
        assertTrue(t.out.contains("sensitivity (--sweep)") && t.out.contains("stable"), t.out);
        // the replays' own figures are in DuckDB too (run_figures, the policy_figures report), as in run.json
        Cli q = Cli.run("query", "-w", ws, "--run", "no-vma-lock-s0", "--format", "csv",
                "SELECT value FROM run_figures WHERE run = 'no-vma-lock-s0' AND figure = 'fault_latency_us.count'");
        assertEquals(0, q.code, q.toString());
        long faults = JSON.readTree(Cli.run("stats", "-w", ws, "--json").out).get("page_faults").asLong();
        assertTrue(q.out.contains(Long.toString(faults)), q.out);
        Cli rep = Cli.run("report", "-w", ws, "policy_figures");
        assertEquals(0, rep.code, rep.toString());
        assertTrue(rep.out.contains("no-vma-lock-s0") && rep.out.contains("fault_latency_p99"), rep.out);
        // the variants' runs are stored beside the main ones and do not replace them
        assertTrue(Files.isDirectory(ws.resolve("runs/no-vma-lock-s0")) && Files.isDirectory(ws.resolve("runs/no-vma-lock-s1"))
                && Files.isDirectory(ws.resolve("runs/no-vma-lock-s0-qon")) && Files.isDirectory(ws.resolve("runs/no-vma-lock-s0-dd")));
    }

    /**
     * A trace with sched events and the flags column (a real trace-cmd report -l of the cf workload): the model note
     * says how the sleeps between operations end, with the baseline run's counts.
     */
    @Test
    void theModelNoteSaysHowSleepsEnd() throws Exception {
        Path ws = ingest("tc-latency-sched.report.txt");
        Cli t = Cli.run("compare", "-w", ws, "--policies", "no-vma-lock,vma-refcount", "--baseline", "vma-refcount");
        assertEquals(0, t.code, t.toString());
        Cli j = Cli.run("replay", "-w", ws, "--policy", "vma-refcount", "--json");
        assertEquals(0, j.code, j.toString());
        com.fasterxml.jackson.databind.JsonNode sl = new com.fasterxml.jackson.databind.ObjectMapper().readTree(j.out).get(0).get("sleeps");
        long n = sl.get("between_operations").asLong();
        assertTrue(n > 0 && sl.get("woken_in_interrupt").asLong() > 0, sl.toString());
        assertEquals(0, sl.get("wake_context_unknown").asLong(), "trace-cmd -l shows every wake-up's context: " + sl);
        // the trace's side of the VMA writers' waits, from its sched_switch events, next to the replay's in the calibration
        com.fasterxml.jackson.databind.JsonNode obsWs = new com.fasterxml.jackson.databind.ObjectMapper().readTree(j.out).get(0)
                .get("observed_write_section_sleep_us");
        assertTrue(obsWs.isObject() && obsWs.has("sum"), String.valueOf(obsWs));
        assertTrue(t.out.contains("VMA write waits sum (µs; trace: sleeps in write sections, inferred)"), t.out);
        String note = String.join(" ", t.out.substring(t.out.indexOf("  sleeps between operations ")).strip().split("\\s+"));
        assertTrue(note.startsWith("sleeps between operations " + n + ": " + sl.get("woken_by_traced_task_replayed").asLong()
                + " woken by a traced task, ended when it gets there; recorded length for "
                + sl.get("woken_in_interrupt").asLong() + " ended by interrupts (timers)"), note);
        // what waking a sleeper cost the waker: the samples it has, and nothing drawn below 20
        com.fasterxml.jackson.databind.JsonNode in = new com.fasterxml.jackson.databind.ObjectMapper().readTree(j.out).get(0)
                .get("inputs").get(0);
        long wk = in.get("waker_cost_samples").asLong();
        String flat = String.join(" ", t.out.split("\\s+"));
        assertTrue(flat.contains(wk >= 20 ? "waking a sleeper costs the waker p50 " + in.get("waker_cost_p50_ns").asLong()
                : "waking a sleeper costs the waker nothing (" + wk + " samples in the trace, 20 needed"), flat);
    }

    @Test
    void tableCsvAndMarkdownCarryTheCalibration() {
        Path ws = ingest("perf-fields.perf.txt");
        Cli t = Cli.run("compare", "-w", ws, "--policies", "all", "--baseline", "vma-refcount");
        assertEquals(0, t.code, t.toString());
        assertTrue(t.out.contains("calibration: observed vs replayed under vma-refcount (the trace's kernel policy)"), t.out);
        // the VMA-syscall p99 of each syscall under the pooled one (the pooled p99 can sit on a knee)
        int pooled = t.out.indexOf("  VMA syscall latency max (µs)");
        assertTrue(pooled > 0 && t.out.indexOf("    mprotect latency p99 (µs)", pooled) > pooled, t.out);
        // what the figures rest on: the baseline replay's timing, CPU and preemption model, fault cost and wake-ups
        assertTrue(t.out.contains("model (perf-fields.perf.txt), what the figures above rest on:"), t.out);
        assertTrue(t.out.contains("\n  per-VMA fault cost "), t.out);
        // the mean, and each fault the trace shows slow keeps its gap to the task's next event (× estimate / mean gap)
        assertTrue(t.out.contains(" ns mean (trace-vma-fault-gap-mean; a fault the trace shows slow costs its"), t.out);
        assertTrue(t.out.contains("(trace-mmap-lock-release-to-acquire)"), t.out); // open loop: its wake-up samples
        assertTrue(t.out.contains("faults/s") && t.out.contains("fault p99") && t.out.contains("ww sum"), t.out);
        assertTrue(t.out.lines().anyMatch(l -> l.startsWith("observed")), t.out);
        for (String l : t.out.split("\n")) assertTrue(l.length() <= 100, "fits 100 columns: " + l);
        assertTrue(t.out.contains("verdict"), t.out);
        Cli wide = Cli.run("compare", "-w", ws, "--policies", "no-vma-lock,vma-refcount", "--wide");
        assertEquals(0, wide.code, wide.toString());
        assertTrue(wide.out.contains("writer_wait_p99_us") && wide.out.contains("d_writer_wait_sum_us"), wide.out);
        Cli csv = Cli.run("compare", "-w", ws, "--policies", "vma-refcount", "--format", "csv");
        assertEquals(0, csv.code, csv.toString());
        assertTrue(csv.out.startsWith("policy,run,faults,faults_per_s,d_faults_per_s_%"), csv.out);
        assertEquals(3, csv.out.strip().lines().count(), csv.out);
        Cli md = Cli.run("compare", "-w", ws, "--policies", "vma-refcount", "--format", "markdown");
        assertEquals(0, md.code, md.toString());
        assertTrue(md.out.contains("| figure | observed | replayed | ratio | verdict |"), md.out);
        Cli bad = Cli.run("compare", "-w", ws, "--format", "xml");
        assertEquals(ExitCode.USAGE, bad.code, bad.toString());
    }
}
