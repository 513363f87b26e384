package vmalock.lock;

import java.util.ArrayList;

/**
 * The invariants of spec §7, checked as the modelled kernel runs. Any driver can enable it (pass one
 * to the driver); the lock code calls the hooks below at each acquisition, release and state change.
 * A violation becomes a {@link Finding} (which invariant, which task / mm / VMA, when) in the driver's
 * {@link Findings}; nothing throws.
 *
 * <p>Shadow state is registered <em>after</em> a lock is really acquired and dropped <em>before</em>
 * it is really released, so with real threads a reported overlap is a real overlap (no false
 * positives from the checker's own races).
 *
 * <p>Invariant ids: {@code 1} VMA write lock ⇒ mmap write, ≤1 mmap writer; {@code 2} unlock/downgrade
 * ends all VMA write locks; {@code 3} no read succeeds under a VMA write lock, vma_start_write returns
 * after readers drained; {@code 4} exclude-readers flag only by the mmap-write holder, cleared before
 * return; {@code 5} refcnt==0 ⇔ detached, attach/detach only write-locked, no read on a detached VMA;
 * {@code 6} a read succeeds only attached, unlocked, same mm, addr in range; {@code 7} matched
 * vma_end_read, nothing held on return to user; {@code 8} vma_assert_stabilised; {@code 9} no
 * blocking mmap acquire while holding a VMA read lock; {@code 10} mmap readers/writer never overlap,
 * releases match holds, write held ⇔ seq odd (seqcount kernels); {@code 11} faults end holding
 * nothing; {@code 12} flag overtaking (steal/spin) only without HANDOFF.
 */
public final class InvariantChecker {
    private final Findings findings;
    /** True with real threads: skip the checks that only hold at step granularity. */
    private final boolean concurrent;
    private long checks;

    public InvariantChecker(Findings findings, boolean concurrent) {
        this.findings = findings;
        this.concurrent = concurrent;
    }

    public Findings findings() {
        return findings;
    }

    /** How many hook calls ran (to show the checker was on). Racy with threads. */
    public long checks() {
        return checks;
    }

    public void report(String invariant, Task t, Mm mm, Vma v, String detail) {
        findings.report(invariant, t, mm, v, detail);
    }

    // ---- mmap_lock ---------------------------------------------------------------------------
    void mmapAcquired(Task t, Mm mm, boolean write) {
        checks++;
        if (write) {
            int w = mm.chkWriters.incrementAndGet();
            if (w > 1) report("1-two-mmap-writers", t, mm, null, w + " tasks hold mmap write");
            int r = mm.chkReaders.get();
            if (r > 0) report("10-readers-writer-overlap", t, mm, null, "write acquired while " + r + " readers hold it");
            if (mm.mmapLock.seqcount && (mm.mmapLock.seq() & 1) == 0) {
                report("10-seq-even-while-write-locked", t, mm, null, "mm_lock_seq " + mm.mmapLock.seq());
            }
        } else {
            mm.chkReaders.incrementAndGet();
            int w = mm.chkWriters.get();
            if (w > 0) report("10-readers-writer-overlap", t, mm, null, "read acquired while a writer holds it");
            if (!concurrent && mm.mmapLock.seqcount && (mm.mmapLock.seq() & 1) != 0) {
                report("10-seq-odd-while-read-locked", t, mm, null, "mm_lock_seq " + mm.mmapLock.seq());
            }
        }
    }

    void mmapReleasing(Task t, Mm mm, boolean write) {
        checks++;
        int mode = t.mmapMode(mm);
        if (mode != (write ? 2 : 1)) {
            report("10-unmatched-release", t, mm, null, (write ? "write" : "read") + " release while holding "
                    + (mode == 0 ? "nothing" : mode == 1 ? "read" : "write"));
            return;
        }
        if (write) {
            endVmaWriteLocks(t);
            mm.chkWriters.decrementAndGet();
        } else {
            mm.chkReaders.decrementAndGet();
        }
    }

    void mmapDowngrading(Task t, Mm mm) {
        checks++;
        if (t.mmapMode(mm) != 2) {
            report("10-unmatched-release", t, mm, null, "downgrade without holding mmap write");
            return;
        }
        endVmaWriteLocks(t);
        mm.chkReaders.incrementAndGet();
        mm.chkWriters.decrementAndGet();
    }

