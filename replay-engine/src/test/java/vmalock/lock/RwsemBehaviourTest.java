package vmalock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vmalock.lock.Harness.act;
import static vmalock.lock.Harness.waitUntil;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** rw_semaphore / mmap_lock behaviour (spec §1), identical on both drivers. */
class RwsemBehaviourTest {
    static java.util.stream.Stream<Harness> drivers() {
        return Harness.both();
    }

    private static List<String> log() {
        return Collections.synchronizedList(new ArrayList<>());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void readerBlocksBehindWriterWithContentionEvents(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        MmapLock l = mm.mmapLock;
        h.spawn(new Task(1, "w"), Seq.of(t -> t.ops().mmapWriteLock.init(mm, true),
                waitUntil(() -> l.rwsem.queued() == 1), act(l::writeUnlock)));
        h.spawn(new Task(2, "r"), Seq.of(waitUntil(() -> l.rwsem.writeLocked()),
                t -> t.ops().mmapReadLock.init(mm, false, true), act(l::readUnlock)));
        h.runAll();
        assertEquals(List.of("start w1", "acq w1 1", "rel w1"), h.shapes(1));
        assertEquals(List.of("start w0", "cb 2", "ce 0", "acq w0 1", "rel w0"), h.shapes(2));
        assertEquals(0, h.findings.total(), h.findings::toString);
        assertEquals(0, l.rwsem.count());
        assertEquals(2, l.seq(), "write lock +1, unlock +1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void queuedWriterSendsNewReadersToTheQueue(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        MmapLock l = mm.mmapLock;
        List<String> order = log();
        boolean[] trylock = new boolean[1];
        h.spawn(new Task(1, "r1"), Seq.of(t -> t.ops().mmapReadLock.init(mm, false, true),
                waitUntil(() -> l.rwsem.queued() == 2), act(l::readUnlock)));
        h.spawn(new Task(2, "w"), Seq.of(waitUntil(() -> l.rwsem.readers() == 1),
                t -> t.ops().mmapWriteLock.init(mm, true), act(t -> order.add("w")), act(l::writeUnlock)));
        h.spawn(new Task(3, "r2"), Seq.of(waitUntil(() -> l.rwsem.hasWaiters()),
                act(t -> {
                    trylock[0] = l.readTrylock(t);
                    if (trylock[0]) l.readUnlock(t);
                }),
                t -> t.ops().mmapReadLock.init(mm, false, true), act(t -> order.add("r2")), act(l::readUnlock)));
        h.runAll();
        assertFalse(trylock[0], "down_read_trylock fails while a writer is queued, even on a reader-owned lock");
        assertEquals(List.of("w", "r2"), order);
        assertEquals(List.of("start w0", "acq w0 0", "start w0", "cb 2", "ce 0", "acq w0 1", "rel w0"), h.shapes(3));
        assertEquals(List.of("start w1", "cb 4", "ce 0", "acq w1 1", "rel w1"), h.shapes(2));
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void readerAtHeadGrantsEveryQueuedReaderAndWritersKeepTheirPlace(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        MmapLock l = mm.mmapLock;
        Rwsem s = l.rwsem;
        List<String> order = log();
        java.util.concurrent.atomic.AtomicInteger granted = new java.util.concurrent.atomic.AtomicInteger();
        h.spawn(new Task(1, "w1"), Seq.of(t -> t.ops().mmapWriteLock.init(mm, true),
                waitUntil(() -> s.queueString().equals("RWR")), act(l::writeUnlock)));
        h.spawn(new Task(2, "r1"), Seq.of(waitUntil(s::writeLocked), t -> t.ops().mmapReadLock.init(mm, false, true),
                act(t -> order.add("r1 queue=" + s.queueString())), act(t -> granted.incrementAndGet()),
                waitUntil(() -> granted.get() == 2), act(l::readUnlock)));
        h.spawn(new Task(3, "w2"), Seq.of(waitUntil(() -> s.queued() == 1), t -> t.ops().mmapWriteLock.init(mm, true),
                act(t -> order.add("w2")), act(l::writeUnlock)));
        h.spawn(new Task(4, "r2"), Seq.of(waitUntil(() -> s.queued() == 2), t -> t.ops().mmapReadLock.init(mm, false, true),
                act(t -> granted.incrementAndGet()), waitUntil(() -> granted.get() == 2), act(l::readUnlock)));
        h.runAll(); // if r2 were not granted with r1, both would wait for readers()==2 forever
        assertEquals("r1 queue=W", order.get(0));
        assertEquals("w2", order.get(1));
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void writerAtHeadWakesOnlyThatWriter(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        MmapLock l = mm.mmapLock;
        Rwsem s = l.rwsem;
        List<String> order = log();
        h.spawn(new Task(1, "w1"), Seq.of(t -> t.ops().mmapWriteLock.init(mm, true),
                waitUntil(() -> s.queueString().equals("WR")), act(l::writeUnlock)));
        h.spawn(new Task(2, "w2"), Seq.of(waitUntil(s::writeLocked), t -> t.ops().mmapWriteLock.init(mm, true),
                act(t -> order.add("w2 queue=" + s.queueString())), act(l::writeUnlock)));
        h.spawn(new Task(3, "r"), Seq.of(waitUntil(() -> s.queued() == 1), t -> t.ops().mmapReadLock.init(mm, false, true),
                act(t -> order.add("r")), act(l::readUnlock)));
        h.runAll();
        assertEquals(List.of("w2 queue=R", "r"), order);
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void downgradeGrantsQueuedReadersButNotWriters(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        MmapLock l = mm.mmapLock;
        Rwsem s = l.rwsem;
        List<String> order = log();
        int[] seqAfterDowngrade = new int[1];
        java.util.concurrent.atomic.AtomicInteger granted = new java.util.concurrent.atomic.AtomicInteger();
        h.spawn(new Task(1, "w"), Seq.of(t -> t.ops().mmapWriteLock.init(mm, true),
                waitUntil(() -> s.queueString().equals("RWR")), act(t -> {
                    l.writeDowngrade(t);
                    seqAfterDowngrade[0] = l.seq();
                }),
                waitUntil(() -> granted.get() == 2), act(t -> order.add(s.readers() + " readers, queue=" + s.queueString())),
                act(l::readUnlock)));
        h.spawn(new Task(2, "r1"), Seq.of(waitUntil(s::writeLocked), t -> t.ops().mmapReadLock.init(mm, false, true),
                act(t -> granted.incrementAndGet()), waitUntil(() -> !order.isEmpty()), act(l::readUnlock)));
        h.spawn(new Task(3, "w2"), Seq.of(waitUntil(() -> s.queued() == 1), t -> t.ops().mmapWriteLock.init(mm, true),
                act(t -> order.add("w2")), act(l::writeUnlock)));
        h.spawn(new Task(4, "r2"), Seq.of(waitUntil(() -> s.queued() == 2), t -> t.ops().mmapReadLock.init(mm, false, true),
                act(t -> granted.incrementAndGet()), waitUntil(() -> !order.isEmpty()), act(l::readUnlock)));
        h.runAll();
        assertEquals(List.of("3 readers, queue=W", "w2"), order);
        assertEquals(List.of("start w1", "acq w1 1", "acq w0 1", "rel w0"), h.shapes(1), "downgrade: acq(w0) only");
        assertEquals(2, seqAfterDowngrade[0], "downgrade bumps mm_lock_seq to even");
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void trylocks(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        MmapLock l = mm.mmapLock;
        Rwsem s = l.rwsem;
        List<String> r = log();
        h.spawn(new Task(1, "t"), Seq.of(act(t -> {
            r.add("free write " + l.writeTrylock(t));
            r.add("read while written " + s.downReadTrylock(t));
            r.add("write while written " + s.downWriteTrylock(t));
            l.writeUnlock(t);
            r.add("read " + l.readTrylock(t));
            r.add("write while read " + s.downWriteTrylock(t));
            r.add("read while read " + s.downReadTrylock(t));
            s.upRead(t);
        }), waitUntil(() -> s.queued() == 1), act(t -> {
            r.add("read while queued " + s.downReadTrylock(t));
            l.readUnlock(t);
        })));
        h.spawn(new Task(2, "w"), Seq.of(waitUntil(() -> r.size() == 6), t -> t.ops().mmapWriteLock.init(mm, true),
                act(l::writeUnlock)));
        h.runAll();
        assertEquals(List.of("free write true", "read while written false", "write while written false", "read true",
                "write while read false", "read while read true", "read while queued false"), r);
        assertEquals(List.of("start w1", "acq w1 1", "rel w1", "start w0", "acq w0 1", "rel w0"), h.shapes(1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void killableReaderLeavesTheQueueWithEintr(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        MmapLock l = mm.mmapLock;
        Rwsem s = l.rwsem;
        long[] ret = {1};
        Task r = new Task(2, "r");
        h.spawn(new Task(1, "w"), Seq.of(t -> t.ops().mmapWriteLock.init(mm, true), waitUntil(() -> ret[0] != 1),
                act(t -> assertEquals(0, s.queued())), act(l::writeUnlock)));
        h.spawn(r, Seq.of(waitUntil(s::writeLocked), t -> t.ops().mmapReadLock.init(mm, true, true),
                act(t -> ret[0] = t.ret)));
        h.spawn(new Task(3, "kill"), Seq.of(waitUntil(() -> s.queued() == 1), act(t -> {
            r.fatalSignal = true;
            t.driver().wake(r);
        })));
        h.runAll();
        assertEquals(-4, ret[0]);
        assertEquals(List.of("start w0", "cb 2", "ce -4", "acq w0 0"), h.shapes(2));
        assertEquals(0, s.count());
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void killableWriterLeavesTheQueueWithEintr(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        MmapLock l = mm.mmapLock;
        Rwsem s = l.rwsem;
        long[] ret = {1};
        Task w = new Task(2, "w");
        h.spawn(new Task(1, "r"), Seq.of(t -> t.ops().mmapReadLock.init(mm, true, true), waitUntil(() -> ret[0] != 1),
                act(l::readUnlock)));
        h.spawn(w, Seq.of(waitUntil(() -> s.readers() == 1), t -> t.ops().mmapWriteLock.init(mm, true),
                act(t -> ret[0] = t.ret)));
        h.spawn(new Task(3, "kill"), Seq.of(waitUntil(() -> s.queued() == 1), act(t -> {
            w.fatalSignal = true;
            t.driver().wake(w);
        })));
        h.runAll();
        assertEquals(-4, ret[0]);
        assertEquals(List.of("start w1", "cb 4", "ce -4", "acq w1 0"), h.shapes(2));
        assertEquals(0, s.count());
        assertEquals(0, l.seq(), "a failed write lock leaves mm_lock_seq alone");
        assertTrue(h.findings.total() == 0, h.findings::toString);
    }

    /**
     * HANDOFF (spec §1.2 writer step 3), on both drivers: a queued writer past its timeout that finds the
     * lock still held sets HANDOFF; from then on trylocks fail and new readers queue behind it instead of
     * stealing, and the lock goes to that writer when the holder leaves — not to a reader. The writer is
     * made to re-check while the reader still holds the lock by a (legal) spurious wake-up.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void handoffAfterTheWaiterTimeoutGivesTheLockToTheWaiter(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        MmapLock l = mm.mmapLock;
        Rwsem s = l.rwsem;
        s.waitTimeoutNs = 1_000; // ≈4 ms in the kernel; 1 µs keeps the test short on real threads
        List<String> order = log();
        boolean[] tries = new boolean[2];
        Task w = new Task(2, "w");
        h.spawn(new Task(1, "r1"), Seq.of(t -> t.ops().mmapReadLock.init(mm, false, true),
                waitUntil(() -> s.queueString().equals("WR")), act(t -> order.add("r1 unlock")), act(l::readUnlock)));
        h.spawn(w, Seq.of(waitUntil(() -> s.readers() == 1), t -> t.ops().mmapWriteLock.init(mm, true),
                act(t -> order.add("w")), act(l::writeUnlock)));
        // Past the timeout, with the lock still reader-held. (On threads the writer often sets HANDOFF by
        // itself: more than 1 µs passes between queueing and its first try.)
        h.spawn(new Task(3, "poke"), Seq.of(waitUntil(() -> s.queueString().startsWith("W") || !order.isEmpty()),
                t -> t.ops().hold.init(5_000), act(t -> t.driver().wake(w))));
        h.spawn(new Task(4, "r3"), Seq.of(waitUntil(s::handoff), act(t -> {
            tries[0] = s.downReadTrylock(t);
            tries[1] = s.downWriteTrylock(t);
        }), t -> t.ops().mmapReadLock.init(mm, false, true), act(t -> order.add("r3")), act(l::readUnlock)));
        h.runAll();
        assertFalse(tries[0], "down_read_trylock fails with HANDOFF set");
        assertFalse(tries[1], "down_write_trylock fails (the lock is held)");
        assertEquals(List.of("r1 unlock", "w", "r3"), order, "the lock goes to the waiter that set HANDOFF");
        assertEquals(List.of("start w0", "cb 2", "ce 0", "acq w0 1", "rel w0"), h.shapes(4),
                "r3 could not steal: it queued behind the writer");
        assertFalse(s.handoff(), "cleared by the writer that took the lock");
        assertEquals(0, s.count());
        assertEquals(0, h.findings.total(), h.findings::toString);
    }
}
