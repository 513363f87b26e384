package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 4: the clock shown is the trace's. A text trace with secs.fraction timestamps does not
 * name its clock (a mono-clock capture prints like a local-clock one): "unknown", never "local"; bare
 * integers are a tick clock ("counter"); an exported CSV carries its clock through.
 */
class ClockLabelTest {
    @TempDir
    Path tmp;

    private static String clock(Path ws) throws IOException {
        Cli r = Cli.run("stats", "-w", ws, "--json", "--source", "0");
        assertEquals(0, r.code, r.toString());
        return new ObjectMapper().readTree(r.out).get("trace_clock").asText();
    }

    private Path ingest(Path file, String name) {
        Path ws = tmp.resolve(name);
        Cli r = Cli.run("ingest", file, "-w", ws);
        assertTrue(r.code == 0 || r.code == 1, r.toString());
        return ws;
    }

    @Test
    void theClockShownIsTheTracesOrUnknown() throws IOException {
        Path ftrace = ingest(Cli.sample("ftrace-overlap-default.txt"), "ftrace");
        assertEquals("unknown", clock(ftrace));
        Cli text = Cli.run("stats", "-w", ftrace, "--source", "0");
        assertTrue(text.out.contains("unknown clock"), text.out);
        assertEquals("counter", clock(ingest(Cli.sample("ftrace-counter.txt"), "counter")));

        // a CSV export says its clock in its first line: one that names mono keeps mono
        Path csv = tmp.resolve("events.csv");
        assertEquals(0, Cli.run("export", "-w", ftrace, "-o", csv).code);
        String body = Files.readString(csv);
        assertTrue(body.startsWith("# vmalock-events clock=unknown"), body.substring(0, 80));
        Path mono = tmp.resolve("mono.csv");
        Files.writeString(mono, body.replaceFirst("clock=unknown", "clock=mono"));
        assertEquals("mono", clock(ingest(mono, "mono")));
    }
}
