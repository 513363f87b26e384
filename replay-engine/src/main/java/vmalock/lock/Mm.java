package vmalock.lock;

/**
 * An {@code mm_struct}: its {@link MmapLock}, its VMA tree, {@code vma_writer_wait}, and its
 * vma_lock_* counters. {@link #id} is the mm address the tracepoints print.
 */
public final class Mm {
    /**
     * Default offset of {@code mmap_lock} inside {@code mm_struct}, for lock:contention_* lock_addr.
     * Config-dependent: calibrate it from a trace (a contention_begin right after a start_locking).
     */
    public static final long DEFAULT_MMAP_LOCK_OFFSET = 0x70;

    public final long id;
    public final VmaLockDesign design;
    /**
     * Receives each wait of a VMA writer for the VMA's readers (ns; vma_start_write and detach on vm_refcnt's
     * rcuwait, down_write of the rwsem design): no tracepoint shows these. Null: not recorded.
     */
    public java.util.function.LongConsumer vmaWriteWaits;

    void vmaWriteWaited(long ns) {
        if (vmaWriteWaits != null) vmaWriteWaits.accept(Math.max(0, ns));
    }

    /** Which VMAs the fault path handles under the per-VMA lock (the policy's {@link Policy#era}). */
    public FaultPathEra era = FaultPathEra.CURRENT;
    public final MmapLock mmapLock;
    /** Receives this mm's mmap_lock, contention and fault events (null: none). */
    public final LockEventListener listener;
    public final VmEvents vmEvents;
    /** memcg_id printed in mmap_lock events (≈6.14+); 0 = memcg off. */
    public long memcgId;
    /** If non-null, events carry memcg_path instead (≤6.13 kernels). */
    public String memcgPath;

    private volatile VmaTree tree = VmaTree.EMPTY;
    /** Fake, deterministic addresses of separately allocated vma_lock objects (rwsem design). */
    private long vmaLockAddr = 0xffff888200000000L;
    /** Checker shadow state: current mmap_lock readers and writers as the checker saw them. */
    final java.util.concurrent.atomic.AtomicInteger chkReaders = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger chkWriters = new java.util.concurrent.atomic.AtomicInteger();
    /**
     * {@code alloc->mutex} of the binder proc that maps this mm (one per process): the binder
     * shrinker's {@code mutex_trylock} after it got the VMA or mmap_lock ({@link OtherRead}).
     */
    public final KMutex binderAllocMutex = new KMutex();
    /** mm->vma_writer_wait: an rcuwait with at most one waiting task. */
    volatile Task vmaWriterWait;

    /** A modern (≈6.15+) mm: refcount VMA lock, seqcount mm_lock_seq. */
    public Mm(long id, LockEventListener listener) {
        this(id, VmaLockDesign.REFCOUNT, listener, new VmEvents(), DEFAULT_MMAP_LOCK_OFFSET);
    }

    /**
     * @param seqcount is chosen from the design: REFCOUNT uses the ≈6.14+ seqcount (odd while
     *                 write-locked); RWSEM and NONE the 6.4–6.13 int bumped on unlock/downgrade.
     */
    public Mm(long id, VmaLockDesign design, LockEventListener listener, VmEvents vmEvents, long mmapLockOffset) {
        this.id = id;
        this.design = design;
        this.listener = listener;
        this.vmEvents = vmEvents;
        this.mmapLock = new MmapLock(this, new Rwsem(id + mmapLockOffset, listener), design == VmaLockDesign.REFCOUNT);
    }

    // ---- the tree (RCU readers: lockless snapshot) --------------------------------------------
    /** mas_walk under RCU: the VMA whose tree range contains addr, or null. */
    public Vma walk(long addr) {
        return tree.walk(addr);
    }

    /** vma_lookup (caller holds mmap_lock). */
    public Vma vmaLookup(long addr) {
        return tree.walk(addr);
    }

    /** find_vma (caller holds mmap_lock): first VMA with vm_end > addr. */
    public Vma findVma(long addr) {
        return tree.findVma(addr);
    }

    public Vma[] vmas() {
        return tree.toArray();
    }

    public int vmaCount() {
        return tree.size();
    }

    /**
     * Setup before any task runs: creates an attached VMA [start, end) (no locking, no events).
     */
    public Vma addVma(long start, long end) {
        Vma v = new Vma(this, start, end);
        v.vmRefcnt = 1;
        v.detached = false;
        v.chkAttached = true;
        tree = tree.with(v, start, end);
        return v;
    }

    /** Inserts a VMA into the tree (caller holds mmap write; attach it with {@link VmaLock#markAttached}). */
    public void insert(Task t, Vma v) {
        checkWriter(t, v, "insert");
        tree = tree.with(v, v.vmStart, v.vmEnd);
    }

    /** Removes a VMA from the tree (caller holds mmap write; it should be detached). */
    public void erase(Task t, Vma v) {
        checkWriter(t, v, "erase");
        tree = tree.without(v);
    }

    /** Changes a VMA's range (split edge, expand, shrink); the VMA must be write-locked. */
    public void setRange(Task t, Vma v, long start, long end) {
        checkWriter(t, v, "set range");
        InvariantChecker ck = t.driver.checker();
        if (ck != null && !VmaLock.isWriteLocked(v) && design != VmaLockDesign.NONE) {
            ck.report("1-vma-modified-unlocked", t, this, v, "VMA range changed without vma_start_write");
        }
        VmaTree tr = tree;
        int i = tr.indexOf(v);
        if (i >= 0) tr = tr.withRange(i, start, end);
        tree = tr;
        v.vmStart = start;
        v.vmEnd = end;
    }

    private void checkWriter(Task t, Vma v, String what) {
        InvariantChecker ck = t.driver.checker();
        if (ck != null && t.mmapMode(this) != 2) {
            ck.report("1-tree-modified-without-mmap-write", t, this, v, what + " without mmap write lock");
        }
    }

    synchronized long nextVmaLockAddr() {
        return vmaLockAddr += 64;
    }

    public int mmLockSeq() {
        return mmapLock.seq();
    }

    @Override
    public String toString() {
        return "mm 0x" + Long.toHexString(id);
    }
}
