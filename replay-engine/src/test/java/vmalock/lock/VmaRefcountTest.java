package vmalock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vmalock.lock.Harness.act;
import static vmalock.lock.Harness.kill;
import static vmalock.lock.Harness.op;
import static vmalock.lock.Harness.waitUntil;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One test per row of spec §2.1 (vm_refcnt states and transitions) and §2.2 (rwsem design), each run
 * on the simulator and on real threads. Tasks order themselves by handshakes on the lock state (and
 * {@link Paused} holds a task between two steps of an algorithm); a lost wake-up fails the run (the
 * simulator's stuck check, the thread driver's watchdog) instead of hanging.
 */
class VmaRefcountTest {
    static final int FLAG = Vma.VM_REFCNT_EXCLUDE_READERS_FLAG;

    static Stream<Harness> drivers() {
        return Harness.both();
    }

    private static Function<Task, Op> startRead(Mm mm, Vma v) {
        return t -> new VmaLock.StartRead().init(mm, v);
    }

    /** Records the last op's result as NAME=vma|null, NAME.reason, NAME.ret. */
    private static Function<Task, Op> result(Harness h, String name) {
        return act(t -> {
            h.seen.put(name, t.retObj == null ? "null" : "vma");
            h.seen.put(name + ".reason", Reason.name(t.reason));
            h.seen.put(name + ".ret", t.ret);
        });
    }

    private static Function<Task, Op> writeLock(Mm mm) {
        return t -> t.ops().mmapWriteLock.init(mm, true);
    }

    private static Function<Task, Op> vmaStartWrite(Vma v, boolean killable) {
        return t -> t.ops().vmaStartWrite.init(v, killable);
    }

