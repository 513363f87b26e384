package vmalock.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import vmalock.event.Event;

/**
 * compare builds a trace's work once and replays every policy from it, two policies at once: a replay must leave
 * the work as it found it. Each policy's replay of one shared work — in memory and spilled to its temporary file,
 * two replays at a time, then each policy again on the same work — must emit the same events and counters as a
 * replay of work built for it alone.
 */
class SharedWorkTest {
    @TempDir
    Path tmp;

    private static final List<String> POLICIES = List.of("vma-refcount", "no-vma-lock", "remote-vma-lock", "rcu-wait",
            "faults-on-mmap-lock", "vma-rwsem");

    @ParameterizedTest
    @ValueSource(strings = {"ftrace-overlap-default.txt", "tc-overlap.report.txt", "sample:ftrace-remote-heavy.txt"})
    void replaysOfOneSharedWorkAreThoseOfWorkBuiltForEach(String name) throws Exception {
        Path trace = name.startsWith("sample:") ? Traces.sample(name.substring(7)) : Traces.shared(name);
        List<Event> events = Traces.events(trace);
        for (int memoryOps : new int[] {WorkBuilder.DEFAULT_MEMORY_OPS, 64}) {
            List<String[]> alone = new ArrayList<>();
            for (String p : POLICIES) {
                try (Workload w = build(events, memoryOps)) {
                    alone.add(replay(w, p));
                }
            }
            try (Workload shared = build(events, memoryOps)) {
                assertTrue(memoryOps > 64 || shared.spilledBytes() > 0, "spilled");
                ExecutorService pool = Executors.newFixedThreadPool(2);
                try {
                    List<Future<String[]>> fs = new ArrayList<>();
                    for (String p : POLICIES) fs.add(pool.submit(() -> replay(shared, p)));
                    for (int k = 0; k < POLICIES.size(); k++) {
                        assertArrayEquals(alone.get(k), fs.get(k).get(), name + " under " + POLICIES.get(k) + ", two at once");
                    }
                } finally {
                    pool.shutdown();
                }
                for (int k = POLICIES.size() - 1; k >= 0; k--) { // again, after every other policy
                    assertArrayEquals(alone.get(k), replay(shared, POLICIES.get(k)), name + " under " + POLICIES.get(k));
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void compareSharesTheWorkWhereTheHeapHoldsTwoReplays() {
        ReplayOptions o = new ReplayOptions();
        assertTrue(Comparison.shareWork(List.of(), o, 10, 10), "the test JVM's heap holds two small replays");
        o.live = true;
        org.junit.jupiter.api.Assertions.assertFalse(Comparison.shareWork(List.of(), o, 10, 10), "never for --live");
        org.junit.jupiter.api.Assertions.assertFalse(Comparison.shareWork(List.of(), new ReplayOptions(), 1L << 40, 0),
                "not when two replays' estimate exceeds the heap");
    }

    private Workload build(List<Event> events, int memoryOps) {
        WorkBuilder b = new WorkBuilder(-1, memoryOps, tmp);
        for (Event e : events) b.accept(e);
        return b.finish();
    }

    private static String[] replay(Workload w, String policy) throws Exception {
        return Traces.replayDigest(w, new ReplayOptions().policy(PolicyPreset.preset(policy)).seed(5).threads(1));
    }
}
