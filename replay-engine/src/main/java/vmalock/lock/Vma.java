package vmalock.lock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@code vm_area_struct}: its range and flags, and the lock state of both per-VMA lock designs
 * ({@code vm_refcnt} + {@code vm_lock_seq} for {@link VmaLockDesign#REFCOUNT}; {@code vm_lock} rwsem +
 * {@code detached} for {@link VmaLockDesign#RWSEM}). A new VMA is detached (refcnt 0).
 */
public final class Vma {
    /** {@code VM_REFCNT_EXCLUDE_READERS_FLAG} (old name VMA_LOCK_OFFSET). */
    public static final int VM_REFCNT_EXCLUDE_READERS_FLAG = 1 << 30;
    /** {@code VM_REFCNT_LIMIT} (old name VMA_REF_LIMIT). */
    public static final int VM_REFCNT_LIMIT = VM_REFCNT_EXCLUDE_READERS_FLAG - 1;
    /** Initial vm_lock_seq: UINT_MAX. */
    public static final int SEQ_INIT = -1;

    static final VarHandle REFCNT;

    static {
        try {
            REFCNT = MethodHandles.lookup().findVarHandle(Vma.class, "vmRefcnt", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** vm_mm. Mutable only to model SLAB_TYPESAFE_BY_RCU reuse of the object by another mm. */
    public volatile Mm vmMm;
    public volatile long vmStart;
    public volatile long vmEnd;
    public boolean readable = true;
    public boolean writable = true;
    public boolean exec;
    public boolean anonymous = true;
    public boolean growsDown;
    /** anon_vma present (vmf_anon_prepare needs mmap_read_trylock when it is not). */
    public volatile boolean hasAnonVma = true;
    /**
     * Whether some page of the VMA is taken to be present: the remote fast path's rule for reads whose
     * address the trace does not show (the replay draws one). A VMA the trace saw being mapped counts as
     * not present until a fault in it completes. Reads at a traced address use {@link #pages}.
     */
    public volatile boolean populated = true;
    /**
     * The present pages (remote access's per-page rule for a traced address): a completed fault adds its
     * page, MADV_DONTNEED/REMOVE and munmap remove theirs; the replay redistributes the set when a write
     * section splits, merges or moves the VMA. Empty for a new VMA.
     */
    public volatile Pages pages = new Pages();
    /** IO/PFNMAP or hugetlb: the remote fast path never applies. */
    public boolean special;

    // ---- refcount design --------------------------------------------------------------------
    volatile int vmRefcnt;
    volatile int vmLockSeq = SEQ_INIT;

    // ---- rwsem design ------------------------------------------------------------------------
    final Rwsem vmLock;
    volatile boolean detached = true;

    // ---- checker shadow state (updated only when a checker is on) ---------------------------
    final AtomicInteger chkReaders = new AtomicInteger();
    volatile Task chkWriter;
    volatile Task chkFlagOwner;
    volatile boolean chkAttached;
    volatile boolean chkDetaching;

    public Vma(Mm mm, long start, long end) {
        this.vmMm = mm;
        this.vmStart = start;
        this.vmEnd = end;
        this.vmLock = mm.design == VmaLockDesign.RWSEM ? new Rwsem(mm.nextVmaLockAddr(), mm.listener) : null;
    }

    public Vma flags(boolean readable, boolean writable, boolean anonymous, boolean growsDown) {
        this.readable = readable;
        this.writable = writable;
        this.anonymous = anonymous;
        this.growsDown = growsDown;
        return this;
    }

    public int refcnt() {
        return vmRefcnt;
    }

    public int lockSeq() {
        return vmLockSeq;
    }

    public boolean isDetachedFlag() {
        return detached;
    }

    /** The VMA's rw_semaphore (rwsem design) or null. */
    public Rwsem vmLock() {
        return vmLock;
    }

    public boolean contains(long addr) {
        return addr >= vmStart && addr < vmEnd;
    }

    /** Test / exploration hook: set vm_refcnt directly (e.g. to model a VMA at the reference limit). */
    public void setRefcntForTest(int v) {
        vmRefcnt = v;
    }

    boolean casRefcnt(int expect, int update) {
        return REFCNT.compareAndSet(this, expect, update);
    }

    int addRefcnt(int d) {
        return (int) REFCNT.getAndAdd(this, d) + d;
    }

    @Override
    public String toString() {
        return "vma[0x" + Long.toHexString(vmStart) + "-0x" + Long.toHexString(vmEnd) + " refcnt=" + vmRefcnt
                + " seq=" + vmLockSeq + "]";
    }
}
