package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12 item 2: replay, compare and report warn (stderr) when the trace lost events. */
class LossyWarningTest {
    @TempDir
    Path tmp;

    @Test
    void replayCompareAndReportWarnAboutLostEvents() {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", Cli.sample("ftrace-pipe-lost.txt"), "-w", ws).code);
        String want = "warning: lossy trace: 1,357 lost events in 3 markers";
        Cli r = Cli.run("replay", "-w", ws, "--policy", "vma-refcount");
        assertEquals(0, r.code, r.toString());
        assertTrue(r.err.contains("vmalock replay: " + want), r.err);
        Cli c = Cli.run("compare", "-w", ws, "--policies", "vma-refcount", "--format", "json");
        assertEquals(0, c.code, c.toString());
        assertTrue(c.err.contains("vmalock compare: " + want), c.err);
        Cli rep = Cli.run("report", "-w", ws, "summary");
        assertEquals(0, rep.code, rep.toString());
        assertTrue(rep.err.contains("vmalock report: " + want), rep.err);
        Cli html = Cli.run("report", "-w", ws, "--html", tmp.resolve("r.html"));
        assertEquals(0, html.code, html.toString());
        assertTrue(html.err.contains(want), html.err);
    }

    @Test
    void aLosslessTraceHasNoWarning() {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", Cli.sample("ftrace-overlap-default.txt"), "-w", ws).code);
        Cli rep = Cli.run("report", "-w", ws, "summary");
        assertEquals(0, rep.code, rep.toString());
        assertFalse(rep.err.contains("lossy"), rep.err);
    }
}
