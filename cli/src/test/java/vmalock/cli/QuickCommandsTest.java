package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forms of ingest and stats run without picocli ({@link QuickCommands}) do what picocli's run does: the same
 * output, errors, exit code and workspace; every other form is left to picocli.
 */
class QuickCommandsTest {
    @TempDir
    Path tmp;

    /** Exit code, stdout and stderr of the quick path (null: not a quick form). */
    private static String quick(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Integer rc = QuickCommands.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return rc == null ? null : "exit " + rc + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }

    private static String picocli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = Main.commandLine(args);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute(args);
        return "exit " + rc + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }

    /** Runs the command both ways, each on its own copy of the workspace {@code %s} stands for, and compares. */
    private void same(String... args) throws Exception {
        String[] a = args.clone();
        String[] b = args.clone();
        for (int i = 0; i < args.length; i++) {
            a[i] = args[i].replace("%s", tmp.resolve("a").toString());
            b[i] = args[i].replace("%s", tmp.resolve("b").toString());
        }
        String q = quick(a);
        assertNotNull(q, String.join(" ", args));
        String p = picocli(b);
        assertEquals(p.replace(tmp.resolve("b").toString(), "WS"), q.replace(tmp.resolve("a").toString(), "WS"), String.join(" ", args));
        Path wa = tmp.resolve("a");
        Path wb = tmp.resolve("b");
        assertEquals(Files.exists(wa), Files.exists(wb));
        for (String f : new String[] {"manifest.json", "stats-observed.json", "queue/metadata.cq4t"}) {
            assertEquals(Files.exists(wa.resolve(f)), Files.exists(wb.resolve(f)), f);
            if (Files.exists(wa.resolve(f)) && !f.startsWith("queue")) {
                assertEquals(Files.readString(wb.resolve(f)), Files.readString(wa.resolve(f)), f);
            }
        }
    }

    @Test
    void ingestAndStatsAsPicocliRunsThem() throws Exception {
        String t = Cli.sample("ftrace-tgid.txt").toString();
        String m = Cli.sample("ftrace-memcg.txt").toString();
        same("stats", "-w", "%s"); // not a workspace
        same("ingest", t, "-w", "%s", "--kernel", "6.8.0-45-generic");
        same("ingest", t, "--workspace=%s"); // already ingested: refused
        same("ingest", "-w", "%s", m, "--no-tables");
        same("stats", "--workspace", "%s");
        same("stats", "-w", "%s", "--json");
        same("ingest", "--kernel=5.x", "-w", "%s", m); // a usage error
        same("ingest", "--tables", "--no-tables", "-w", "%s", m);
        same("ingest", tmp.resolve("missing.txt").toString(), "-w", "%s");
    }

    @Test
    void otherFormsAreLeftToPicocli() {
        for (String[] args : new String[][] {
            {"stats"}, {"stats", "-w"}, {"stats", "--help"}, {"stats", "-w", "ws", "--run", "observed"},
            {"stats", "-w", "ws", "--json", "--json"}, {"stats", "-w", "a", "-w", "b"}, {"stats", "-wws"},
            {"stats", "-w", "--json"}, {"stats", "-w", "@args"}, {"stats", "@args"}, {"stats", "-w", "ws", "--pid", "1"},
            {"ingest", "-w", "ws"}, {"ingest", "-", "-w", "ws"}, {"ingest", "t", "-w", "ws", "--threads", "2"},
            {"ingest", "t", "-w", "ws", "--json"}, {"ingest", "t", "-w", "ws", "--tables", "--tables"},
            {"ingest", "t", "-w", "ws", "--"}, {"ingest", "t", "-w", "ws", "--kernel"}, {"query", "-w", "ws", "x"},
            {"ingest", "t\0", "-w", "ws"}, {"ingest", "t", "-w", ""}}) {
            assertNull(QuickCommands.parse(args), String.join(" ", args));
        }
        assertNotNull(QuickCommands.parse(new String[] {"ingest", "a", "b", "-w", "ws", "--tables", "--kernel", "6.1"}));
    }
}
