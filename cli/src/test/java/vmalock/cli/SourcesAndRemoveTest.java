package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12 item 6: mistakes can be undone — `sources` lists, `remove` takes a source out with what derives from it. */
class SourcesAndRemoveTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void sourcesListsIdPathFormatEventsSizeAndChecksum() throws IOException {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", Cli.sample("ftrace-overlap-default.txt"), Cli.sample("tc-plain.report.txt"),
                "-w", ws).code);
        Cli t = Cli.run("sources", "-w", ws);
        assertEquals(0, t.code, t.toString());
        String[] lines = t.out.split("\n");
        assertEquals(3, lines.length, t.out);
        assertTrue(lines[0].matches("id\\s+format\\s+clock\\s+events\\s+size\\s+checksum\\s+path"), lines[0]);
        assertTrue(lines[1].matches("0\\s+ftrace\\s+unknown\\s+19,444\\s+2\\.2 MiB\\s+crc32c\\S+\\s+/.*ftrace-overlap-default.txt"), lines[1]);
        assertTrue(lines[2].startsWith("1   trace-cmd"), lines[2]);
        JsonNode j = JSON.readTree(Cli.run("sources", "-w", ws, "--json").out);
        assertEquals(2, j.size());
        assertEquals(19444, j.get(0).get("events").asLong());
        assertEquals(Files.size(Cli.sample("ftrace-overlap-default.txt")), j.get(0).get("size_bytes").asLong());
        assertTrue(j.get(1).get("checksum").asText().startsWith("crc32c"));
        assertEquals(ExitCode.WORKSPACE, Cli.run("sources", "-w", tmp.resolve("none")).code);
    }

    @Test
    void removeTakesTheSourceItsRunsAndTheDatabaseAndTheFileCanComeBack() throws IOException {
        Path ws = tmp.resolve("ws");
        Path wrong = Cli.sample("tc-plain.report.txt");
        assertEquals(0, Cli.run("ingest", Cli.sample("ftrace-overlap-default.txt"), wrong, "-w", ws).code);
        long both = JSON.readTree(Cli.run("stats", "-w", ws, "--json").out).get("total_events").asLong();
        assertEquals(19444 + 1741, both);
        assertEquals(0, Cli.run("replay", "-w", ws, "--policy", "no-vma-lock", "--source", "0").code);
        assertEquals(0, Cli.run("replay", "-w", ws, "--policy", "vma-refcount").code);

        Cli rm = Cli.run("remove", "-w", ws, "--source", "1");
        assertEquals(0, rm.code, rm.toString());
        assertTrue(rm.out.startsWith("removed source 1: " + wrong.toAbsolutePath().normalize()), rm.out);
        assertTrue(rm.out.contains("vma-refcount-s0") && !rm.out.contains("no-vma-lock-s0"), rm.out);
        assertFalse(Files.exists(ws.resolve("runs/vma-refcount-s0")));
        assertTrue(Files.exists(ws.resolve("runs/no-vma-lock-s0/run.json")), "a run of source 0 only stays");

        Cli st = Cli.run("stats", "-w", ws, "--json");
        assertEquals(19444, JSON.readTree(st.out).get("total_events").asLong());
        assertEquals("", st.err, "no orphan-block note: the removed blocks are not an interrupted ingest");
        Cli q = Cli.run("query", "-w", ws, "SELECT count(*) AS n FROM sources");
        assertEquals(0, q.code, q.toString());
        assertTrue(q.out.matches("(?s).*\\b1\\b.*"), q.out);
        Cli list = Cli.run("sources", "-w", ws, "--json");
        assertEquals(1, JSON.readTree(list.out).size());

        // the same file again: not a duplicate any more, and it gets a new id
        Cli again = Cli.run("ingest", wrong, "-w", ws);
        assertEquals(0, again.code, again.toString());
        assertTrue(again.out.startsWith("source 2: "), again.out);
        assertEquals(both, JSON.readTree(Cli.run("stats", "-w", ws, "--json").out).get("total_events").asLong());

        Cli none = Cli.run("remove", "-w", ws, "--source", "7");
        assertEquals(ExitCode.USAGE, none.code, none.toString());
        assertTrue(none.err.contains("no source 7 (sources: 0, 2"), none.err);
        assertEquals(ExitCode.WORKSPACE, Cli.run("remove", "-w", tmp.resolve("missing"), "--source", "0").code);
        assertFalse(Files.exists(tmp.resolve("missing")), "remove never creates a workspace");
    }

    @Test
    void removingTheLastSourceDeletesTheQueueAndIngestStartsAfresh() throws IOException {
        Path ws = tmp.resolve("ws");
        assertEquals(0, Cli.run("ingest", Cli.sample("tc-plain.report.txt"), "-w", ws).code);
        assertEquals(0, Cli.run("remove", "-w", ws, "--source", "0").code);
        assertFalse(Files.exists(ws.resolve("queue")));
        Cli s = Cli.run("sources", "-w", ws);
        assertTrue(s.out.startsWith("no sources in "), s.out);
        Cli in = Cli.run("ingest", Cli.sample("tc-plain.report.txt"), "-w", ws);
        assertEquals(0, in.code, in.toString());
        assertTrue(in.out.startsWith("source 1: "), in.out);
        assertEquals(1741, JSON.readTree(Cli.run("stats", "-w", ws, "--json").out).get("total_events").asLong());
    }
}
