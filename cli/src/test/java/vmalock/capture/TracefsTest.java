package vmalock.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one-line refusals of {@link Tracefs#open} and the helpers behind them, on stand-in directories. */
class TracefsTest {
    @TempDir
    Path dir;

    @Test
    void lockdownModeIsTheBracketedWord() throws Exception {
        Path f = dir.resolve("lockdown");
        Files.writeString(f, "none integrity [confidentiality]\n");
        assertEquals("confidentiality", Tracefs.lockdownMode(f));
        Files.writeString(f, "[none] integrity confidentiality\n");
        assertEquals("none", Tracefs.lockdownMode(f));
        assertNull(Tracefs.lockdownMode(dir.resolve("missing")));
    }

    @Test
    void unmountedTracefsWithoutMountingIsOneClearLine() {
        CaptureException e = assertThrows(CaptureException.class, () -> Tracefs.open(dir, false));
        assertEquals(CaptureException.Kind.ENVIRONMENT, e.kind());
        String m = e.getMessage();
        assertTrue(m.equals("tracefs is not mounted at " + dir + ": mount it with: mount -t tracefs nodev " + dir)
                || m.startsWith("tracefs is not mounted at " + dir + " and mounting it needs root")
                || m.startsWith("this kernel has no tracefs"), m);
        assertTrue(!m.contains("\n"));
    }

    @Test
    void aTracefsWithoutInstancesIsRefused() throws Exception {
        Files.writeString(dir.resolve("trace"), "");
        CaptureException e = assertThrows(CaptureException.class, () -> Tracefs.open(dir, false));
        assertEquals(dir + " has no instances/ directory: capture needs tracefs instances (Linux 4.1 or later)", e.getMessage());
    }

    @Test
    void writeErrorsNameTheFileAndTheReason() {
        Tracefs fs = new Tracefs(dir);
        CaptureException e = assertThrows(CaptureException.class, () -> fs.write("events/nope/enable", "1"));
        assertEquals(CaptureException.Kind.TRACEFS, e.kind());
        assertEquals("cannot write '1' to " + dir.resolve("events/nope/enable") + ": no such file", e.getMessage());
    }

    @Test
    void perCpuStatsFieldsParse() {
        String stats = "entries: 12\noverrun: 345\ncommit overrun: 0\nbytes: 10\ndropped events: 6\nread events: 7\n";
        assertEquals(12, CaptureInstance.field(stats, "entries:"));
        assertEquals(345, CaptureInstance.field(stats, "overrun:"));
        assertEquals(6, CaptureInstance.field(stats, "dropped events:"));
        assertEquals(0, CaptureInstance.field(stats, "absent:"));
    }
}
