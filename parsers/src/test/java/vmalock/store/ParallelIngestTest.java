package vmalock.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import vmalock.parse.Parallelism;
import vmalock.parse.SharedTraces;

/**
 * {@code ingest} on several threads stores a byte-identical workspace: the same queue documents (every
 * block's bytes) and the same manifest entry, with the same problems reported in the same order, as one
 * thread — for every shared trace (plain and xz) and every bundled plain one, with chunks small enough to cut
 * each file in many places.
 */
class ParallelIngestTest {
    @TempDir
    Path tmp;

    /** Everything an ingest leaves: the manifest entry as written, every block's bytes, the problems heard. */
    private record Stored(String manifest, List<byte[]> blocks, List<String> problems) {
    }

    private Stored ingest(Path trace, Parallelism par, String dir) throws Exception {
        List<String> problems = new ArrayList<>();
        Ingester.Observer obs = (src, line, reason) -> problems.add(line + ": " + reason);
        try (Workspace ws = Workspace.forIngest(tmp.resolve(dir))) {
            Manifest.Source s = Ingester.ingest(ws, trace, null, false, obs, par);
            s.path = "-"; // the workspaces differ, not the sources
            List<byte[]> blocks = new ArrayList<>();
            try (ExcerptTailer t = ws.queue().createTailer()) {
                assertTrue(s.firstIndex < 0 || t.moveToIndex(s.firstIndex));
                for (long i = s.firstIndex; i >= 0 && i <= s.lastIndex; i++) {
                    try (DocumentContext dc = t.readingDocument()) {
                        assertEquals(i, dc.index());
                        Bytes<?> b = dc.wire().bytes();
                        byte[] a = new byte[(int) b.readRemaining()];
                        b.read(a);
                        blocks.add(a);
                    }
                }
            }
            return new Stored(Manifest.toJson(s), blocks, problems);
        }
    }

    private void same(Path trace, int... chunkSizes) throws Exception {
        Stored one = ingest(trace, Parallelism.ONE, "one-" + trace.getFileName());
        for (int chunk : chunkSizes) {
            String what = trace.getFileName() + " chunk=" + chunk;
            Stored two = ingest(trace, new Parallelism(2, chunk), "two-" + chunk + "-" + trace.getFileName());
            assertEquals(one.manifest, two.manifest, what);
            assertEquals(one.problems, two.problems, what);
            assertEquals(one.blocks.size(), two.blocks.size(), what);
            for (int i = 0; i < one.blocks.size(); i++) {
                assertArrayEquals(one.blocks.get(i), two.blocks.get(i), what + ": block " + i);
            }
        }
    }

    @Test
    void everySharedTraceIsStoredIdentically() throws Exception {
        List<Path> traces = new ArrayList<>();
        try (Stream<Path> s = Files.list(SharedTraces.trace(".").getParent())) {
            s.filter(p -> p.toString().endsWith(".txt") || p.toString().endsWith(".txt.xz")).sorted().forEach(traces::add);
        }
        assertTrue(traces.size() >= 9, "traces: " + traces);
        for (Path t : traces) {
            if (t.toString().endsWith(".xz")) {
                same(t, 65_537);
            } else {
                same(t, 4093, 300_007);
            }
        }
    }

    @Test
    void everyBundledPlainTraceIsStoredIdentically() throws Exception {
        List<Path> traces = new ArrayList<>();
        Path root = Path.of(System.getProperty("vmalock.root", ".."), "sample-traces");
        try (Stream<Path> s = Files.list(root)) {
            s.filter(p -> p.toString().endsWith(".txt")).sorted().forEach(traces::add);
        }
        assertTrue(traces.size() >= 19, "traces: " + traces);
        for (Path t : traces) {
            same(t, 1, 777);
        }
    }
}
