package vmalock.lock;

/**
 * The per-VMA lock, both designs, written once as step machines (spec §2; include/linux/mmap_lock.h,
 * mm/mmap_lock.c). The design comes from the VMA's mm ({@link Mm#design}).
 *
 * <p><b>Refcount design</b> (≈6.15+): {@code vm_refcnt} is 0 when detached, 1 when attached with no
 * readers, 1+n with n readers (some possibly transient), FLAG+1+n while a writer excludes readers and
 * waits for n to drain, FLAG+1 when the writer is exclusive, FLAG+n → FLAG while a detacher drains.
 * A VMA is write-locked iff {@code vm_lock_seq == mm_lock_seq}.
 *
 * <p><b>Rwsem design</b> (6.4–≈6.14): a separately allocated rw_semaphore and a {@code detached} bool;
 * readers use down_read_trylock (so they fail whenever anyone is queued on it), writers down_write,
 * set vm_lock_seq and up_write straight away.
 *
 * <p>Checked this session against kernel sources quoted in public lore threads and a v7.0 source
 * walkthrough (elixir.bootlin.com/linux/v7.0 include/linux/mmap_lock.h#L210, mm/mmap_lock.c#L126):
 * vma_refcount_put reads vm_mm <em>before</em> dropping the reference and wakes
 * {@code mm->vma_writer_wait} when the new count is non-zero with readers excluded (flag set and
 * ≤ FLAG+1, the old {@code is_vma_writer_only}); the writer waits with
 * {@code rcuwait_wait_event(refcnt == target)}, target FLAG+1 (lock) or FLAG (detach). The vm_mm
 * mismatch path ("mm: fix a UAF when vma->mm is freed after vma->vm_refcnt got dropped",
 * 2025-07-29, stable) pins the other mm and wakes <em>its</em> writer; the model's put uses the
 * VMA's current vm_mm, which is that other mm. The capped increment fails for old == 0 (→ -EAGAIN)
 * or old + 1 > VM_REFCNT_LIMIT (→ NULL), as spec §2.1 says.
 */
public final class VmaLock {
    public static final int EAGAIN = 11;
    static final int FLAG = Vma.VM_REFCNT_EXCLUDE_READERS_FLAG;
    static final int LIMIT = Vma.VM_REFCNT_LIMIT;

    private VmaLock() {
    }

    /** {@code __is_vma_write_locked}: vm_lock_seq == mm_lock_seq. */
    public static boolean isWriteLocked(Vma v) {
        Mm mm = v.vmMm;
        return mm.design != VmaLockDesign.NONE && v.vmLockSeq == mm.mmapLock.seq();
    }

    /** vma_end_read: vma_refcount_put (refcount) or up_read (rwsem). */
    public static void endRead(Task t, Vma v) {
        t.lockOps++;
        InvariantChecker ck = t.driver.checker();
        boolean held = t.removeHeldVma(v);
        if (ck != null) ck.vmaReadReleasing(t, v, held);
        if (v.vmMm.design == VmaLockDesign.RWSEM) {
            v.vmLock.upRead(t);
        } else {
            refcountPut(t, v);
        }
    }

    /** vma_refcount_put: decrement; wake the mm's writer if only it (and the flag) remain. */
    static void refcountPut(Task t, Vma v) {
        Mm mm = v.vmMm; // copy of vm_mm before dropping the reference
        int n = v.addRefcnt(-1);
        if (n != 0 && (n & FLAG) != 0 && n <= FLAG + 1) {
            Task w = mm.vmaWriterWait;
            if (w != null) t.driver.wake(w);
        }
    }

    /** The capped increment: 0 ok, -EAGAIN (was 0), or 1 (≥ LIMIT). One CAS attempt per call. */
    private static int tryIncLimited(Vma v, int[] old) {
        int o = v.vmRefcnt;
        old[0] = o;
        if (o == 0) return -EAGAIN;
        if (o >= LIMIT) return 1;
        return v.casRefcnt(o, o + 1) ? 0 : 2;
    }

    /**
     * vma_start_read_locked: the caller holds mmap_lock, so writers are excluded; only the capped
     * increment (fails on overflow, or on a detached VMA). Rwsem design: down_read, which cannot
     * block under mmap_lock (VMA writers hold mmap write) — modelled as a trylock.
     */
    public static boolean startReadLocked(Task t, Vma v) {
        t.lockOps++;
        InvariantChecker ck = t.driver.checker();
        if (ck != null && t.mmapMode(v.vmMm) == 0) {
            ck.report("9-start_read_locked-without-mmap", t, v.vmMm, v, "vma_start_read_locked without mmap_lock");
        }
        boolean ok;
        if (v.vmMm.design == VmaLockDesign.RWSEM) {
            ok = v.vmLock.downReadTrylock(t);
        } else {
            int o;
            for (;;) {
                o = v.vmRefcnt;
                if (o == 0 || o >= LIMIT) {
                    ok = false;
                    break;
                }
                if (v.casRefcnt(o, o + 1)) {
                    ok = true;
                    break;
                }
            }
        }
        if (ok) {
            t.addHeldVma(v);
            if (ck != null) ck.vmaReadAcquired(t, v);
        }
        return ok;
    }

