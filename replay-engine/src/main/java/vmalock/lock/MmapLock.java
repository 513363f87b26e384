package vmalock.lock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * {@code mm->mmap_lock} (an {@link Rwsem}) plus {@code mm->mm_lock_seq}, with the mmap_lock
 * tracepoints of spec §1.1 emitted as canonical events:
 * <pre>
 * mmap_read_lock/_killable/_trylock   start(w0)  acq(w0, ok)
 * mmap_read_unlock                     rel(w0)   (before up_read)
 * mmap_write_lock/_killable            start(w1)  acq(w1, ok)   seq+1 (odd) when acquired
 * mmap_write_unlock                    rel(w1)   seq+1 (even) before up_write
 * mmap_write_downgrade                 acq(w0, 1) only           seq+1
 * mmap_write_trylock (5.8–≈6.7)        start(w1)  acq(w1, ok)
 * </pre>
 * With {@code seqcount=false} (6.4–6.13) mm_lock_seq is an int bumped only by unlock/downgrade.
 * {@code guard(rwsem_read)} (raw down_read/up_read on {@link #rwsem}) emits no mmap_lock events, only
 * lock:contention_*: see {@link ReadLock#init(Mm, boolean, boolean)} with {@code traced=false}.
 */
public final class MmapLock {
    private static final VarHandle SEQ;

    static {
        try {
            SEQ = MethodHandles.lookup().findVarHandle(MmapLock.class, "seq", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Mm mm;
    public final Rwsem rwsem;
    /** ≈6.14+: seqcount, odd while write-locked. */
    public final boolean seqcount;
    private volatile int seq;
    /**
     * Added for the replay's calibration: virtual time a blocking mmap_read_lock / mmap_write_lock
     * spends between its start_locking tracepoint and trying the rwsem (the tracepoint and fast-path
     * cost a traced kernel shows as a ≈0.5–1 µs uncontended wait). 0 = instantaneous (default).
     */
    public long acquireCostNs;
    /**
     * The cost when the acquiring task released this lock itself within {@link #HOT_NS} (the lock's cache line still
     * in its CPU's cache), and otherwise; 0 = {@link #acquireCostNs} for both.
     */
    public long acquireCostHotNs, acquireCostColdNs;
    /** A release this recent by the same task makes the next acquisition "hot". */
    public static final long HOT_NS = 10_000;
    private Task lastReleaser;
    private long lastReleaseNs;

    /** The traced kernel's cost of {@code t}'s acquisition transition now: hot or cold, see {@link #acquireCostHotNs}. */
    public long acquireCost(Task t) {
        if (acquireCostHotNs > 0 && lastReleaser == t && t.now() - lastReleaseNs <= HOT_NS) return acquireCostHotNs;
        return acquireCostColdNs > 0 ? acquireCostColdNs : acquireCostNs;
    }

    MmapLock(Mm mm, Rwsem rwsem, boolean seqcount) {
        this.mm = mm;
        this.rwsem = rwsem;
        this.seqcount = seqcount;
    }

    /** mm_lock_seq. */
    public int seq() {
        return seq;
    }

    private void bumpSeq() {
        SEQ.getAndAdd(this, 1);
    }

    // ---- acquisition bookkeeping (held-lock tracking + checker) -----------------------------
    void acquired(Task t, boolean write) {
        t.setMmapHeld(mm, write ? 2 : 1);
        InvariantChecker ck = t.driver.checker();
        if (ck != null) ck.mmapAcquired(t, mm, write);
    }

    private void releasing(Task t, boolean write) {
        InvariantChecker ck = t.driver.checker();
        if (ck != null) ck.mmapReleasing(t, mm, write);
        t.setMmapHeld(mm, 0);
        if (acquireCostHotNs > 0) {
            lastReleaser = t;
            lastReleaseNs = t.now();
        }
    }

    // ---- non-blocking API ----------------------------------------------------------------------
    /** mmap_read_trylock: start(w0), acq(w0, ok). Fails whenever anyone is queued. */
    public boolean readTrylock(Task t) {
        readTrylockBegin(t);
        return readTrylockEnd(t);
    }

    /**
     * The first half of {@link #readTrylock}: start(w0). A caller that models the traced kernel's cost
     * of the transition ({@link #acquireCostNs}) lets that time pass before {@link #readTrylockEnd}.
     */
    public void readTrylockBegin(Task t) {
        t.lockOps++;
        Trace.startLocking(t, mm, false);
    }

    /** The second half of {@link #readTrylock}: down_read_trylock, acq(w0, ok). */
    public boolean readTrylockEnd(Task t) {
        boolean ok = rwsem.downReadTrylock(t);
        if (ok) acquired(t, false);
        Trace.acquireReturned(t, mm, false, ok);
        return ok;
    }

    /** mmap_read_unlock: rel(w0) then up_read. */
    public void readUnlock(Task t) {
        t.lockOps++;
        releasing(t, false);
        Trace.released(t, mm, false);
        rwsem.upRead(t);
    }

    /** mmap_write_trylock (5.8–≈6.7): start(w1), acq(w1, ok). */
    public boolean writeTrylock(Task t) {
        t.lockOps++;
        Trace.startLocking(t, mm, true);
        boolean ok = rwsem.downWriteTrylock(t);
        if (ok) {
            if (seqcount) bumpSeq();
            acquired(t, true);
        }
        Trace.acquireReturned(t, mm, true, ok);
        return ok;
    }

    /** mmap_write_unlock: rel(w1); vma_end_write_all (seq+1: every VMA write lock ends); up_write. */
    public void writeUnlock(Task t) {
        t.lockOps++;
        releasing(t, true);
        Trace.released(t, mm, true);
        bumpSeq();
        rwsem.upWrite(t);
    }

    /** mmap_write_downgrade: acq(w0, 1) only; vma_end_write_all; downgrade_write. */
    public void writeDowngrade(Task t) {
        t.lockOps++;
        InvariantChecker ck = t.driver.checker();
        if (ck != null) ck.mmapDowngrading(t, mm);
        Trace.acquireReturned(t, mm, false, true);
        bumpSeq();
        t.setMmapHeld(mm, 1);
        rwsem.downgradeWrite(t);
    }

    /** Raw up_read for a {@code guard(rwsem_read)} section (no mmap_lock event). */
    public void guardReadUnlock(Task t) {
        t.lockOps++;
        releasing(t, false);
        rwsem.upRead(t);
    }

    /**
     * mmap_lock_speculate_try_begin: the sequence to pass to {@link #speculateRetry}, or -1 when the
     * mm is write-locked (seq odd) and speculation must not start. Needs the seqcount (≈6.14+).
     */
    public long speculateTryBegin() {
        int s = seq;
        return (s & 1) != 0 ? -1 : s & 0xffffffffL;
    }

    /** mmap_lock_speculate_retry: true if mm_lock_seq changed since {@code begin}. */
    public boolean speculateRetry(long begin) {
        return (seq & 0xffffffffL) != begin;
    }

    // ---- blocking ops ----------------------------------------------------------------------
    /**
     * The common shape of mmap_read_lock[_killable] and mmap_write_lock[_killable]: the checker's
     * blocking-acquire hook, start_locking (when traced), the optional calibrated acquire cost, the
     * rwsem op as a child, then {@link #acquired(Task, boolean)} and acquire_returned.
     */
    private abstract static class Acquire extends Op {
        MmapLock l;
        boolean killable;
        private final boolean write;

        Acquire(boolean write) {
            this.write = write;
        }

        /** Whether this acquisition emits mmap_lock tracepoints. */
        abstract boolean traced();

        /** Pushes the rwsem op (down_read / down_write). */
        abstract int down(Task t);

        @Override
        public final int step(Task t) {
            MmapLock l = this.l;
            if (pc == 0) {
                InvariantChecker ck = t.driver.checker();
                if (ck != null) ck.blockingMmapAcquire(t, l.mm, write);
                if (traced()) {
                    Trace.startLocking(t, l.mm, write);
                    if (l.acquireCostNs > 0) {
                        pc = 2;
                        t.delay = l.acquireCost(t);
                        return DELAY;
                    }
                }
                pc = 1;
                return down(t);
            }
            if (pc == 2) {
                pc = 1;
                return down(t);
            }
            boolean ok = t.ret == 0;
            t.lockOps++;
            if (ok) {
                if (write && l.seqcount) l.bumpSeq();
                l.acquired(t, write);
            }
            if (traced()) Trace.acquireReturned(t, l.mm, write, ok);
            return DONE;
        }
    }

    /**
     * mmap_read_lock / mmap_read_lock_killable (traced), or a raw {@code guard(rwsem_read)} (untraced).
     * Result: {@link Task#ret} 0 or -EINTR.
     */
    public static final class ReadLock extends Acquire {
        private final Rwsem.DownRead down = new Rwsem.DownRead();
        private boolean traced;

        public ReadLock() {
            super(false);
        }

        public ReadLock init(Mm mm, boolean killable, boolean traced) {
            this.l = mm.mmapLock;
            this.killable = killable;
            this.traced = traced;
            pc = 0;
            return this;
        }

        @Override
        boolean traced() {
            return traced;
        }

        @Override
        int down(Task t) {
            return t.call(down.init(l.rwsem, killable));
        }

        @Override
        public String name() {
            return traced ? (killable ? "mmap_read_lock_killable" : "mmap_read_lock") : "guard(rwsem_read)";
        }
    }

    /** mmap_write_lock / mmap_write_lock_killable. Result: {@link Task#ret} 0 or -EINTR. */
    public static final class WriteLock extends Acquire {
        private final Rwsem.DownWrite down = new Rwsem.DownWrite();

        public WriteLock() {
            super(true);
        }

        public WriteLock init(Mm mm, boolean killable) {
            this.l = mm.mmapLock;
            this.killable = killable;
            pc = 0;
            return this;
        }

        @Override
        boolean traced() {
            return true;
        }

        @Override
        int down(Task t) {
            return t.call(down.init(l.rwsem, killable));
        }

        @Override
        public String name() {
            return killable ? "mmap_write_lock_killable" : "mmap_write_lock";
        }
    }
}
