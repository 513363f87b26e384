package vmalock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vmalock.lock.Harness.act;
import static vmalock.lock.Harness.waitUntil;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import vmalock.event.EventKind;

/**
 * The acquisition strategies of spec §6 (d)–(i), on the simulator and on real threads. The writer
 * holds mmap write (v write-locked) until a handshake condition says the reader got where the test
 * needs it; a reader that wrongly waited for the writer would deadlock and fail the run.
 */
class StrategiesTest {
    Harness h;
    Mm mm;
    Vma v;
    Object[] got = new Object[2];
    long[] ret = new long[2];
    volatile boolean readerDone;
    volatile long writerReleasedAt = -1;

    static Stream<Harness> drivers() {
        return Harness.both();
    }

    private void setUp(Harness harness) {
        h = harness;
        mm = h.mm(VmaLockDesign.REFCOUNT);
        v = mm.addVma(0x10000, 0x20000);
    }

    /** The mmap_lock rwsem has {@code n} queued waiters. */
    private BooleanSupplier queued(int n) {
        return () -> mm.mmapLock.rwsem.queued() == n;
    }

    /** A writer holding mmap write with v write-locked until {@code releaseWhen}. */
    private void writer(BooleanSupplier releaseWhen) {
        h.spawn(new Task(9, "writer"), Seq.of(t -> t.ops().mmapWriteLock.init(mm, true), t -> t.ops().vmaStartWrite.init(v, false),
                waitUntil(releaseWhen), act(t -> writerReleasedAt = t.driver().now()), act(t -> mm.mmapLock.writeUnlock(t))));
    }

