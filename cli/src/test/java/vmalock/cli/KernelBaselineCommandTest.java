package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The baseline policy comes from the traced kernel: {@code ingest --kernel} (or capture's record), else a
 * guess from the tracepoint format that the output names.
 */
class KernelBaselineCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** memcg_id in its mmap_lock events: the format of 6.14 and of every later kernel. */
    static final Path MEMCG_ID_TRACE = Cli.root().resolve("sample-traces/ftrace-memcg.txt");

    @TempDir
    Path tmp;

    @Test
    void aMemcgIdTraceWithoutKernelGetsTheWarningNamingTheGuess() throws Exception {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", MEMCG_ID_TRACE, "-w", ws).code);
        Cli c = Cli.run("compare", "-w", ws, "--policies", "vma-refcount,no-vma-lock", "--format", "json");
        assertEquals(0, c.code, c.err);
        // the JSON goes to stdout; the warning, on the same writer in this harness, comes first
        String json = c.out.substring(c.out.indexOf('{'));
        String warning = c.out.substring(0, c.out.indexOf('{')) + c.err;
        assertTrue(warning.contains("warning: baseline vma-refcount guessed") && warning.contains("memcg_id")
                && warning.contains("6.14 itself had vma-rwsem") && warning.contains("--kernel"), warning);
        JsonNode j = JSON.readTree(json);
        assertEquals("vma-refcount", j.get("baseline").asText());
        assertTrue(j.get("kernel_policy_guessed").asBoolean());
        Cli stats = Cli.run("stats", "-w", ws, "--json");
        JsonNode s = JSON.readTree(stats.out);
        assertEquals("unknown", s.get("kernel").asText());
        assertTrue(s.get("vmstat_vma_lock").isNull());
    }

    @Test
    void kernelGivenAtIngestChoosesTheBaselineWithoutWarning() throws Exception {
        Path ws = tmp.resolve("ws614");
        assertEquals(0, Cli.run("ingest", MEMCG_ID_TRACE, "-w", ws, "--kernel", "6.14.0-rc1").code);
        Cli c = Cli.run("compare", "-w", ws, "--policies", "vma-refcount", "--format", "json");
        assertEquals(0, c.code, c.err);
        assertFalse(c.out.contains("vmalock: warning") || c.err.contains("vmalock: warning"), c.err);
        JsonNode j = JSON.readTree(c.out);
        assertEquals("vma-rwsem", j.get("baseline").asText(), "6.14 ran the rw_semaphore VMA lock");
        assertEquals("vma-rwsem", j.get("runs").get(0).get("policy").asText(), "the baseline row is replayed even when not asked for");
        assertEquals("kernel 6.14.0-rc1 (ingest --kernel)", j.get("kernel_policy_basis").asText());
        assertEquals("vma-rwsem", j.get("calibration").get("policy").asText());
        Cli text = Cli.run("stats", "-w", ws);
        assertTrue(text.out.contains("kernel 6.14.0-rc1 (ingest --kernel)"), text.out);
    }

    @Test
    void aPre64KernelOrPerVmaLocksConfiguredOutReplaysWithoutThem() throws Exception {
        Path ws = tmp.resolve("ws61");
        assertEquals(0, Cli.run("ingest", MEMCG_ID_TRACE, "-w", ws, "--kernel", "6.18.44",
                "--kernel-config", "CONFIG_PER_VMA_LOCK=n").code);
        JsonNode j = JSON.readTree(Cli.run("compare", "-w", ws, "--policies", "vma-refcount", "--format", "json").out);
        assertEquals("no-vma-lock", j.get("baseline").asText());
    }

    @Test
    void aBadKernelReleaseIsAUsageError() {
        Cli c = Cli.run("ingest", MEMCG_ID_TRACE, "-w", tmp.resolve("bad"), "--kernel", "linux");
        assertEquals(ExitCode.USAGE, c.code);
        assertTrue(c.out.contains("--kernel linux: not a kernel release") || c.err.contains("--kernel linux: not a kernel release"),
                c.out + c.err);
        Cli d = Cli.run("ingest", MEMCG_ID_TRACE, "-w", tmp.resolve("bad2"), "--kernel-config", "CONFIG_SMP=y");
        assertEquals(ExitCode.USAGE, d.code);
    }

    @Test
    void vmstatCountersOfTheCaptureAreShownAndCalibrated() throws Exception {
        // as `capture` writes them on a CONFIG_PER_VMA_LOCK_STATS kernel (this machine's kernel has it off)
        Path ws = tmp.resolve("wsvm");
        assertEquals(0, Cli.run("ingest", MEMCG_ID_TRACE, "-w", ws).code);
        Path mf = ws.resolve("manifest.json");
        com.fasterxml.jackson.databind.node.ObjectNode m = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(mf.toFile());
        com.fasterxml.jackson.databind.node.ObjectNode src = (com.fasterxml.jackson.databind.node.ObjectNode) m.get("sources").get(0);
        src.put("kernel", "6.18.44").put("kernel_from", "recorded by capture");
        src.putObject("kernel_config").put("CONFIG_PER_VMA_LOCK", "y").put("CONFIG_PER_VMA_LOCK_STATS", "y");
        src.putObject("vmstat_before").put("vma_lock_success", 1000).put("vma_lock_abort", 10).put("vma_lock_retry", 0)
                .put("vma_lock_miss", 0);
        src.putObject("vmstat_after").put("vma_lock_success", 2003).put("vma_lock_abort", 25).put("vma_lock_retry", 0)
                .put("vma_lock_miss", 1);
        JSON.writerWithDefaultPrettyPrinter().writeValue(mf.toFile(), m);
        JsonNode s = JSON.readTree(Cli.run("stats", "-w", ws, "--json").out);
        assertEquals(1003, s.get("vmstat_vma_lock").get("vma_lock_success").asLong());
        assertEquals(15, s.get("vmstat_vma_lock").get("vma_lock_abort").asLong());
        assertEquals(1, s.get("vmstat_vma_lock").get("vma_lock_miss").asLong());
        assertTrue(Cli.run("stats", "-w", ws).out.contains("/proc/vmstat during the capture (machine-wide): vma_lock_success 1,003"));
        Cli c = Cli.run("compare", "-w", ws, "--policies", "vma-refcount");
        assertEquals(0, c.code, c.err);
        assertTrue(c.out.contains("the trace's kernel: vma-refcount, kernel 6.18.44 (recorded by capture)"), c.out);
        assertTrue(c.out.matches("(?s).*vma_lock_success \\(/proc/vmstat, machine\\)\\s+1003\\s+\\d+.*"), c.out);
        JsonNode j = JSON.readTree(Cli.run("compare", "-w", ws, "--policies", "vma-refcount", "--format", "json").out);
        assertEquals(1003, j.get("calibration").get("vmstat_vma_lock").get("vma_lock_success").asLong());
    }
}
