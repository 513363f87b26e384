package vmalock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static vmalock.lock.Harness.act;
import static vmalock.lock.Harness.op;
import static vmalock.lock.Harness.waitUntil;

import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every lock_vma_under_rcu outcome of spec §3 and the counter it bumps, on the simulator and on real
 * threads; the races (detached / shrunk / recycled after the lookup) hold the reader between two of
 * its steps with {@link Paused} while a writer changes the tree.
 */
class LockVmaUnderRcuTest {
    static Stream<Harness> drivers() {
        return Harness.both();
    }

    private static void counters(Mm mm, long success, long abort, long retry, long miss) {
        VmEvents e = mm.vmEvents;
        assertEquals(success + "/" + abort + "/" + retry + "/" + miss,
                e.success() + "/" + e.abort() + "/" + e.retry() + "/" + e.miss(), "success/abort/retry/miss");
    }

    /** Records the result (NAME = the VMA's start or "null", NAME.reason) and drops a VMA it got. */
    private static Function<Task, Op> result(Harness h, String name) {
        return act(t -> {
            h.seen.put(name, t.retObj == null ? "null" : "0x" + Long.toHexString(((Vma) t.retObj).vmStart));
            h.seen.put(name + ".reason", Reason.name(t.reason));
            if (t.retObj != null) {
                h.seen.put(name + ".refcnt", ((Vma) t.retObj).refcnt());
                h.seen.put(name + ".held", t.holdsVmaRead((Vma) t.retObj));
                VmaLock.endRead(t, (Vma) t.retObj);
            }
        });
    }

