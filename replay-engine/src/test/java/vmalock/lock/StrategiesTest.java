package vmalock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vmalock.lock.Harness.act;
import static vmalock.lock.Harness.waitUntil;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vmalock.event.EventKind;

/** The acquisition strategies of spec §6 (d)–(i). */
class StrategiesTest {
    Harness.Sim h;
    Mm mm;
    Vma v;
    Object[] got = new Object[2];
    long[] ret = new long[2];

    @BeforeEach
    void setUp() {
        h = new Harness.Sim();
        mm = h.mm(VmaLockDesign.REFCOUNT);
        v = mm.addVma(0x10000, 0x20000);
    }

    /** A writer holding mmap write with v write-locked for 10 µs, starting at t=0. */
    private void writer() {
        h.spawn(new Task(9, "writer"), Seq.of(t -> t.ops().writeSection.init(mm, new WriteSection.Spec().lock(v).hold(10_000))));
    }

    private Task reader(Op op, boolean afterWriter) {
        return h.spawn(new Task(1, "r"), Seq.of(afterWriter ? waitUntil(() -> VmaLock.isWriteLocked(v)) : act(t -> { }),
                t -> op, act(t -> {
                    got[0] = t.retObj;
                    ret[0] = t.ret;
                    if (t.retObj instanceof Vma) VmaLock.endRead(t, (Vma) t.retObj);
                })));
    }