    private Task reader(Op op, boolean afterWriter) {
        return h.spawn(new Task(1, "r"), Seq.of(afterWriter ? waitUntil(() -> VmaLock.isWriteLocked(v)) : act(t -> { }),
                t -> op, act(t -> {
                    got[0] = t.retObj;
                    ret[0] = t.ret;
                    ret[1] = t.reason;
                    if (t.retObj instanceof Vma) VmaLock.endRead(t, (Vma) t.retObj);
                    readerDone = true;
                })));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void rcuWaitWaitsOutTheWriterAndCountsItsRetry(Harness harness) {
        setUp(harness);
        writer(queued(1));
        LockVmaUnderRcuWait op = new LockVmaUnderRcuWait();
        reader(op.init(mm, 0x10000), true);
        h.runAll();
        assertSame(v, got[0]);
        assertEquals(1, op.retries());
        assertEquals(1, mm.vmEvents.abort(), "the first pass aborted");
        assertEquals(List.of("start w0", "cb 2", "ce 0", "acq w0 1", "rel w0"), h.shapes(1),
                "mmap_read_lock only waits; never held on return");
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void rcuWaitReturnsCleanlyOnAnAddressWithNoVma(Harness harness) {
        setUp(harness);
        LockVmaUnderRcuWait op = new LockVmaUnderRcuWait();
        reader(op.init(mm, 0x90000), false);
        h.runAll();
        assertNull(got[0]);
        assertEquals(0, op.retries());
        assertEquals(List.of("start w0", "acq w0 1", "rel w0"), h.shapes(1));
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void startReadUnlockedV2ReportsTheNullDereferenceOnTheFirstSlowPathEntry(Harness harness) {
        setUp(harness);
        writer(queued(1)); // the slow path's guard(rwsem_read) queued behind the writer
        VmaStartReadUnlocked op = new VmaStartReadUnlocked();
        reader(op.init(mm, 0x10000, true, false), true);
        h.runAll();
        assertNull(got[0]);
        assertTrue(op.slowPath());
        assertEquals(1, h.findings.defects());
        Finding f = h.findings.list().get(0);
        assertEquals(Findings.DEFECT, f.invariant());
        assertTrue(f.detail().startsWith(VmaStartReadUnlocked.DEFECT_TEXT), f.detail());
        assertEquals(1, f.tid());
        assertTrue(writerReleasedAt >= 0 && f.timeNs() >= writerReleasedAt,
                "reported when the slow path got the (untraced) guard, after the writer: " + f.timeNs() + " vs " + writerReleasedAt);
        assertEquals(List.of("cb 2", "ce 0"), h.shapes(1), "guard(rwsem_read): contention events, no mmap_lock events");
        assertEquals(0, h.findings.violations(), h.findings::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void startReadUnlockedFixedWaitsAndReturnsTheVmaWithoutFallback(Harness harness) {
        setUp(harness);
        writer(queued(1));
        VmaStartReadUnlocked op = new VmaStartReadUnlocked();
        reader(op.init(mm, 0x10000, false, false), true);
        h.runAll();
        assertSame(v, got[0]);
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void startReadUnlockedFixedReturnsCleanlyOnNoVma(Harness harness) {
        setUp(harness);
        VmaStartReadUnlocked op = new VmaStartReadUnlocked();
        reader(op.init(mm, 0x90000, false, true), false);
        h.runAll();
        assertNull(got[0]);
        assertEquals(0, h.findings.total(), h.findings::toString);
        assertEquals(List.of("start w0", "acq w0 1", "rel w0"), h.shapes(1), "traced guard variant");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void trylockOnlySkipsWithoutTouchingMmapLock(Harness harness) {
        setUp(harness);
        writer(() -> readerDone); // a reader that waited for the writer would deadlock here
        reader(new OtherRead().init(mm, 0x10000, 1000, Policy.ReaderStrategy.TRYLOCK_SKIP, false), true);
        h.runAll();
        assertEquals(OtherRead.SKIPPED, ret[0]);
        assertEquals(List.of(), h.shapes(1), "LRU_SKIP: no wait, no mmap_lock");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void binderBeforeFallsBackToMmapTrylockThenSkips(Harness harness) {
        setUp(harness);
        writer(() -> readerDone);
        reader(new OtherRead().init(mm, 0x10000, 1000, Policy.ReaderStrategy.VMA_THEN_MMAP_TRYLOCK_SKIP, false), true);
        h.runAll();
        assertEquals(OtherRead.SKIPPED, ret[0]);
        assertEquals(List.of("start w0", "acq w0 0"), h.shapes(1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void binderBeforeUsesMmapTrylockWhenTheVmaLockFailsForAnotherReason(Harness harness) {
        setUp(harness);
        v.setRefcntForTest(Vma.VM_REFCNT_LIMIT);
        reader(new OtherRead().init(mm, 0x10000, 1000, Policy.ReaderStrategy.VMA_THEN_MMAP_TRYLOCK_SKIP, false), false);
        h.runAll();
        assertEquals(OtherRead.DONE_OK, ret[0]);
        assertEquals(List.of("start w0", "acq w0 1", "rel w0"), h.shapes(1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void remoteReadBaselineHoldsMmapLockForTheWholeTransfer(Harness harness) {
        setUp(harness);
        RemoteRead op = new RemoteRead();
        h.spawn(new Task(1, "cat"), Seq.of(t -> op.init(mm, 0x10000, 3 * 4096, 1000, Policy.vmaRefcount())));
        h.runAll();
        assertEquals(List.of("start w0", "acq w0 1", "rel w0"), h.shapes(1));
        if (h instanceof Harness.Sim) assertEquals(3000, ((Harness.Sim) h).s.now(), "3 pages × 1 µs under one read lock");
        assertEquals(0, op.fastPages());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void remoteReadFastPathStaysOffMmapLockInsideOnePresentVma(Harness harness) {
        setUp(harness);
        RemoteRead op = new RemoteRead();
        h.spawn(new Task(1, "cat"), Seq.of(t -> op.init(mm, 0x10000, 3 * 4096, 1000, Policy.remoteVmaLock())));
        h.runAll();
        assertEquals(List.of(), h.shapes(1));
        assertEquals(3, op.fastPages());
        assertFalse(op.fellBack());
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void remoteReadFastPathFallsBackWhenTheRangeSpansTwoVmas(Harness harness) {
        setUp(harness);
        mm.addVma(0x20000, 0x30000);
        RemoteRead op = new RemoteRead();
        h.spawn(new Task(1, "cat"), Seq.of(t -> op.init(mm, 0x1f000, 2 * 4096, 1000, Policy.remoteVmaLock())));
        h.runAll();
        assertTrue(op.fellBack());
        assertEquals(0, op.fastPages());
        assertEquals(List.of("start w0", "acq w0 1", "rel w0"), h.shapes(1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void remoteReadFastPathFallsBackOnANonPresentPage(Harness harness) {
        setUp(harness);
        v.populated = false;
        RemoteRead op = new RemoteRead();
        h.spawn(new Task(1, "cat"), Seq.of(t -> op.init(mm, 0x10000, 4096, 1000, Policy.remoteVmaLock())));
        h.runAll();
        assertTrue(op.fellBack());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void remoteFastPathDoesNotWaitForAWriterOfAnotherVma(Harness harness) {
        setUp(harness);
        Vma other = mm.addVma(0x40000, 0x50000);
        boolean[] heldAtEnd = new boolean[1];
        h.spawn(new Task(9, "writer"), Seq.of(t -> t.ops().mmapWriteLock.init(mm, true), t -> t.ops().vmaStartWrite.init(other, false),
                waitUntil(() -> readerDone), act(t -> mm.mmapLock.writeUnlock(t)))); // a reader that waited would deadlock
        RemoteRead op = new RemoteRead();
        h.spawn(new Task(1, "cat"), Seq.of(waitUntil(() -> mm.mmapLock.rwsem.writeLocked()),
                t -> op.init(mm, 0x10000, 4096, 1000, Policy.remoteVmaLock()),
                act(t -> heldAtEnd[0] = mm.mmapLock.rwsem.writeLocked()), act(t -> readerDone = true)));
        h.runAll();
        assertTrue(heldAtEnd[0], "finished while the writer still held mmap_lock");
        assertEquals(1, op.fastPages());
    }

    @Test
    void unconditionalPerVmaLocksIgnoreTheSmpRestriction() {
        assertEquals(VmaLockDesign.NONE, Policy.vmaRefcount().withSmp(false).effectiveDesign());
        assertEquals(VmaLockDesign.REFCOUNT, Policy.unconditionalPerVma().withSmp(false).effectiveDesign());
        assertEquals(VmaLockDesign.REFCOUNT, Policy.vmaRefcount().effectiveDesign());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void faultUnderRcuWaitPolicyNeverFallsBackForAWriter(Harness harness) {
        setUp(harness);
        writer(queued(1));
        Fault f = new Fault().set(0x10000, true, 500);
        h.spawn(new Task(1, "f"), Seq.of(waitUntil(() -> VmaLock.isWriteLocked(v)),
                t -> t.ops().userFault.init(mm, f, Policy.hypotheticalFault(Policy.FaultStrategy.RCU_WAIT)), act(t -> ret[0] = t.ret)));
        h.runAll();
        assertEquals(UserFault.HANDLED_VMA, ret[0]);
        assertEquals(1, mm.vmEvents.success());
        assertEquals(1, h.count(EventKind.MMAP_LOCK_RELEASED) - 1, "one read section (waiting) besides the writer's");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void blockingMmapAcquireWhileHoldingAVmaReadLockIsFlagged(Harness harness) {
        setUp(harness);
        h.spawn(new Task(1, "bad"), Seq.of(t -> t.ops().lockVmaUnderRcu.init(mm, 0x10000),
                t -> t.ops().mmapReadLock.init(mm, false, true), act(t -> mm.mmapLock.readUnlock(t)),
                act(t -> VmaLock.endRead(t, v))));
        h.runAll();
        assertEquals("9-blocking-mmap-acquire-under-vma-read", h.findings.list().get(0).invariant());
    }

    // ---- binder shrinker: mutex_trylock(&alloc->mutex) after the VMA / mmap lock ([P2], (f) and (g)) ----
    /** A binder thread holding alloc->mutex until {@code releaseWhen}. */
    private void allocMutexHolder(BooleanSupplier releaseWhen) {
        h.spawn(new Task(8, "binder"), Seq.of(act(t -> assertTrue(mm.binderAllocMutex.trylock(t))), waitUntil(releaseWhen),
                act(t -> mm.binderAllocMutex.unlock(t))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void binderMutexTrylockFailureSkipsAndDropsTheVmaLock(Harness harness) {
        setUp(harness);
        allocMutexHolder(() -> readerDone);
        h.spawn(new Task(1, "shrinker"), Seq.of(waitUntil(() -> mm.binderAllocMutex.owner() != null),
                t -> t.ops().otherRead.init(mm, 0x10000, 1000, Policy.ReaderStrategy.TRYLOCK_SKIP, false),
                act(t -> ret[0] = t.ret), act(t -> ret[1] = t.reason), act(t -> readerDone = true)));
        h.runAll();
        assertEquals(OtherRead.SKIPPED, ret[0]);
        assertEquals(Reason.MUTEX_TRYLOCK_FAILED, ret[1]);
        assertEquals(1, v.refcnt(), "vma_end_read on the err_get_alloc_mutex_failed path");
        assertEquals(List.of(), h.shapes(1), "no mmap_lock");
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void binderBeforeMutexFailureUnderTheMmapFallbackDropsMmapLock(Harness harness) {
        setUp(harness);
        v.setRefcntForTest(Vma.VM_REFCNT_LIMIT); // lock_vma_under_rcu fails (overflow): mmap_read_trylock fallback
        allocMutexHolder(() -> readerDone);
        h.spawn(new Task(1, "shrinker"), Seq.of(waitUntil(() -> mm.binderAllocMutex.owner() != null),
                t -> t.ops().otherRead.init(mm, 0x10000, 1000, Policy.ReaderStrategy.VMA_THEN_MMAP_TRYLOCK_SKIP, false),
                act(t -> ret[0] = t.ret), act(t -> ret[1] = t.reason), act(t -> readerDone = true)));
        h.runAll();
        assertEquals(OtherRead.SKIPPED, ret[0]);
        assertEquals(Reason.MUTEX_TRYLOCK_FAILED, ret[1]);
        assertEquals(List.of("start w0", "acq w0 1", "rel w0"), h.shapes(1), "mmap_read_unlock when mm_locked");
        assertEquals(0, mm.mmapLock.rwsem.count());
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void binderZapsHoldingTheVmaLockAndTheMutexThenDropsBoth(Harness harness) {
        setUp(harness);
        Task[] ownerDuringZap = new Task[1];
        int[] refcntDuringZap = new int[1];
        h.spawn(new Task(1, "shrinker"), Seq.of(t -> t.ops().otherRead.init(mm, 0x10000, 1000, Policy.ReaderStrategy.TRYLOCK_SKIP,
                false), act(t -> ret[0] = t.ret), act(t -> readerDone = true)));
        h.spawn(new Task(2, "observer"), Seq.of(waitUntil(() -> mm.binderAllocMutex.owner() != null || readerDone), act(t -> {
            ownerDuringZap[0] = mm.binderAllocMutex.owner();
            refcntDuringZap[0] = v.refcnt();
        })));
        h.runAll();
        assertEquals(OtherRead.DONE_OK, ret[0]);
        if (ownerDuringZap[0] != null) assertEquals(2, refcntDuringZap[0], "the mutex is only held under the VMA lock");
        assertNull(mm.binderAllocMutex.owner(), "mutex_unlock");
        assertEquals(1, v.refcnt());
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @Test
    void binderMutexIsHeldDuringTheZapInVirtualTime() {
        setUp(new Harness.Sim());
        Task[] owner = new Task[1];
        Task shrinker = h.spawn(new Task(1, "shrinker"), Seq.of(t -> t.ops().otherRead.init(mm, 0x10000, 1000,
                Policy.ReaderStrategy.VMA_THEN_MMAP_TRYLOCK_SKIP, false)));
        ((Harness.Sim) h).s.spawn(new Task(2, "observer"), Seq.of(act(t -> owner[0] = mm.binderAllocMutex.owner())), 500);
        h.runAll();
        assertSame(shrinker, owner[0], "alloc->mutex held across the 1 µs zap");
        assertNull(mm.binderAllocMutex.owner());
    }

    // ---- bpf stackmap build id (kernel/bpf/stackmap.c) under (i) unconditional per-VMA locks --------------
    private Task stackmap(boolean configPerVmaLock, BooleanSupplier after) {
        return h.spawn(new Task(1, "perf"), Seq.of(waitUntil(after),
                t -> t.ops().stackMapBuildId.init(mm, 0x10000, configPerVmaLock, 1000), act(t -> ret[0] = t.ret),
                act(t -> ret[1] = t.reason), act(t -> readerDone = true)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void stackmapWithPerVmaLocksUsesTheVmaLockAndDropsIt(Harness harness) {
        setUp(harness);
        stackmap(StackMapBuildId.configPerVmaLock(Policy.vmaRefcount()), () -> true);
        h.runAll();
        assertEquals(0, ret[0]);
        assertEquals(List.of(), h.shapes(1), "lock_vma_under_rcu: no mmap_lock");
        assertEquals(1, v.refcnt());
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void stackmapFallsBackToTheIpWhenAWriterHoldsMmapLock(Harness harness) {
        setUp(harness);
        writer(() -> readerDone); // never a blocking mmap_read_lock: the BPF program may hold it
        stackmap(true, () -> VmaLock.isWriteLocked(v));
        h.runAll();
        assertEquals(-1, ret[0]);
        assertEquals(Reason.MMAP_TRYLOCK_FAILED, ret[1]);
        assertEquals(List.of("start w0", "acq w0 0"), h.shapes(1));
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void stackmapWithoutPerVmaLocksHoldsMmapLockAcrossTheRead(Harness harness) {
        setUp(harness);
        mm = h.mm(VmaLockDesign.NONE);
        v = mm.addVma(0x10000, 0x20000);
        stackmap(StackMapBuildId.configPerVmaLock(Policy.noVmaLock()), () -> true);
        h.runAll();
        assertEquals(0, ret[0]);
        assertEquals(List.of("start w0", "acq w0 1", "rel w0"), h.shapes(1), "the stub returns NULL; mmap_read_trylock");
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void stackmapUnderUnconditionalPerVmaLocksUnlocksMmapLockItNeverTookAndLeaksTheVmaLock(Harness harness) {
        setUp(harness);
        Policy p = Policy.unconditionalPerVma();
        assertFalse(StackMapBuildId.configPerVmaLock(p), "the series removes CONFIG_PER_VMA_LOCK");
        assertEquals(VmaLockDesign.REFCOUNT, p.effectiveDesign(), "but lock_vma_under_rcu is real");
        stackmap(StackMapBuildId.configPerVmaLock(p), () -> true);
        h.runAll();
        assertEquals(1, h.findings.defects(), h.findings::toString);
        Finding f = h.findings.list().get(0);
        assertEquals(Findings.DEFECT, f.invariant());
        assertTrue(f.detail().startsWith(StackMapBuildId.DEFECT_TEXT), f.detail());
        assertEquals(1, f.tid());
        assertEquals(2, v.refcnt(), "the VMA read lock is leaked");
        assertEquals(0, mm.mmapLock.rwsem.count(), "the model does not corrupt the rwsem");
        assertEquals(List.of("rel w0"), h.shapes(1), "an unmatched mmap_lock_released: nothing was taken");
        assertEquals("7-vma-lock-held-on-return", h.findings.list().get(1).invariant(), h.findings::toString);
    }

    @Test
    void stackmapsLeakedVmaLockBlocksALaterMunmapForever() {
        setUp(new Harness.Sim());
        stackmap(false, () -> true);
        ((Harness.Sim) h).s.spawn(new Task(9, "munmap"), Seq.of(t -> t.ops().writeSection.init(mm,
                new WriteSection.Spec().lock(v).detach(v))), 10_000);
        ((Harness.Sim) h).s.run();
        assertEquals(List.of("munmap-9: program mmap write section vma_start_write"),
                ((Harness.Sim) h).s.stuck().stream().map(SimScheduler::describe).toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void stackmapWithItsIfdefsRemovedIsCleanUnderUnconditionalPerVmaLocks(Harness harness) {
        setUp(harness);
        stackmap(true, () -> true); // the fix: always vma_end_read
        h.runAll();
        assertEquals(0, ret[0]);
        assertEquals(1, v.refcnt());
        assertEquals(0, h.findings.total(), h.findings::toString);
    }
}
