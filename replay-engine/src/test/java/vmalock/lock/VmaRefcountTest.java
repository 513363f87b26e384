package vmalock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One test per row of spec §2.1 (vm_refcnt states and transitions) and §2.2 (rwsem design). */
class VmaRefcountTest {
    static final int FLAG = Vma.VM_REFCNT_EXCLUDE_READERS_FLAG;
    Stepper d;
    Mm mm;
    Vma v;
    Task w, r1, r2;

    @BeforeEach
    void setUp() {
        d = new Stepper();
        mm = new Mm(0x1000, null);
        v = mm.addVma(0x10000, 0x20000);
        w = d.task(1);
        r1 = d.task(2);
        r2 = d.task(3);
    }

    private void writeLock() {
        assertTrue(d.start(w, w.ops().mmapWriteLock.init(mm, true)));
    }

    private boolean read(Task t) {
        assertTrue(d.start(t, new VmaLock.StartRead().init(mm, v)));
        return t.retObj == v;
    }

    @Test
    void constants() {
        assertEquals(1 << 30, FLAG);
        assertEquals(FLAG - 1, Vma.VM_REFCNT_LIMIT);
        assertEquals(-1, new Vma(mm, 0, 4096).lockSeq(), "vm_lock_seq starts at UINT_MAX");
        assertEquals(0, new Vma(mm, 0, 4096).refcnt(), "a new VMA is detached");
    }

    @Test
    void attachedNoReadersIsOneAndReadersAddOne() {
        assertEquals(1, v.refcnt());
        assertTrue(read(r1));
        assertTrue(read(r2));
        assertEquals(3, v.refcnt(), "1 + n readers");
        VmaLock.endRead(r1, v);
        VmaLock.endRead(r2, v);
        assertEquals(1, v.refcnt());
        assertEquals(0, d.findings.total(), d.findings::toString);
    }

    @Test
    void detachedCannotBeIncrementedEagain() {
        Vma fresh = new Vma(mm, 0x30000, 0x40000);
        assertTrue(d.start(r1, new VmaLock.StartRead().init(mm, fresh)));
        assertNull(r1.retObj);
        assertEquals(-VmaLock.EAGAIN, r1.ret);
        assertEquals(Reason.DETACHED, r1.reason);
        assertEquals(0, fresh.refcnt());
    }

    @Test
    void writerExcludesReadersAndWaitsForThemToDrain() {
        assertTrue(read(r1));
        assertTrue(read(r2));
        writeLock();
        assertFalse(d.start(w, w.ops().vmaStartWrite.init(v, false)), "writer must wait for two readers");
        assertEquals(FLAG + 1 + 2, v.refcnt(), "FLAG+1+n");
        assertSame(w, mm.vmaWriterWait);
        // a new reader fails: the capped increment sees ≥ LIMIT (flag set)
        Task r3 = d.task(4);
        assertTrue(d.start(r3, new VmaLock.StartRead().init(mm, v)));
        assertNull(r3.retObj);
        assertEquals(Reason.EXCLUDED, r3.reason);
        int wakes = d.wakes;
        VmaLock.endRead(r1, v);
        assertEquals(FLAG + 2, v.refcnt());
        assertEquals(wakes, d.wakes, "FLAG+2 is not writer-only: no wake-up");
        VmaLock.endRead(r2, v);
        assertEquals(FLAG + 1, v.refcnt());
        assertEquals(wakes + 1, d.wakes, "FLAG+1: the last reader wakes vma_writer_wait");
        assertTrue(d.resume(w, 100));
        assertEquals(1, v.refcnt(), "back to 1; only the seq keeps readers out");
        assertEquals(mm.mmLockSeq(), v.lockSeq());
        assertTrue(VmaLock.isWriteLocked(v));
        assertNull(mm.vmaWriterWait);
        assertEquals(0, d.findings.total(), d.findings::toString);
    }

    @Test
    void writerExclusiveWithNoReadersIsImmediate() {
        writeLock();
        assertTrue(d.start(w, w.ops().vmaStartWrite.init(v, false)));
        assertEquals(1, v.refcnt());
        assertTrue(VmaLock.isWriteLocked(v));
        assertTrue(d.start(w, w.ops().vmaStartWrite.init(v, false)), "already write-locked in this section: return");
        assertEquals(1, v.refcnt());
    }