    /** vma_mark_attached: 0 → 1 (refcount) or detached = false (rwsem); the VMA must be write-locked. */
    public static void markAttached(Task t, Vma v) {
        t.lockOps++;
        InvariantChecker ck = t.driver.checker();
        if (ck != null) ck.attaching(t, v);
        if (v.vmMm.design == VmaLockDesign.RWSEM) {
            v.detached = false;
        } else {
            Vma.REFCNT.setRelease(v, 1);
        }
        if (ck != null) v.chkAttached = true;
    }

    // =====================================================================================
    /**
     * vma_start_read(mm, vma) (under RCU). Result: {@link Task#retObj} the VMA (read-locked) or null;
     * {@link Task#ret} 0, -1 (NULL) or -EAGAIN (detached); {@link Task#reason}.
     */
    public static final class StartRead extends Op {
        private final int[] old = new int[1];
        private Mm mm;
        private Vma v;

        public StartRead init(Mm mm, Vma v) {
            this.mm = mm;
            this.v = v;
            pc = 0;
            return this;
        }

        @Override
        public String name() {
            return "vma_start_read";
        }

        private int fail(Task t, int ret, int reason) {
            t.lockOps++;
            t.retObj = null;
            t.ret = ret;
            t.reason = reason;
            return DONE;
        }

        @Override
        public int step(Task t) {
            Vma v = this.v;
            switch (pc) {
                case 0: // lockless early check of vm_lock_seq
                    if (mm.design == VmaLockDesign.NONE) return fail(t, -1, Reason.NO_VMA_LOCK);
                    if (v.vmLockSeq == mm.mmapLock.seq()) return fail(t, -1, Reason.WRITE_LOCKED_EARLY);
                    pc = 1;
                    return RUN;
                case 1:
                    if (mm.design == VmaLockDesign.RWSEM) {
                        if (!v.vmLock.downReadTrylock(t)) return fail(t, -1, Reason.TRYLOCK_FAILED);
                        pc = 3;
                        return RUN;
                    } else {
                        int r = tryIncLimited(v, old);
                        if (r == 2) return RUN; // lost a CAS race: try again
                        if (r == -EAGAIN) return fail(t, -EAGAIN, Reason.DETACHED);
                        if (r == 1) return fail(t, -1, (old[0] & FLAG) != 0 ? Reason.EXCLUDED : Reason.OVERFLOW);
                        pc = 2;
                        return RUN;
                    }
                case 2: // SLAB_TYPESAFE_BY_RCU: the object may now belong to another mm
                    if (v.vmMm != mm) {
                        refcountPut(t, v);
                        return fail(t, -1, Reason.MM_MISMATCH);
                    }
                    pc = 3;
                    return RUN;
                case 3: // late check, with acquire semantics
                    if (v.vmLockSeq == mm.mmapLock.seq()) {
                        if (mm.design == VmaLockDesign.RWSEM) v.vmLock.upRead(t);
                        else refcountPut(t, v);
                        return fail(t, -1, Reason.WRITE_LOCKED_LATE);
                    }
                    t.addHeldVma(v);
                    t.lockOps++;
                    InvariantChecker ck = t.driver.checker();
                    if (ck != null) ck.vmaReadAcquired(t, v);
                    t.retObj = v;
                    t.ret = 0;
                    t.reason = Reason.OK;
                    return DONE;
                default:
                    throw new IllegalStateException(name() + " pc=" + pc);
            }
        }
    }

    // =====================================================================================
    /**
     * vma_start_write / vma_start_write_killable (caller holds mmap write). Result {@link Task#ret}
     * 0 or -EINTR (killable only).
     */
    public static final class StartWrite extends Op {
        /** When it started to wait for the VMA's readers (vma_writer_wait, or the VMA rwsem's down_write). */
        private long waitFrom;
        private final Rwsem.DownWrite down = new Rwsem.DownWrite();
        private Vma v;
        private Mm mm;
        private boolean killable;
        private int mmSeq;

        public StartWrite init(Vma v, boolean killable) {
            this.v = v;
            this.mm = v.vmMm;
            this.killable = killable;
            pc = 0;
            return this;
        }

        @Override
        public String name() {
            return killable ? "vma_start_write_killable" : "vma_start_write";
        }

