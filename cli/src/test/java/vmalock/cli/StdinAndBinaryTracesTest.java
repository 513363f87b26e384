package vmalock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12 item 7: '-' reads standard input; trace.dat and perf.data are recognised and the error gives the command. */
class StdinAndBinaryTracesTest {
    @TempDir
    Path tmp;

    private static Cli withStdin(byte[] in, Object... args) {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(in));
        try {
            return Cli.run(args);
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void dashReadsStandardInputLikeAFile() throws IOException {
        Path ws = tmp.resolve("ws");
        byte[] trace = Files.readAllBytes(Cli.sample("tc-plain.report.txt"));
        Cli in = withStdin(trace, "ingest", "-", "-w", ws);
        assertEquals(0, in.code, in.toString());
        assertTrue(in.out.startsWith("source 0: (standard input):"), in.out);
        assertTrue(in.out.contains("1,741 events"), in.out);
        Cli list = Cli.run("sources", "-w", ws);
        assertTrue(list.out.contains("(standard input)"), list.out);
        try (var s = Files.list(ws)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith(".stdin-")), "the copy of stdin is deleted");
        }
        // the same bytes again (from stdin or as the file) are a duplicate
        Cli again = withStdin(trace, "ingest", "-", "-w", ws);
        assertEquals(ExitCode.INPUT, again.code, again.toString());
        assertTrue(again.err.contains("(standard input): already in workspace"), again.err);
        assertEquals(ExitCode.INPUT, Cli.run("ingest", Cli.sample("tc-plain.report.txt"), "-w", ws).code);
        Cli twice = withStdin(trace, "ingest", "-", "-", "-w", tmp.resolve("ws2"));
        assertEquals(ExitCode.USAGE, twice.code, twice.toString());
        Cli empty = withStdin(new byte[0], "ingest", "-", "-w", tmp.resolve("ws3"));
        assertEquals(ExitCode.INPUT, empty.code, empty.toString());
        assertTrue(empty.err.startsWith("vmalock: (standard input): "), empty.err);
    }

    @Test
    void aCopyOfStdinLeftByAKilledIngestIsCleanedUpAndDoesNotBlockANewWorkspace() throws IOException {
        Path ws = tmp.resolve("killed");
        Files.createDirectories(ws);
        Files.writeString(ws.resolve(".stdin-123.tmp"), "half a trace"); // what a kill -9 during the copy leaves
        Cli in = withStdin(Files.readAllBytes(Cli.sample("tc-plain.report.txt")), "ingest", "-", "-w", ws);
        assertEquals(0, in.code, in.toString());
        assertFalse(Files.exists(ws.resolve(".stdin-123.tmp")));
    }

    @Test
    void traceDatAndPerfDataGiveTheCommandThatConvertsThem() throws IOException {
        Path ws = tmp.resolve("ws");
        Path dat = tmp.resolve("trace.dat");
        Files.write(dat, concat(new byte[] {0x17, 0x08, 0x44}, "tracing6\0\0\0\0\0\0\0\0".getBytes(StandardCharsets.ISO_8859_1)));
        Path perf = tmp.resolve("perf.data");
        Files.write(perf, concat("PERFILE2".getBytes(StandardCharsets.US_ASCII), new byte[] {0x68, 0, 0, 0, 0, 0, 0, 0}));
        Cli a = Cli.run("ingest", dat, "-w", ws);
        assertEquals(ExitCode.INPUT, a.code, a.toString());
        assertTrue(a.err.contains("trace-cmd report -i " + dat + " > " + dat + ".txt"), a.err);
        assertEquals(1, a.err.strip().split("\n").length, a.err);
        Cli b = Cli.run("ingest", perf, "-w", ws);
        assertEquals(ExitCode.INPUT, b.code, b.toString());
        assertTrue(b.err.contains("perf script -i " + perf + " > " + perf + ".txt"), b.err);
        Path gz = tmp.resolve("trace.dat.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write(Files.readAllBytes(dat));
        }
        Cli c = Cli.run("ingest", gz, "-w", ws);
        assertEquals(ExitCode.INPUT, c.code, c.toString());
        assertTrue(c.err.contains("decompress it first") && c.err.contains("trace-cmd report -i " + dat + " > "), c.err);
        Cli d = Cli.run("ingest", perf, "-w", ws, "--format", "perf");
        assertEquals(ExitCode.INPUT, d.code, d.toString());
        assertTrue(d.err.contains("perf script -i "), d.err);
        Cli e = withStdin(Files.readAllBytes(perf), "ingest", "-", "-w", ws);
        assertTrue(e.err.contains("perf script -i perf.data > perf.data.txt"), e.err);
        Path spaced = tmp.resolve("my perf.data");
        Files.copy(perf, spaced);
        Cli f = Cli.run("ingest", spaced, "-w", ws);
        assertTrue(f.err.contains("perf script -i '" + spaced + "' > '" + spaced + ".txt'"), f.err);
        assertFalse(Files.exists(ws.resolve("manifest.json")) && Cli.run("sources", "-w", ws).out.contains("perf.data"));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