    @Test
    void writeLockedVmaFailsReadersAtTheEarlyCheck() {
        writeLock();
        assertTrue(d.start(w, w.ops().vmaStartWrite.init(v, false)));
        assertFalse(read(r1));
        assertEquals(Reason.WRITE_LOCKED_EARLY, r1.reason);
        assertEquals(1, v.refcnt(), "no reference taken");
        mm.mmapLock.writeUnlock(w);
        assertFalse(VmaLock.isWriteLocked(v), "unlock ends every VMA write lock (seq++)");
        assertTrue(read(r1));
    }

    @Test
    void lateCheckCatchesAWriterThatLockedAfterTheEarlyCheck() {
        VmaLock.StartRead sr = new VmaLock.StartRead().init(mm, v);
        r1.call(sr);
        assertFalse(d.resume(r1, 1), "step 1: early check passes");
        writeLock();
        assertTrue(d.start(w, w.ops().vmaStartWrite.init(v, false)));
        assertTrue(d.resume(r1, 10));
        assertNull(r1.retObj);
        assertEquals(Reason.WRITE_LOCKED_LATE, r1.reason);
        assertEquals(1, v.refcnt(), "the transient increment was put back");
    }

    @Test
    void transientReaderIncrementOnAWriteLockedVma() {
        writeLock();
        assertTrue(d.start(w, w.ops().vmaStartWrite.init(v, false)));
        // a reader that passed the early check before the lock bumps refcnt transiently
        VmaLock.StartRead sr = new VmaLock.StartRead().init(mm, v);
        r1.call(sr);
        v.vmLockSeq = Vma.SEQ_INIT; // let it pass the early check ...
        assertFalse(d.resume(r1, 2));
        v.vmLockSeq = mm.mmLockSeq(); // ... the lock is visible again at the late check
        assertEquals(2, v.refcnt(), "1 + a transient reader");
        assertTrue(d.resume(r1, 10));
        assertEquals(Reason.WRITE_LOCKED_LATE, r1.reason);
        assertEquals(1, v.refcnt());
    }

    @Test
    void vmMmMismatchPutsTheReference() {
        Mm other = new Mm(0x2000, null);
        VmaLock.StartRead sr = new VmaLock.StartRead().init(mm, v);
        r1.call(sr);
        assertFalse(d.resume(r1, 2));
        v.vmMm = other; // SLAB_TYPESAFE_BY_RCU: recycled for another mm
        assertTrue(d.resume(r1, 10));
        assertEquals(Reason.MM_MISMATCH, r1.reason);
        assertEquals(1, v.refcnt());
    }

    @Test
    void readerFailsAtTheLimitWithoutTheFlag() {
        v.setRefcntForTest(Vma.VM_REFCNT_LIMIT - 1);
        assertTrue(read(r1), "LIMIT-1 → LIMIT is allowed");
        assertEquals(Vma.VM_REFCNT_LIMIT, v.refcnt());
        assertFalse(read(r2));
        assertEquals(Reason.OVERFLOW, r2.reason);
        assertEquals(-1, r2.ret, "NULL, not -EAGAIN");
        // vma_start_read_locked fails only on overflow, too
        assertTrue(d.start(r2, r2.ops().mmapReadLock.init(mm, false, true)));
        assertFalse(VmaLock.startReadLocked(r2, v));
        VmaLock.endRead(r1, v);
        assertTrue(VmaLock.startReadLocked(r2, v));
        VmaLock.endRead(r2, v);
        mm.mmapLock.readUnlock(r2);
    }

    @Test
    void startReadLockedIgnoresTheWriterSeq() {
        assertTrue(d.start(r1, r1.ops().mmapReadLock.init(mm, false, true)));
        assertTrue(VmaLock.startReadLocked(r1, v));
        assertEquals(2, v.refcnt());
        VmaLock.endRead(r1, v);
        mm.mmapLock.readUnlock(r1);
        assertEquals(0, d.findings.total(), d.findings::toString);
    }

    @Test
    void killableWriterGivesUpAndRemovesTheFlag() {
        assertTrue(read(r1));
        writeLock();
        assertFalse(d.start(w, w.ops().vmaStartWrite.init(v, true)));
        assertEquals(FLAG + 2, v.refcnt());
        w.fatalSignal = true;
        assertTrue(d.resume(w, 10));
        assertEquals(-4, w.ret);
        assertEquals(2, v.refcnt());
        assertFalse(VmaLock.isWriteLocked(v));
        VmaLock.endRead(r1, v);
    }

