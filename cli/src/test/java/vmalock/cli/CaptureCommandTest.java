package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line of {@code vmalock capture}: help, and the errors found before tracefs is touched. */
class CaptureCommandTest {
    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void helpDescribesModesOptionsAndExitCodes() {
        assertEquals(0, run("capture", "--help"));
        String h = out.toString();
        for (String s : new String[] {"--workspace", "--duration", "--pid", "--buffer-kb", "--events", "--clock",
            "--maps-interval-ms", "--json", "Exit codes:", "6", "7", "another vmalock capture", "cannot trace here", "root"}) {
            assertTrue(h.contains(s), "help lacks " + s + ":\n" + h);
        }
    }

    @Test
    void workspaceIsRequired() {
        assertEquals(ExitCode.USAGE, run("capture", "--", "true"));
        assertTrue(err.toString().contains("--workspace"), err.toString());
    }

    @Test
    void unknownCommandIsAnInputError() {
        assertEquals(ExitCode.INPUT, run("capture", "-w", tmp.resolve("ws").toString(), "--", "no-such-command-vmalock"));
        assertEquals("vmalock capture: no-such-command-vmalock: command not found\n", err.toString());
        assertTrue(Files.notExists(tmp.resolve("ws")), "nothing created");
    }

    @Test
    void badEventsSpecIsAnInputError() {
        assertEquals(ExitCode.INPUT, run("capture", "-w", tmp.resolve("ws").toString(), "--events", "+sched"));
        assertTrue(err.toString().startsWith("vmalock capture: --events: '+sched' is not SUBSYSTEM:EVENT"), err.toString());
    }

    @Test
    void deadPidIsAnInputError() {
        assertEquals(ExitCode.INPUT, run("capture", "-w", tmp.resolve("ws").toString(), "--pid", "999999999"));
        assertEquals("vmalock capture: --pid 999999999: no such process\n", err.toString());
    }

    @Test
    void commandAndPidTogetherIsAnInputError() {
        assertEquals(ExitCode.INPUT, run("capture", "-w", tmp.resolve("ws").toString(), "--pid", "1", "--", "true"));
        assertTrue(err.toString().contains("either a command or --pid"), err.toString());
    }

    @Test
    void nonEmptyWorkspaceIsAWorkspaceError() throws Exception {
        Files.writeString(tmp.resolve("x"), "x");
        assertEquals(ExitCode.WORKSPACE, run("capture", "-w", tmp.toString(), "--duration", "1"));
        assertTrue(err.toString().contains("not empty; a capture writes a new workspace"), err.toString());
    }

    @Test
    void negativeDurationIsAUsageError() {
        assertEquals(ExitCode.USAGE, run("capture", "-w", tmp.resolve("ws").toString(), "--duration", "-1"));
    }
}