    private void endVmaWriteLocks(Task t) {
        ArrayList<Vma> l = t.chkWriteLocked;
        if (l == null) return;
        for (Vma v : l) if (v.chkWriter == t) v.chkWriter = null;
        l.clear();
    }

    void blockingMmapAcquire(Task t, Mm mm, boolean write) {
        checks++;
        if (t.nHeldVmas > 0) {
            report("9-blocking-mmap-acquire-under-vma-read", t, mm, t.heldVmas[0],
                    (write ? "mmap_write_lock" : "mmap_read_lock") + " while holding " + t.nHeldVmas + " VMA read lock(s)");
        }
        if (t.mmapMode(mm) != 0) report("10-recursive-mmap-lock", t, mm, null, "acquiring mmap_lock already held");
    }

    // ---- per-VMA lock ----------------------------------------------------------------------------
    void vmaReadAcquired(Task t, Vma v) {
        checks++;
        v.chkReaders.incrementAndGet();
        if (v.chkWriter != null) {
            report("3-read-under-vma-write-lock", t, v.vmMm, v, "read succeeded while write-locked by " + v.chkWriter);
        }
        // The rwsem design (6.4–6.14) does take the read lock of a detached VMA: lock_vma_under_rcu checks
        // `detached` only after locking (MISS + retry), so there it is checked when the VMA is returned.
        if (!v.chkAttached && v.vmMm.design != VmaLockDesign.RWSEM) {
            report("5-read-on-detached-vma", t, v.vmMm, v, "read succeeded on a detached VMA");
        }
    }

    void lockedForAddress(Task t, Vma v, long addr) {
        checks++;
        if (!v.chkAttached) report("5-read-on-detached-vma", t, v.vmMm, v, "lock_vma_under_rcu returned a detached VMA");
        if (!v.contains(addr)) {
            report("6-read-outside-range", t, v.vmMm, v, "address 0x" + Long.toHexString(addr) + " outside the VMA");
        }
    }

    void vmaReadReleasing(Task t, Vma v, boolean held) {
        checks++;
        if (!held) {
            report("7-unmatched-vma_end_read", t, v.vmMm, v, "vma_end_read without a matching read lock");
            return;
        }
        v.chkReaders.decrementAndGet();
    }

    void vmaWriteLocking(Task t, Vma v) {
        checks++;
        if (t.mmapMode(v.vmMm) != 2) {
            report("1-vma-write-lock-without-mmap-write", t, v.vmMm, v, "vma_start_write without mmap write lock");
        }
    }

    void vmaWriteLocked(Task t, Vma v) {
        checks++;
        v.chkWriter = t;
        if (t.chkWriteLocked == null) t.chkWriteLocked = new ArrayList<>();
        t.chkWriteLocked.add(v);
        int r = v.chkReaders.get();
        if (r > 0) report("3-vma_start_write-with-readers", t, v.vmMm, v, "write lock returned with " + r + " readers");
    }

    void flagSet(Task t, Vma v) {
        checks++;
        if (t.mmapMode(v.vmMm) != 2) report("4-flag-set-without-mmap-write", t, v.vmMm, v, "exclude-readers flag set");
        Task o = v.chkFlagOwner;
        if (o != null && o != t) report("4-flag-set-twice", t, v.vmMm, v, "flag already set by " + o);
        v.chkFlagOwner = t;
    }

    void flagCleared(Task t, Vma v) {
        checks++;
        v.chkFlagOwner = null;
    }

    void writerWaitRegister(Task t, Mm mm) {
        checks++;
        Task w = mm.vmaWriterWait;
        if (w != null && w != t) report("3-two-vma-writers-waiting", t, mm, null, "vma_writer_wait already holds " + w);
    }

    void attaching(Task t, Vma v) {
        checks++;
        if (v.vmMm.design != VmaLockDesign.NONE && !VmaLock.isWriteLocked(v)) {
            report("5-attach-not-write-locked", t, v.vmMm, v, "vma_mark_attached on a VMA not write-locked");
        }
        if (v.chkAttached) report("5-attach-attached", t, v.vmMm, v, "vma_mark_attached on an attached VMA");
    }