    private static Function<Task, Op> lookup(Mm mm, long addr) {
        return t -> t.ops().lockVmaUnderRcu.init(mm, addr);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void successReturnsTheVmaReadLockedAndCountsNothing(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        mm.addVma(0x10000, 0x20000);
        h.spawn(new Task(2, "r"), Seq.of(lookup(mm, 0x10000), result(h, "r")));
        h.runAll();
        assertEquals("0x10000", h.seen.get("r"));
        assertEquals(2, h.seen.get("r.refcnt"));
        assertEquals(true, h.seen.get("r.held"));
        counters(mm, 0, 0, 0, 0); // SUCCESS is counted by the fault handler, not here
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void noVmaIsAbortNotMiss(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        mm.addVma(0x10000, 0x20000);
        h.spawn(new Task(2, "r"), Seq.of(lookup(mm, 0x20000), result(h, "r")));
        h.runAll();
        assertEquals("null", h.seen.get("r"));
        assertEquals("no_vma", h.seen.get("r.reason"));
        counters(mm, 0, 1, 0, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void writeLockedIsAbort(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        Vma v = mm.addVma(0x10000, 0x20000);
        h.spawn(new Task(1, "w"), Seq.of(t -> t.ops().mmapWriteLock.init(mm, true), t -> t.ops().vmaStartWrite.init(v, false),
                waitUntil(() -> h.seen.containsKey("r")), act(t -> mm.mmapLock.writeUnlock(t))));
        h.spawn(new Task(2, "r"), Seq.of(waitUntil(() -> VmaLock.isWriteLocked(v)), lookup(mm, 0x10000), result(h, "r")));
        h.runAll();
        assertEquals("null", h.seen.get("r"));
        assertEquals("write_locked_early", h.seen.get("r.reason"));
        counters(mm, 0, 1, 0, 0);
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void overflowIsAbort(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        Vma v = mm.addVma(0x10000, 0x20000);
        v.setRefcntForTest(Vma.VM_REFCNT_LIMIT);
        h.spawn(new Task(2, "r"), Seq.of(lookup(mm, 0x10000), result(h, "r")));
        h.runAll();
        assertEquals("overflow", h.seen.get("r.reason"));
        counters(mm, 0, 1, 0, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void detachedAfterLookupIsMissAndRetriesFromTheWalk(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        Vma v = mm.addVma(0x10000, 0x20000);
        LockVmaUnderRcu lvur = new LockVmaUnderRcu().init(mm, 0x10000);
        Paused reader = new Paused(lvur, 1); // walked the tree, found v; about to vma_start_read
        h.spawn(new Task(2, "r"), Seq.of(op(reader), result(h, "r"), act(t -> h.seen.put("misses", lvur.misses()))));
        Vma v2 = new Vma(mm, 0x10000, 0x20000);
        // munmap + mmap replace v by v2 at the same address
        h.spawn(new Task(1, "w"), Seq.of(waitUntil(() -> reader.reached() == 1), t -> t.ops().writeSection.init(mm,
                new WriteSection.Spec().lock(v).detach(v).insert(v2)), act(t -> reader.release())));
        h.runAll();
        assertEquals("0x10000", h.seen.get("r"));
        assertEquals(1, v2.refcnt(), "the retry found the replacement (and released it)");
        assertEquals(0, v.refcnt());
        assertEquals(1, h.seen.get("misses"));
        counters(mm, 0, 0, 0, 1);
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void vmaShrankAfterLookupIsAbortAfterVmaEndRead(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        Vma v = mm.addVma(0x10000, 0x20000);
        Paused reader = new Paused(new LockVmaUnderRcu().init(mm, 0x18000), 1);
        h.spawn(new Task(2, "r"), Seq.of(op(reader), result(h, "r")));
        h.spawn(new Task(1, "w"), Seq.of(waitUntil(() -> reader.reached() == 1), t -> t.ops().mmapWriteLock.init(mm, true),
                t -> t.ops().vmaStartWrite.init(v, false), act(t -> mm.setRange(t, v, 0x10000, 0x14000)),
                act(t -> mm.mmapLock.writeUnlock(t)), act(t -> reader.release())));
        h.runAll();
        assertEquals("null", h.seen.get("r"));
        assertEquals("range", h.seen.get("r.reason"));
        assertEquals(1, v.refcnt(), "vma_end_read ran");
        counters(mm, 0, 1, 0, 0);
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void vmMmMismatchIsAbort(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        Vma v = mm.addVma(0x10000, 0x20000);
        Paused reader = new Paused(new LockVmaUnderRcu().init(mm, 0x10000), 3); // walk, early check, increment
        h.spawn(new Task(2, "r"), Seq.of(op(reader), result(h, "r")));
        h.spawn(new Task(1, "slab"), Seq.of(waitUntil(() -> reader.reached() == 1), act(t -> {
            v.vmMm = new Mm(0x2000, null);
            reader.release();
        })));
        h.runAll();
        assertEquals("mm_mismatch", h.seen.get("r.reason"));
        assertEquals(1, v.refcnt());
        counters(mm, 0, 1, 0, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void noPerVmaLocksIsAStubThatCountsNothing(Harness h) {
        Mm none = h.mm(VmaLockDesign.NONE);
        none.addVma(0x10000, 0x20000);
        h.spawn(new Task(2, "r"), Seq.of(lookup(none, 0x10000), result(h, "r")));
        h.runAll();
        assertEquals("null", h.seen.get("r"));
        assertEquals("no_vma_lock", h.seen.get("r.reason"));
        counters(none, 0, 0, 0, 0);
    }

    /** 6.4: the reader found the VMA before munmap erased it and locked it after; {@code detached} → MISS. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void rwsemDesignDetachedAfterLockingIsMissAndRetry(Harness h) {
        Mm old = h.mm(VmaLockDesign.RWSEM);
        Vma ov = old.addVma(0x10000, 0x20000);
        Paused reader = new Paused(new LockVmaUnderRcu().init(old, 0x10000), 1); // found ov in the tree
        h.spawn(new Task(2, "r"), Seq.of(op(reader), result(h, "r")));
        h.spawn(new Task(1, "munmap"), Seq.of(waitUntil(() -> reader.reached() == 1), t -> t.ops().writeSection.init(old,
                new WriteSection.Spec().lock(ov).detach(ov)), act(t -> reader.release())));
        h.runAll();
        assertEquals("null", h.seen.get("r"), "retry walks again and finds nothing");
        assertEquals("no_vma", h.seen.get("r.reason"));
        assertEquals(1, old.vmEvents.miss());
        assertEquals(1, old.vmEvents.abort());
        assertEquals(0, ov.vmLock().count(), "vma_end_read ran before the retry");
        assertEquals(0, h.findings.total(), h.findings::toString);
    }
}