        @Override
        public int step(Task t) {
            Vma v = this.v;
            InvariantChecker ck = t.driver.checker();
            switch (pc) {
                case 0: {
                    t.lockOps++;
                    if (ck != null) ck.vmaWriteLocking(t, v);
                    if (mm.design == VmaLockDesign.NONE) { // vma_start_write is a no-op
                        t.ret = 0;
                        return DONE;
                    }
                    mmSeq = mm.mmapLock.seq();
                    if (v.vmLockSeq == mmSeq) { // already write-locked in this section
                        t.ret = 0;
                        return DONE;
                    }
                    waitFrom = t.now();
                    if (mm.design == VmaLockDesign.RWSEM) {
                        pc = 10;
                        return t.call(down.init(v.vmLock, false));
                    }
                    pc = 5;
                    return RUN;
                }
                case 5: { // __vma_enter_locked: refcount_add_not_zero(FLAG)
                    int o = v.vmRefcnt;
                    if (o == 0) { // detached (e.g. a new VMA): just set the sequence
                        v.vmLockSeq = mmSeq;
                        return locked(t, ck);
                    }
                    if (!v.casRefcnt(o, o + FLAG)) return RUN;
                    if (ck != null) ck.flagSet(t, v);
                    pc = 1;
                    return RUN;
                }
                case 1: // rcuwait_wait_event(&mm->vma_writer_wait, refcnt == FLAG + 1)
                    if (ck != null) ck.writerWaitRegister(t, mm);
                    mm.vmaWriterWait = t;
                    pc = 2;
                    return RUN;
                case 2:
                    if (v.vmRefcnt == FLAG + 1) {
                        mm.vmaWriterWait = null;
                        mm.vmaWriteWaited(t.now() - waitFrom);
                        pc = 3;
                        return RUN;
                    }
                    if (killable && t.fatalSignal) {
                        mm.vmaWriterWait = null;
                        v.addRefcnt(-FLAG); // __vma_exit_locked
                        if (ck != null) ck.flagCleared(t, v);
                        t.ret = -Trace.EINTR;
                        return DONE;
                    }
                    return BLOCK;
                case 3:
                    v.vmLockSeq = mmSeq;
                    v.addRefcnt(-FLAG); // __vma_exit_locked: back to 1 (plus transient readers)
                    if (ck != null) ck.flagCleared(t, v);
                    return locked(t, ck);
                case 10: // rwsem design: down_write done
                    mm.vmaWriteWaited(t.now() - waitFrom);
                    v.vmLockSeq = mm.mmapLock.seq();
                    v.vmLock.upWrite(t);
                    return locked(t, ck);
                default:
                    throw new IllegalStateException(name() + " pc=" + pc);
            }
        }

        private int locked(Task t, InvariantChecker ck) {
            if (ck != null) ck.vmaWriteLocked(t, v);
            t.ret = 0;
            return DONE;
        }
    }

    // =====================================================================================
    /** vma_mark_detached: the VMA must be write-locked; waits for transient readers to leave. */
    public static final class MarkDetached extends Op {
        private long waitFrom;
        private Vma v;
        private Mm mm;

        public MarkDetached init(Vma v) {
            this.v = v;
            this.mm = v.vmMm;
            pc = 0;
            return this;
        }

        @Override
        public String name() {
            return "vma_mark_detached";
        }

        @Override
        public int step(Task t) {
            Vma v = this.v;
            InvariantChecker ck = t.driver.checker();
            switch (pc) {
                case 0:
                    t.lockOps++;
                    if (ck != null) ck.detaching(t, v);
                    if (mm.design != VmaLockDesign.REFCOUNT) {
                        v.detached = true;
                        return detached(t, ck);
                    }
                    if (v.addRefcnt(-1) == 0) return detached(t, ck);
                    pc = 1;
                    return RUN;
                case 1: { // __vma_enter_locked(detaching): refcount_add_not_zero(FLAG)
                    int o = v.vmRefcnt;
                    if (o == 0) return detached(t, ck);
                    if (!v.casRefcnt(o, o + FLAG)) return RUN;
                    if (ck != null) ck.flagSet(t, v);
                    pc = 2;
                    return RUN;
                }
                case 2:
                    if (ck != null) ck.writerWaitRegister(t, mm);
                    mm.vmaWriterWait = t;
                    waitFrom = t.now();
                    pc = 3;
                    return RUN;
                case 3:
                    if (v.vmRefcnt == FLAG) {
                        mm.vmaWriterWait = null;
                        mm.vmaWriteWaited(t.now() - waitFrom);
                        v.addRefcnt(-FLAG);
                        if (ck != null) ck.flagCleared(t, v);
                        return detached(t, ck);
                    }
                    return BLOCK;
                default:
                    throw new IllegalStateException(name() + " pc=" + pc);
            }
        }

        private int detached(Task t, InvariantChecker ck) {
            if (ck != null) ck.detached(t, v);
            t.ret = 0;
            return DONE;
        }
    }
}
