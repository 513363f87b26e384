package vmalock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every lock_vma_under_rcu outcome of spec §3 and the counter it bumps. */
class LockVmaUnderRcuTest {
    Stepper d;
    Mm mm;
    Vma v;
    Task w, r;

    @BeforeEach
    void setUp() {
        d = new Stepper();
        mm = new Mm(0x1000, null);
        v = mm.addVma(0x10000, 0x20000);
        w = d.task(1);
        r = d.task(2);
    }

    private void counters(long success, long abort, long retry, long miss) {
        VmEvents e = mm.vmEvents;
        assertEquals(success + "/" + abort + "/" + retry + "/" + miss,
                e.success() + "/" + e.abort() + "/" + e.retry() + "/" + e.miss(), "success/abort/retry/miss");
    }

    @Test
    void successReturnsTheVmaReadLockedAndCountsNothing() {
        assertTrue(d.start(r, r.ops().lockVmaUnderRcu.init(mm, 0x10000)));
        assertSame(v, r.retObj);
        assertEquals(2, v.refcnt());
        assertTrue(r.holdsVmaRead(v));
        counters(0, 0, 0, 0); // SUCCESS is counted by the fault handler, not here
        VmaLock.endRead(r, v);
    }

    @Test
    void noVmaIsAbortNotMiss() {
        assertTrue(d.start(r, r.ops().lockVmaUnderRcu.init(mm, 0x20000)));
        assertNull(r.retObj);
        assertEquals(Reason.NO_VMA, r.reason);
        counters(0, 1, 0, 0);
    }

    @Test
    void writeLockedIsAbort() {
        assertTrue(d.start(w, w.ops().mmapWriteLock.init(mm, true)));
        assertTrue(d.start(w, w.ops().vmaStartWrite.init(v, false)));
        assertTrue(d.start(r, r.ops().lockVmaUnderRcu.init(mm, 0x10000)));
        assertNull(r.retObj);
        assertEquals(Reason.WRITE_LOCKED_EARLY, r.reason);
        counters(0, 1, 0, 0);
    }

    @Test
    void overflowIsAbort() {
        v.setRefcntForTest(Vma.VM_REFCNT_LIMIT);
        assertTrue(d.start(r, r.ops().lockVmaUnderRcu.init(mm, 0x10000)));
        assertEquals(Reason.OVERFLOW, r.reason);
        counters(0, 1, 0, 0);
    }

    @Test
    void detachedAfterLookupIsMissAndRetriesFromTheWalk() {
        LockVmaUnderRcu op = r.ops().lockVmaUnderRcu.init(mm, 0x10000);
        r.call(op);
        assertFalse(d.resume(r, 1), "walked the tree, found v; about to vma_start_read");
        // munmap + mmap replace v by v2 at the same address
        assertTrue(d.start(w, w.ops().mmapWriteLock.init(mm, true)));
        assertTrue(d.start(w, w.ops().vmaStartWrite.init(v, false)));
        assertTrue(d.start(w, w.ops().vmaMarkDetached.init(v)));
        mm.erase(w, v);
        Vma v2 = new Vma(mm, 0x10000, 0x20000);
        assertTrue(d.start(w, w.ops().vmaStartWrite.init(v2, false)));
        mm.insert(w, v2);
        VmaLock.markAttached(w, v2);
        mm.mmapLock.writeUnlock(w);
        assertTrue(d.resume(r, 100));
        assertSame(v2, r.retObj, "the retry found the replacement");
        assertEquals(1, op.misses());
        counters(0, 0, 0, 1);
        VmaLock.endRead(r, v2);
        assertEquals(0, d.findings.total(), d.findings::toString);
    }

    @Test
    void vmaShrankAfterLookupIsAbortAfterVmaEndRead() {
        LockVmaUnderRcu op = r.ops().lockVmaUnderRcu.init(mm, 0x18000);
        r.call(op);
        assertFalse(d.resume(r, 1));
        assertTrue(d.start(w, w.ops().mmapWriteLock.init(mm, true)));
        assertTrue(d.start(w, w.ops().vmaStartWrite.init(v, false)));
        mm.setRange(w, v, 0x10000, 0x14000);
        mm.mmapLock.writeUnlock(w);
        assertTrue(d.resume(r, 100));
        assertNull(r.retObj);
        assertEquals(Reason.RANGE, r.reason);
        assertEquals(1, v.refcnt(), "vma_end_read ran");
        counters(0, 1, 0, 0);
    }

    @Test
    void vmMmMismatchIsAbort() {
        LockVmaUnderRcu op = r.ops().lockVmaUnderRcu.init(mm, 0x10000);
        r.call(op);
        assertFalse(d.resume(r, 3)); // walk, early check, increment
        v.vmMm = new Mm(0x2000, null);
        assertTrue(d.resume(r, 100));
        assertEquals(Reason.MM_MISMATCH, r.reason);
        counters(0, 1, 0, 0);
    }

    @Test
    void noPerVmaLocksIsAStubThatCountsNothing() {
        Mm none = new Mm(0x3000, VmaLockDesign.NONE, null, new VmEvents(), 0);
        none.addVma(0x10000, 0x20000);
        assertTrue(d.start(r, r.ops().lockVmaUnderRcu.init(none, 0x10000)));
        assertNull(r.retObj);
        assertEquals(Reason.NO_VMA_LOCK, r.reason);
        assertEquals(0, none.vmEvents.abort() + none.vmEvents.miss());
    }

    @Test
    void rwsemDesignDetachedAfterLockingIsMissAndRetry() {
        Mm old = new Mm(0x3000, VmaLockDesign.RWSEM, null, new VmEvents(), 0);
        Vma ov = old.addVma(0x10000, 0x20000);
        LockVmaUnderRcu op = r.ops().lockVmaUnderRcu.init(old, 0x10000);
        r.call(op);
        assertFalse(d.resume(r, 4)); // walk + early check + trylock + late check: locked, not yet checked detached
        ov.detached = true; // isolated (the model lets us flip it to hit the 6.4 window)
        old.erase(w, ov);
        assertTrue(d.resume(r, 100));
        assertNull(r.retObj, "retry walks again and finds nothing");
        assertEquals(1, old.vmEvents.miss());
        assertEquals(1, old.vmEvents.abort());
        assertEquals(0, ov.vmLock().count(), "vma_end_read ran before the retry");
    }
}