    @Test
    void rcuWaitWaitsOutTheWriterAndCountsItsRetry() {
        writer();
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

    @Test
    void rcuWaitReturnsCleanlyOnAnAddressWithNoVma() {
        LockVmaUnderRcuWait op = new LockVmaUnderRcuWait();
        reader(op.init(mm, 0x90000), false);
        h.runAll();
        assertNull(got[0]);
        assertEquals(0, op.retries());
        assertEquals(List.of("start w0", "acq w0 1", "rel w0"), h.shapes(1));
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @Test
    void startReadUnlockedV2ReportsTheNullDereferenceOnTheFirstSlowPathEntry() {
        writer();
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
        assertEquals(10_000, f.timeNs(), "reported when the slow path got the (untraced) guard, after the writer");
        assertEquals(List.of("cb 2", "ce 0"), h.shapes(1), "guard(rwsem_read): contention events, no mmap_lock events");
        assertEquals(0, h.findings.violations(), h.findings::toString);
    }

    @Test
    void startReadUnlockedFixedWaitsAndReturnsTheVmaWithoutFallback() {
        writer();
        VmaStartReadUnlocked op = new VmaStartReadUnlocked();
        reader(op.init(mm, 0x10000, false, false), true);
        h.runAll();
        assertSame(v, got[0]);
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @Test
    void startReadUnlockedFixedReturnsCleanlyOnNoVma() {
        VmaStartReadUnlocked op = new VmaStartReadUnlocked();
        reader(op.init(mm, 0x90000, false, true), false);
        h.runAll();
        assertNull(got[0]);
        assertEquals(0, h.findings.total(), h.findings::toString);
        assertEquals(List.of("start w0", "acq w0 1", "rel w0"), h.shapes(1), "traced guard variant");
    }

    @Test
    void trylockOnlySkipsWithoutTouchingMmapLock() {
        writer();
        reader(new OtherRead().init(mm, 0x10000, 1000, Policy.ReaderStrategy.TRYLOCK_SKIP, false), true);
        h.runAll();
        assertEquals(OtherRead.SKIPPED, ret[0]);
        assertEquals(List.of(), h.shapes(1), "LRU_SKIP: no wait, no mmap_lock");
    }

    @Test
    void binderBeforeFallsBackToMmapTrylockThenSkips() {
        writer();
        reader(new OtherRead().init(mm, 0x10000, 1000, Policy.ReaderStrategy.VMA_THEN_MMAP_TRYLOCK_SKIP, false), true);
        h.runAll();
        assertEquals(OtherRead.SKIPPED, ret[0]);
        assertEquals(List.of("start w0", "acq w0 0"), h.shapes(1));
    }

    @Test
    void binderBeforeUsesMmapTrylockWhenTheVmaLockFailsForAnotherReason() {
        v.setRefcntForTest(Vma.VM_REFCNT_LIMIT);
        reader(new OtherRead().init(mm, 0x10000, 1000, Policy.ReaderStrategy.VMA_THEN_MMAP_TRYLOCK_SKIP, false), false);
        h.runAll();
        assertEquals(OtherRead.DONE_OK, ret[0]);
        assertEquals(List.of("start w0", "acq w0 1", "rel w0"), h.shapes(1));
    }

    @Test
    void remoteReadBaselineHoldsMmapLockForTheWholeTransfer() {
        RemoteRead op = new RemoteRead();
        h.spawn(new Task(1, "cat"), Seq.of(t -> op.init(mm, 0x10000, 3 * 4096, 1000, Policy.vmaRefcount())));
        h.runAll();
        assertEquals(List.of("start w0", "acq w0 1", "rel w0"), h.shapes(1));
        assertEquals(3000, h.s.now());
        assertEquals(0, op.fastPages());
    }

    @Test
    void remoteReadFastPathStaysOffMmapLockInsideOnePresentVma() {
        RemoteRead op = new RemoteRead();
        h.spawn(new Task(1, "cat"), Seq.of(t -> op.init(mm, 0x10000, 3 * 4096, 1000, Policy.remoteVmaLock())));
        h.runAll();
        assertEquals(List.of(), h.shapes(1));
        assertEquals(3, op.fastPages());
        assertFalse(op.fellBack());
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @Test
    void remoteReadFastPathFallsBackWhenTheRangeSpansTwoVmas() {
        mm.addVma(0x20000, 0x30000);
        RemoteRead op = new RemoteRead();
        h.spawn(new Task(1, "cat"), Seq.of(t -> op.init(mm, 0x1f000, 2 * 4096, 1000, Policy.remoteVmaLock())));
        h.runAll();
        assertTrue(op.fellBack());
        assertEquals(0, op.fastPages());
        assertEquals(List.of("start w0", "acq w0 1", "rel w0"), h.shapes(1));
    }

    @Test
    void remoteReadFastPathFallsBackOnANonPresentPage() {
        v.populated = false;
        RemoteRead op = new RemoteRead();
        h.spawn(new Task(1, "cat"), Seq.of(t -> op.init(mm, 0x10000, 4096, 1000, Policy.remoteVmaLock())));
        h.runAll();
        assertTrue(op.fellBack());
    }

    @Test
    void remoteFastPathDoesNotWaitForAWriterOfAnotherVma() {
        Vma other = mm.addVma(0x40000, 0x50000);
        h.spawn(new Task(9, "writer"), Seq.of(t -> t.ops().writeSection.init(mm, new WriteSection.Spec().lock(other).hold(50_000))));
        RemoteRead op = new RemoteRead();
        h.spawn(new Task(1, "cat"), Seq.of(waitUntil(() -> mm.mmapLock.rwsem.writeLocked()),
                t -> op.init(mm, 0x10000, 4096, 1000, Policy.remoteVmaLock()), act(t -> ret[0] = t.driver().now())));
        h.runAll();
        assertTrue(ret[0] < 10_000, "finished while the writer still held mmap_lock: " + ret[0]);
    }

    @Test
    void unconditionalPerVmaLocksIgnoreTheSmpRestriction() {
        assertEquals(VmaLockDesign.NONE, Policy.vmaRefcount().withSmp(false).effectiveDesign());
        assertEquals(VmaLockDesign.REFCOUNT, Policy.unconditionalPerVma().withSmp(false).effectiveDesign());
        assertEquals(VmaLockDesign.REFCOUNT, Policy.vmaRefcount().effectiveDesign());
    }

    @Test
    void faultUnderRcuWaitPolicyNeverFallsBackForAWriter() {
        writer();
        Fault f = new Fault().set(0x10000, true, 500);
        h.spawn(new Task(1, "f"), Seq.of(waitUntil(() -> VmaLock.isWriteLocked(v)),
                t -> t.ops().userFault.init(mm, f, Policy.rcuWait()), act(t -> ret[0] = t.ret)));
        h.runAll();
        assertEquals(UserFault.HANDLED_VMA, ret[0]);
        assertEquals(1, mm.vmEvents.success());
        assertEquals(1, h.count(EventKind.MMAP_LOCK_RELEASED) - 1, "one read section (waiting) besides the writer's");
    }

    @Test
    void blockingMmapAcquireWhileHoldingAVmaReadLockIsFlagged() {
        h.spawn(new Task(1, "bad"), Seq.of(t -> t.ops().lockVmaUnderRcu.init(mm, 0x10000),
                t -> t.ops().mmapReadLock.init(mm, false, true), act(t -> mm.mmapLock.readUnlock(t)),
                act(t -> VmaLock.endRead(t, v))));
        h.runAll();
        assertEquals("9-blocking-mmap-acquire-under-vma-read", h.findings.list().get(0).invariant());
    }
}
