package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 10: progress goes to stderr when stderr (not stdin/stdout) is a terminal, with percent and
 * time left where the total is known; never into the command's own stderr text or stdout.
 */
class ProgressTest {
    @TempDir
    Path tmp;
    private final ByteArrayOutputStream drawn = new ByteArrayOutputStream();
    private BooleanSupplier savedTty;

    @BeforeEach
    void fakeTerminal() {
        savedTty = Progress.stderrIsTerminal;
        Progress.target = new PrintStream(drawn, true, StandardCharsets.UTF_8);
        Progress.delayMs = 0;
    }

    @AfterEach
    void restore() {
        Progress.stderrIsTerminal = savedTty;
        Progress.target = null;
        Progress.delayMs = Progress.DELAY_MS;
    }

    private String drawn() {
        return drawn.toString(StandardCharsets.UTF_8);
    }

    @Test
    void underTestStderrIsNotATerminal() {
        // surefire's stderr is a pipe: isatty(2) says no (System.console() would have answered for stdin/stdout)
        assertFalse(Progress.isatty2());
    }

    @Test
    void nothingIsDrawnWhenStderrIsNotATerminal() {
        Progress.stderrIsTerminal = () -> false;
        Cli in = Cli.run("ingest", Cli.sample("ftrace-overlap-default.txt"), "-w", tmp.resolve("ws"));
        assertEquals(0, in.code, in.toString());
        Cli c = Cli.run("compare", "-w", tmp.resolve("ws"), "--policies", "no-vma-lock,vma-refcount", "--format", "json");
        assertEquals(0, c.code, c.toString());
        assertEquals("", drawn());
        assertFalse(in.err.contains("\r") || c.err.contains("\r"));
    }

    @Test
    void compareAndReplayShowEachPolicyWithPercentAndTimeLeft() {
        Progress.stderrIsTerminal = () -> false;
        assertEquals(0, Cli.run("ingest", Cli.sample("ftrace-overlap-default.txt"), "-w", tmp.resolve("ws")).code);
        Progress.stderrIsTerminal = () -> true;
        Cli c = Cli.run("compare", "-w", tmp.resolve("ws"), "--policies", "no-vma-lock,vma-refcount,vma-rwsem",
                "--format", "json");
        assertEquals(0, c.code, c.toString());
        String bar = drawn();
        assertTrue(bar.contains("compare") && bar.contains("%") && bar.contains("/3"), bar);
        assertTrue(bar.matches("(?s).*\\(\\d+:\\d\\d:\\d\\d / (\\d+:\\d\\d:\\d\\d|\\?)\\).*"), "elapsed / time left: " + bar);
        assertTrue(bar.matches("(?s).*(no-vma-lock|vma-refcount|vma-rwsem)-s0.*"), "the policy being replayed: " + bar);
        assertFalse(c.out.contains("\r") || c.err.contains("\r"), "stdout and the command's stderr text stay clean");
        drawn.reset();
        Cli r = Cli.run("replay", "-w", tmp.resolve("ws"), "--policy", "no-vma-lock", "--json");
        assertEquals(0, r.code, r.toString());
        assertTrue(drawn().contains("replay"), drawn());
    }

    @Test
    void ingestShowsBytesReadOfTheFileSizeAndTheDatabaseLoadShowsEvents() {
        Progress.stderrIsTerminal = () -> true;
        Cli in = Cli.run("ingest", Cli.sample("ftrace-overlap-default.txt"), "-w", tmp.resolve("ws"));
        assertEquals(0, in.code, in.toString());
        assertTrue(drawn().contains("MB"), drawn());
        drawn.reset();
        Cli q = Cli.run("query", "-w", tmp.resolve("ws"), "SELECT count(*) FROM events");
        assertEquals(0, q.code, q.toString());
        assertTrue(drawn().contains("loading the database") || drawn().contains("loading events of observed"), drawn());
        assertTrue(drawn().contains("/19444 events") || drawn().contains("/19445 events"), drawn());
    }
}
