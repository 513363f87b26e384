package vmalock.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import vmalock.event.Event;

/**
 * Bounded memory: with a tiny in-memory budget the work builder spills finished operations to a
 * temporary file and the replay streams them back; every emitted event and counter must be the same
 * as with everything in memory (byte-identical output), and the file is never visible (unlinked once open).
 */
class SpillTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"ftrace-overlap-default.txt", "tc-overlap.report.txt", "perf-disjoint.perf.txt",
        "sample:ftrace-remote-heavy.txt"})
    void spilledWorkReplaysByteIdentically(String name) throws Exception {
        Path trace = name.startsWith("sample:") ? Traces.sample(name.substring(7)) : Traces.shared(name);
        List<Event> events = Traces.events(trace);
        for (String policy : List.of("vma-refcount", "no-vma-lock", "remote-vma-lock", "rcu-wait")) {
            ReplayOptions o = new ReplayOptions().policy(PolicyPreset.preset(policy)).seed(3);
            String[] inMemory = replay(build(events, WorkBuilder.DEFAULT_MEMORY_OPS), o, false);
            String[] spilled = replay(build(events, 64), o, true);
            assertArrayEquals(inMemory, spilled, name + " under " + policy);
        }
    }

    private Workload build(List<Event> events, int memoryOps) {
        WorkBuilder b = new WorkBuilder(-1, memoryOps, tmp);
        for (Event e : events) b.accept(e);
        return b.finish();
    }

    private String[] replay(Workload w, ReplayOptions o, boolean expectSpill) throws Exception {
        try (w) {
            assertEquals(expectSpill, w.spilledBytes() > 0, "spilled " + w.spilledBytes() + " bytes");
            // unlinked while in use: a replay killed now leaves nothing in the spill folder (issue 12)
            assertEquals(0, files(), "no work file visible while spilled");
            return Traces.replayDigest(w, o);
        } finally {
            assertFalse(files() > 0, "the work file is deleted on close");
        }
    }

    private long files() throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.count();
        }
    }
}