    void detaching(Task t, Vma v) {
        checks++;
        if (v.vmMm.design != VmaLockDesign.NONE && !VmaLock.isWriteLocked(v)) {
            report("5-detach-not-write-locked", t, v.vmMm, v, "vma_mark_detached on a VMA not write-locked");
        }
        if (!v.chkAttached) report("5-detach-detached", t, v.vmMm, v, "vma_mark_detached on a detached VMA");
        v.chkDetaching = true;
    }

    void detached(Task t, Vma v) {
        checks++;
        v.chkAttached = false;
        v.chkDetaching = false;
        int r = v.chkReaders.get();
        if (r > 0) report("5-detached-with-readers", t, v.vmMm, v, r + " readers still hold a detached VMA");
        if (v.vmMm.design == VmaLockDesign.REFCOUNT && !concurrent && v.vmRefcnt != 0) {
            report("5-detached-refcnt-nonzero", t, v.vmMm, v, "vm_refcnt " + v.vmRefcnt + " after detach");
        }
    }

    void rwsemOvertake(Task t, Rwsem s, String how) {
        checks++;
        if (!concurrent && s.handoff()) report("12-overtake-during-handoff", t, null, null, how + " while HANDOFF is set");
    }

    /** vma_assert_stabilised ([P3]): metadata access needs mmap_lock or this VMA's lock held by t. */
    public void stabilised(Task t, Vma v) {
        checks++;
        if (t.mmapMode(v.vmMm) == 0 && !t.holdsVmaRead(v) && v.chkWriter != t) {
            report("8-vma_assert_stabilised", t, v.vmMm, v, "VMA metadata accessed without mmap_lock or its VMA lock");
        }
    }

    /** Invariants 7 and 11: nothing held when an operation returns to user space. */
    public void returnToUser(Task t, String what) {
        checks++;
        if (t.nHeldVmas > 0) {
            report("7-vma-lock-held-on-return", t, t.heldVmas[0].vmMm, t.heldVmas[0], what + " returns holding "
                    + t.nHeldVmas + " VMA read lock(s)");
        }
        if (t.heldMm != null) report("11-mmap-lock-held-on-return", t, t.heldMm, null, what + " returns holding mmap_lock");
    }

    /**
     * Structural check of one VMA's refcount against the shadow state (deterministic drivers only):
     * refcnt==0 ⇔ detached (unless a detach is draining); readers ≤ refcnt − base; flag ⇔ owner.
     */
    public void checkVma(Vma v) {
        if (concurrent || v.vmMm.design != VmaLockDesign.REFCOUNT) return;
        checks++;
        int r = v.vmRefcnt;
        int flag = r & VmaLock.FLAG;
        int n = r & (VmaLock.FLAG - 1);
        Task fo = v.chkFlagOwner;
        if ((flag != 0) != (fo != null)) {
            report("4-flag-state", null, v.vmMm, v, "vm_refcnt 0x" + Integer.toHexString(r) + " but flag owner " + fo);
        }
        int readers = v.chkReaders.get();
        int base = v.chkAttached && !v.chkDetaching ? 1 : 0;
        if (v.chkAttached && fo == null && n < base + readers) {
            report("5-refcnt-below-holders", null, v.vmMm, v, "vm_refcnt " + r + " < 1 + " + readers + " readers");
        }
        if (!v.chkAttached && fo == null && r != 0 && readers == 0 && n != 0) {
            // only transient increments are impossible on refcnt 0; a nonzero count means a reference leaked
            report("5-detached-refcnt-nonzero", null, v.vmMm, v, "vm_refcnt " + r + " on a detached VMA");
        }
        if (v.chkAttached && !v.chkDetaching && r == 0) report("5-attached-refcnt-zero", null, v.vmMm, v, "attached VMA with vm_refcnt 0");
    }

    /** Checks every VMA of {@code mm} (explorer: after every step). */
    public void checkMm(Mm mm) {
        for (Vma v : mm.vmas()) checkVma(v);
    }
}