    @Test
    void writerOnADetachedVmaJustSetsTheSeq() {
        Vma fresh = new Vma(mm, 0x30000, 0x40000);
        writeLock();
        assertTrue(d.start(w, w.ops().vmaStartWrite.init(fresh, false)));
        assertEquals(0, fresh.refcnt());
        assertTrue(VmaLock.isWriteLocked(fresh));
        VmaLock.markAttached(w, fresh);
        assertEquals(1, fresh.refcnt(), "attach: 0 → 1");
        assertEquals(0, d.findings.total(), d.findings::toString);
    }

    @Test
    void detachWithoutReadersGoesStraightToZero() {
        writeLock();
        assertTrue(d.start(w, w.ops().vmaStartWrite.init(v, false)));
        assertTrue(d.start(w, w.ops().vmaMarkDetached.init(v)));
        assertEquals(0, v.refcnt());
        assertEquals(0, d.findings.total(), d.findings::toString);
    }

    @Test
    void detachWaitsForATransientReaderFlagPlusNToFlag() {
        writeLock();
        assertTrue(d.start(w, w.ops().vmaStartWrite.init(v, false)));
        // transient reader: incremented before it saw the lock
        v.addRefcnt(1);
        assertFalse(d.start(w, w.ops().vmaMarkDetached.init(v)));
        assertEquals(FLAG + 1, v.refcnt(), "FLAG + n (n = 1 transient)");
        VmaLock.refcountPut(r1, v); // the transient reader backs off: FLAG → wake
        assertEquals(FLAG, v.refcnt());
        assertTrue(d.resume(w, 10));
        assertEquals(0, v.refcnt(), "detached");
    }

    @Test
    void checkerFlagsAVmaEndReadWithoutARead() {
        VmaLock.endRead(r1, v);
        assertEquals("7-unmatched-vma_end_read", d.findings.list().get(0).invariant());
    }

    @Test
    void memoryCostPerVma() {
        assertEquals(40, VmaLockDesign.RWSEM.lockBytes);
        assertEquals(4, VmaLockDesign.REFCOUNT.lockBytes);
        assertEquals(256, VmaLockDesign.RWSEM.vmaStructBytes);
        assertEquals(192, VmaLockDesign.REFCOUNT.vmaStructBytes);
        assertEquals(40_000, VmaLockDesign.RWSEM.lockBytes(1000));
        assertEquals(296_000, VmaLockDesign.RWSEM.totalBytes(1000));
        assertEquals(192_000, VmaLockDesign.REFCOUNT.totalBytes(1000));
    }

    // ---- rwsem design (6.4–6.14) ------------------------------------------------------------
    @Test
    void rwsemDesignReaderFailsWhileAWriterIsQueuedOnTheVmaLock() {
        Mm old = new Mm(0x3000, VmaLockDesign.RWSEM, null, new VmEvents(), Mm.DEFAULT_MMAP_LOCK_OFFSET);
        Vma ov = old.addVma(0x10000, 0x20000);
        assertTrue(d.start(r1, new VmaLock.StartRead().init(old, ov)));
        assertSame(ov, r1.retObj);
        assertTrue(d.start(w, w.ops().mmapWriteLock.init(old, true)));
        assertFalse(d.start(w, w.ops().vmaStartWrite.init(ov, false)), "down_write waits for the reader");
        // spinner gave up? run until queued
        d.now += 1_000_000;
        d.resume(w, 100);
        assertEquals(1, ov.vmLock().queued(), "the writer is queued on the VMA's rwsem");
        assertTrue(d.start(r2, new VmaLock.StartRead().init(old, ov)));
        assertNull(r2.retObj);
        assertEquals(Reason.TRYLOCK_FAILED, r2.reason, "down_read_trylock fails whenever anyone is queued");
        VmaLock.endRead(r1, ov);
        assertTrue(d.resume(w, 100));
        assertEquals(old.mmLockSeq(), ov.lockSeq());
        assertEquals(0, ov.vmLock().count(), "the writer does up_write right after setting the seq");
        assertTrue(VmaLock.isWriteLocked(ov));
        old.mmapLock.writeUnlock(w);
        assertFalse(VmaLock.isWriteLocked(ov));
        assertEquals(1, old.mmLockSeq(), "6.4–6.13: the int is bumped only by unlock");
    }
}
