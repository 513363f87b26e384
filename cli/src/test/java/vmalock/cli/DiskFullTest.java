package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vmalock.capture.Tracefs;

/**
 * Issue 12 item 3 (fault-injection #10): a disk that fills up during an ingest, for real — a 3 MB tmpfs
 * mounted for the test (root only: CI runs as root) and unmounted after. The ingest fails with one line and
 * exit code 4, and leaves the workspace as it was: a new one is not there at all; an existing one has the
 * same files, the same manifest and the same figures.
 */
class DiskFullTest {
    @TempDir
    Path tmp;
    private Path mount;
    private Path big;

    @BeforeEach
    void mountSmallTmpfs() throws Exception {
        assumeTrue(Tracefs.isRoot(), "mounting a tmpfs needs root");
        mount = tmp.resolve("small");
        Files.createDirectories(mount);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        boolean mounted = p.waitFor() == 0;
        if (!mounted) mount = null;
        assumeTrue(mounted, "cannot mount a tmpfs here: " + out);
        // ten copies of the 2.2 MB sample: its ~0.5 MB of blocks fit, ten times that does not
        big = tmp.resolve("big.txt");
        String one = Files.readString(Cli.sample("ftrace-overlap-default.txt"));
        Files.writeString(big, one.repeat(10));
    }

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            // lazy: this JVM may still map a closed queue file of it until a GC releases the mapping
            new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor();
        }
    }

    private static TreeSet<String> tree(Path ws) throws IOException {
        try (Stream<Path> s = Files.walk(ws)) {
            return s.map(p -> ws.relativize(p).toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static void assertOneLineWorkspaceError(Cli r) {
        assertEquals(4, r.code, r.toString());
        assertEquals(1, r.err.strip().split("\n").length, r.toString());
        assertFalse(r.err.contains("\tat "), r.toString());
        assertTrue(r.err.contains("no space left"), r.toString());
    }

    @Test
    void aNewWorkspaceIsNotLeftBehind() {
        Path ws = mount.resolve("new/ws");
        Cli r = Cli.run("ingest", big, "-w", ws);
        assertOneLineWorkspaceError(r);
        assertFalse(Files.exists(mount.resolve("new")), "the folders the ingest created are gone");
    }

    @Test
    void anExistingWorkspaceIsAsItWas() throws IOException {
        Path ws = mount.resolve("ws");
        assertEquals(0, Cli.run("ingest", Cli.sample("ftrace-overlap-default.txt"), "-w", ws).code);
        Cli stats = Cli.run("stats", "-w", ws, "--json");
        assertEquals(0, stats.code, stats.toString());
        TreeSet<String> before = tree(ws);
        byte[] manifest = Files.readAllBytes(ws.resolve("manifest.json"));

        Cli r = Cli.run("ingest", big, "-w", ws);
        assertOneLineWorkspaceError(r);
        assertEquals(before, tree(ws));
        assertArrayEquals(manifest, Files.readAllBytes(ws.resolve("manifest.json")));
        Cli again = Cli.run("stats", "-w", ws, "--json");
        assertEquals(0, again.code, again.toString());
        assertEquals(stats.out, again.out);
    }
}