    private static void clean(Harness h) {
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @Test
    void constants() {
        Mm mm = new Mm(0x1000, null);
        assertEquals(1 << 30, FLAG);
        assertEquals(FLAG - 1, Vma.VM_REFCNT_LIMIT);
        assertEquals(-1, new Vma(mm, 0, 4096).lockSeq(), "vm_lock_seq starts at UINT_MAX");
        assertEquals(0, new Vma(mm, 0, 4096).refcnt(), "a new VMA is detached");
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void attachedNoReadersIsOneAndReadersAddOne(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        Vma v = mm.addVma(0x10000, 0x20000);
        h.seen.put("before", v.refcnt());
        java.util.concurrent.atomic.AtomicInteger got = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger seenBoth = new java.util.concurrent.atomic.AtomicInteger();
        for (int i = 1; i <= 2; i++) {
            String r = "r" + i;
            h.spawn(new Task(i, r), Seq.of(startRead(mm, v), result(h, r), act(t -> got.incrementAndGet()),
                    waitUntil(() -> got.get() == 2), h.see(r + ".both", v::refcnt), act(t -> seenBoth.incrementAndGet()),
                    waitUntil(() -> seenBoth.get() == 2), act(t -> VmaLock.endRead(t, v))));
        }
        h.runAll();
        assertEquals(1, h.seen.get("before"));
        assertEquals("vma", h.seen.get("r1"));
        assertEquals("vma", h.seen.get("r2"));
        assertEquals(3, h.seen.get("r1.both"), "1 + n readers");
        assertEquals(1, v.refcnt());
        clean(h);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void detachedCannotBeIncrementedEagain(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        Vma fresh = new Vma(mm, 0x30000, 0x40000);
        h.spawn(new Task(1, "r"), Seq.of(startRead(mm, fresh), result(h, "r")));
        h.runAll();
        assertEquals("null", h.seen.get("r"));
        assertEquals((long) -VmaLock.EAGAIN, h.seen.get("r.ret"));
        assertEquals("detached", h.seen.get("r.reason"));
        assertEquals(0, fresh.refcnt());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void writerExcludesReadersAndWaitsForThemToDrain(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        Vma v = mm.addVma(0x10000, 0x20000);
        List<String> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        boolean[] r3done = new boolean[1];
        h.spawn(new Task(1, "r1"), Seq.of(startRead(mm, v), waitUntil(() -> r3done[0]),
                act(t -> VmaLock.endRead(t, v)), act(t -> order.add("r1 end"))));
        h.spawn(new Task(2, "r2"), Seq.of(startRead(mm, v), waitUntil(() -> order.contains("r1 end")),
                h.see("after r1 end", v::refcnt), act(t -> order.add("r2 end")), act(t -> VmaLock.endRead(t, v))));
        h.spawn(new Task(3, "w"), Seq.of(waitUntil(() -> v.refcnt() == 3), writeLock(mm), vmaStartWrite(v, false),
                act(t -> order.add("w locked")), h.see("w.refcnt", v::refcnt), h.see("w.locked", () -> VmaLock.isWriteLocked(v)),
                h.see("w.seq", () -> v.lockSeq() == mm.mmLockSeq()), h.see("w.wait", () -> String.valueOf(mm.vmaWriterWait)),
                act(t -> mm.mmapLock.writeUnlock(t))));
        h.spawn(new Task(4, "r3"), Seq.of(waitUntil(() -> mm.vmaWriterWait != null && v.refcnt() == FLAG + 3),
                h.see("waiting", v::refcnt), startRead(mm, v), result(h, "r3"), act(t -> r3done[0] = true)));
        h.runAll();
        assertEquals(FLAG + 1 + 2, h.seen.get("waiting"), "FLAG+1+n while the writer waits");
        assertEquals("null", h.seen.get("r3"));
        assertEquals("excluded", h.seen.get("r3.reason"), "the capped increment sees ≥ LIMIT (flag set)");
        assertEquals(FLAG + 2, h.seen.get("after r1 end"), "FLAG+2: not writer-only, the writer sleeps on");
        assertEquals(List.of("r1 end", "r2 end", "w locked"), order, "vma_start_write returns after the last reader");
        assertEquals(1, h.seen.get("w.refcnt"), "back to 1; only the seq keeps readers out");
        assertEquals(true, h.seen.get("w.locked"));
        assertEquals(true, h.seen.get("w.seq"));
        assertEquals("null", h.seen.get("w.wait"), "vma_writer_wait cleared");
        assertFalse(VmaLock.isWriteLocked(v), "mmap_write_unlock ended the VMA write lock");
        clean(h);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void writerExclusiveWithNoReadersIsImmediateAndIdempotent(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        Vma v = mm.addVma(0x10000, 0x20000);
        h.spawn(new Task(1, "w"), Seq.of(writeLock(mm), vmaStartWrite(v, false), h.see("first", v::refcnt),
                h.see("locked", () -> VmaLock.isWriteLocked(v)), vmaStartWrite(v, false), h.see("again", v::refcnt),
                act(t -> mm.mmapLock.writeUnlock(t))));
        h.runAll();
        assertEquals(1, h.seen.get("first"));
        assertEquals(true, h.seen.get("locked"));
        assertEquals(1, h.seen.get("again"), "already write-locked in this section: return");
        clean(h);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void writeLockedVmaFailsReadersAtTheEarlyCheck(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        Vma v = mm.addVma(0x10000, 0x20000);
        boolean[] tried = new boolean[1];
        h.spawn(new Task(1, "w"), Seq.of(writeLock(mm), vmaStartWrite(v, false), waitUntil(() -> tried[0]),
                act(t -> mm.mmapLock.writeUnlock(t))));
        h.spawn(new Task(2, "r"), Seq.of(waitUntil(() -> VmaLock.isWriteLocked(v)), startRead(mm, v), result(h, "locked"),
                h.see("refcnt", v::refcnt), act(t -> tried[0] = true), waitUntil(() -> mm.mmapLock.seq() == 2),
                h.see("unlocked", () -> VmaLock.isWriteLocked(v)), startRead(mm, v), result(h, "after"),
                act(t -> VmaLock.endRead(t, v))));
        h.runAll();
        assertEquals("write_locked_early", h.seen.get("locked.reason"));
        assertEquals(1, h.seen.get("refcnt"), "no reference taken");
        assertEquals(false, h.seen.get("unlocked"), "unlock ends every VMA write lock (seq++)");
        assertEquals("vma", h.seen.get("after"));
        clean(h);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void lateCheckCatchesAWriterThatLockedAfterTheEarlyCheck(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        Vma v = mm.addVma(0x10000, 0x20000);
        Paused reader = new Paused(new VmaLock.StartRead().init(mm, v), 1); // early check passed
        h.spawn(new Task(2, "r"), Seq.of(op(reader), result(h, "r")));
        h.spawn(new Task(1, "w"), Seq.of(waitUntil(() -> reader.reached() == 1), writeLock(mm), vmaStartWrite(v, false),
                act(t -> reader.release()), waitUntil(() -> h.seen.containsKey("r")), act(t -> mm.mmapLock.writeUnlock(t))));
        h.runAll();
        assertEquals("null", h.seen.get("r"));
        assertEquals("write_locked_late", h.seen.get("r.reason"));
        assertEquals(1, v.refcnt(), "the transient increment was put back");
        clean(h);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void transientReaderIncrementOnAWriteLockedVma(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        Vma v = mm.addVma(0x10000, 0x20000);
        Paused reader = new Paused(new VmaLock.StartRead().init(mm, v), 1, 2); // before and after the increment
        h.spawn(new Task(2, "r"), Seq.of(op(reader), result(h, "r")));
        h.spawn(new Task(1, "w"), Seq.of(waitUntil(() -> reader.reached() == 1), writeLock(mm), vmaStartWrite(v, false),
                act(t -> reader.release()), waitUntil(() -> reader.reached() == 2), h.see("transient", v::refcnt),
                h.see("locked", () -> VmaLock.isWriteLocked(v)), act(t -> reader.release()),
                waitUntil(() -> h.seen.containsKey("r")), act(t -> mm.mmapLock.writeUnlock(t))));
        h.runAll();
        assertEquals(2, h.seen.get("transient"), "1 + a transient reader on a write-locked VMA");
        assertEquals(true, h.seen.get("locked"));
        assertEquals("write_locked_late", h.seen.get("r.reason"));
        assertEquals(1, v.refcnt());
        clean(h);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void vmMmMismatchPutsTheReference(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        Vma v = mm.addVma(0x10000, 0x20000);
        Mm other = new Mm(0x2000, null);
        Paused reader = new Paused(new VmaLock.StartRead().init(mm, v), 2); // after the increment
        h.spawn(new Task(2, "r"), Seq.of(op(reader), result(h, "r")));
        h.spawn(new Task(1, "slab"), Seq.of(waitUntil(() -> reader.reached() == 1), act(t -> {
            v.vmMm = other; // SLAB_TYPESAFE_BY_RCU: recycled for another mm
            reader.release();
        })));
        h.runAll();
        assertEquals("mm_mismatch", h.seen.get("r.reason"));
        assertEquals(1, v.refcnt());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void readerFailsAtTheLimitWithoutTheFlag(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        Vma v = mm.addVma(0x10000, 0x20000);
        v.setRefcntForTest(Vma.VM_REFCNT_LIMIT - 1);
        h.spawn(new Task(1, "r1"), Seq.of(startRead(mm, v), result(h, "r1"), h.see("at limit", v::refcnt),
                waitUntil(() -> h.seen.containsKey("locked.late")), act(t -> VmaLock.endRead(t, v))));
        h.spawn(new Task(2, "r2"), Seq.of(waitUntil(() -> h.seen.containsKey("at limit")), startRead(mm, v), result(h, "r2"),
                t -> t.ops().mmapReadLock.init(mm, false, true),
                act(t -> h.seen.put("locked", VmaLock.startReadLocked(t, v))), // vma_start_read_locked fails only on overflow
                act(t -> h.seen.put("locked.late", true)), waitUntil(() -> v.refcnt() == Vma.VM_REFCNT_LIMIT - 1),
                act(t -> h.seen.put("locked.after", VmaLock.startReadLocked(t, v))), act(t -> VmaLock.endRead(t, v)),
                act(t -> mm.mmapLock.readUnlock(t))));
        h.runAll();
        assertEquals("vma", h.seen.get("r1"), "LIMIT-1 → LIMIT is allowed");
        assertEquals(Vma.VM_REFCNT_LIMIT, h.seen.get("at limit"));
        assertEquals("overflow", h.seen.get("r2.reason"));
        assertEquals(-1L, h.seen.get("r2.ret"), "NULL, not -EAGAIN");
        assertEquals(false, h.seen.get("locked"));
        assertEquals(true, h.seen.get("locked.after"));
        clean(h);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void startReadLockedIgnoresTheWriterSeq(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        Vma v = mm.addVma(0x10000, 0x20000);
        h.spawn(new Task(1, "r"), Seq.of(t -> t.ops().mmapReadLock.init(mm, false, true),
                act(t -> h.seen.put("ok", VmaLock.startReadLocked(t, v))), h.see("refcnt", v::refcnt),
                act(t -> VmaLock.endRead(t, v)), act(t -> mm.mmapLock.readUnlock(t))));
        h.runAll();
        assertEquals(true, h.seen.get("ok"));
        assertEquals(2, h.seen.get("refcnt"));
        clean(h);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void killableWriterGivesUpAndRemovesTheFlag(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        Vma v = mm.addVma(0x10000, 0x20000);
        Task w = new Task(2, "w");
        // the reader ends its read only after the writer has looked at vm_refcnt (on real threads the two
        // would otherwise race: the reference could be gone before the writer reads it)
        h.spawn(new Task(1, "r"), Seq.of(startRead(mm, v), waitUntil(() -> h.seen.containsKey("locked")),
                act(t -> VmaLock.endRead(t, v))));
        h.spawn(w, Seq.of(waitUntil(() -> v.refcnt() == 2), writeLock(mm), vmaStartWrite(v, true),
                act(t -> h.seen.put("w.ret", t.ret)), h.see("refcnt", v::refcnt), h.see("locked", () -> VmaLock.isWriteLocked(v)),
                act(t -> mm.mmapLock.writeUnlock(t))));
        h.spawn(new Task(3, "kill"), Seq.of(waitUntil(() -> mm.vmaWriterWait == w), h.see("waiting", v::refcnt),
                act(t -> kill(t, w))));
        h.runAll();
        assertEquals(FLAG + 2, h.seen.get("waiting"));
        assertEquals(-4L, h.seen.get("w.ret"));
        assertEquals(2, h.seen.get("refcnt"), "flag removed, the reader's reference stays");
        assertEquals(false, h.seen.get("locked"));
        assertEquals(1, v.refcnt());
        clean(h);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void writerOnADetachedVmaJustSetsTheSeqAndAttachMakesItOne(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        Vma fresh = new Vma(mm, 0x30000, 0x40000);
        h.spawn(new Task(1, "mmap"), Seq.of(writeLock(mm), vmaStartWrite(fresh, false), h.see("refcnt", fresh::refcnt),
                h.see("locked", () -> VmaLock.isWriteLocked(fresh)), act(t -> mm.insert(t, fresh)),
                act(t -> VmaLock.markAttached(t, fresh)), h.see("attached", fresh::refcnt), act(t -> mm.mmapLock.writeUnlock(t))));
        h.runAll();
        assertEquals(0, h.seen.get("refcnt"));
        assertEquals(true, h.seen.get("locked"));
        assertEquals(1, h.seen.get("attached"), "attach: 0 → 1");
        clean(h);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void detachWithoutReadersGoesStraightToZero(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        Vma v = mm.addVma(0x10000, 0x20000);
        h.spawn(new Task(1, "munmap"), Seq.of(writeLock(mm), vmaStartWrite(v, false), t -> t.ops().vmaMarkDetached.init(v),
                act(t -> mm.erase(t, v)), act(t -> mm.mmapLock.writeUnlock(t))));
        h.runAll();
        assertEquals(0, v.refcnt());
        clean(h);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void detachWaitsForATransientReaderFlagPlusNToFlag(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        Vma v = mm.addVma(0x10000, 0x20000);
        Paused reader = new Paused(new VmaLock.StartRead().init(mm, v), 1, 2);
        Task w = new Task(1, "munmap");
        h.spawn(new Task(2, "r"), Seq.of(op(reader), result(h, "r")));
        h.spawn(w, Seq.of(waitUntil(() -> reader.reached() == 1), writeLock(mm), vmaStartWrite(v, false),
                act(t -> reader.release()), waitUntil(() -> reader.reached() == 2), t -> t.ops().vmaMarkDetached.init(v),
                h.see("detached", v::refcnt), act(t -> mm.erase(t, v)), act(t -> mm.mmapLock.writeUnlock(t))));
        h.spawn(new Task(3, "observer"), Seq.of(waitUntil(() -> mm.vmaWriterWait == w), h.see("draining", v::refcnt),
                act(t -> reader.release())));
        h.runAll();
        assertEquals(FLAG + 1, h.seen.get("draining"), "FLAG + n (n = 1 transient reader)");
        assertEquals("write_locked_late", h.seen.get("r.reason"), "the transient reader backs off: FLAG → wake");
        assertEquals(0, h.seen.get("detached"), "detached only after the reader left");
        clean(h);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void checkerFlagsAVmaEndReadWithoutARead(Harness h) {
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        Vma v = mm.addVma(0x10000, 0x20000);
        v.setRefcntForTest(2); // someone else's reference, so the put does not detach
        h.spawn(new Task(1, "bad"), Seq.of(act(t -> VmaLock.endRead(t, v))));
        h.runAll();
        assertEquals("7-unmatched-vma_end_read", h.findings.list().get(0).invariant());
    }

    // ---- rwsem design (6.4–6.14) ------------------------------------------------------------
    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void rwsemDesignReaderFailsWhileAWriterIsQueuedOnTheVmaLock(Harness h) {
        Mm old = h.mm(VmaLockDesign.RWSEM);
        Vma ov = old.addVma(0x10000, 0x20000);
        h.spawn(new Task(1, "r1"), Seq.of(startRead(old, ov), result(h, "r1"), waitUntil(() -> h.seen.containsKey("r2")),
                act(t -> VmaLock.endRead(t, ov))));
        h.spawn(new Task(2, "w"), Seq.of(waitUntil(() -> ov.vmLock().readers() == 1), writeLock(old), vmaStartWrite(ov, false),
                h.see("seq", () -> ov.lockSeq() == old.mmLockSeq()), h.see("count", () -> ov.vmLock().count()),
                h.see("locked", () -> VmaLock.isWriteLocked(ov)), act(t -> old.mmapLock.writeUnlock(t))));
        h.spawn(new Task(3, "r2"), Seq.of(waitUntil(() -> ov.vmLock().queued() == 1), startRead(old, ov), result(h, "r2")));
        h.runAll();
        assertEquals("vma", h.seen.get("r1"));
        assertEquals("trylock_failed", h.seen.get("r2.reason"), "down_read_trylock fails whenever anyone is queued");
        assertEquals(true, h.seen.get("seq"));
        assertEquals(0L, h.seen.get("count"), "the writer does up_write right after setting the seq");
        assertEquals(true, h.seen.get("locked"));
        assertFalse(VmaLock.isWriteLocked(ov));
        assertEquals(1, old.mmLockSeq(), "6.4–6.13: the int is bumped only by unlock");
        clean(h);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void rwsemDesignReaderSeesTheVmaAsItWasLocked(Harness h) {
        Mm old = h.mm(VmaLockDesign.RWSEM);
        Vma ov = old.addVma(0x10000, 0x20000);
        h.spawn(new Task(1, "r"), Seq.of(startRead(old, ov), result(h, "r"), act(t -> VmaLock.endRead(t, ov))));
        h.runAll();
        assertEquals("vma", h.seen.get("r"));
        assertEquals(0, ov.vmLock().count());
        assertSame(ov, old.walk(0x10000));
        assertTrue(h.findings.total() == 0, h.findings::toString);
    }
}
