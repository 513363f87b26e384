package vmalock.lock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The kernel's non-RT {@code rw_semaphore} (kernel/locking/rwsem.c), written once as step machines
 * ({@link DownRead}, {@link DownWrite}) plus non-blocking calls, and run by any {@link Driver}.
 *
 * <p>Checked against kernel-patches/bpf {@code kernel/locking/rwsem.c} @788325f6c498 (read this
 * session). What that source showed beyond spec §1.2, and what the model does:
 * <ul>
 * <li>Reader slow path: a reader does not steal when the lock is reader-owned by more than itself
 *     ({@code rcnt > 1}) and no writer holds it — it queues (anti-starvation of sleeping writers).
 *     Stealing needs WRITER_LOCKED and HANDOFF clear; the first stealer ({@code rcnt == 1}) wakes the
 *     readers at the front of a non-empty queue.</li>
 * <li>A reader that finds the queue empty and no writer holding the lock returns at once, with no
 *     contention event.</li>
 * <li>Waiter timeout: {@code jiffies + DIV_ROUND_UP(HZ,250)}; HANDOFF is requested when
 *     {@code time_after(jiffies, timeout)}. Modelled as {@code now > enqueue + waitTimeoutNs}
 *     (default 4 ms, i.e. HZ=250 or 1000; configurable).</li>
 * <li>{@code rwsem_try_write_lock}: any queued writer past its timeout may set HANDOFF, but the bit
 *     is credited to the first waiter ({@code first->handoff_set}); with HANDOFF set and the first
 *     waiter owning it, other writers yield. A writer that gets the lock clears HANDOFF (and WAITERS
 *     if it was the last waiter).</li>
 * <li>{@code rwsem_mark_wake}: a writer at the head is woken only for RWSEM_WAKE_ANY; with a reader
 *     at the head the waker first adds one reader bias — if a writer got in first it backs off and,
 *     past the head reader's timeout, sets HANDOFF for it — then grants every queued reader (writers
 *     keep their places) up to MAX_READERS_WAKEUP = 256, clears HANDOFF when it granted readers, and
 *     only then wakes them.</li>
 * <li>Optimistic spinning: only when the owner is not NONSPINNABLE and a writer owner is on CPU; the
 *     reader-owned spin limit is {@code (20 + min(readers,30)) / 2} µs; timing out sets NONSPINNABLE,
 *     which the next writer owner clears and {@code clear_nonspinnable} clears when the count drops
 *     to zero with waiters.</li>
 * <li>A writer with {@code handoff_set} spins on an on-CPU writer owner instead of sleeping.</li>
 * <li>Newest trees emit {@code lock:contended_release} from up_read/up_write/downgrade when WAITERS
 *     is set; the canonical event has no kind for it, so it is not emitted.</li>
 * </ul>
 * Modelling simplifications: the osq (MCS queue of spinners) is a FIFO where only the head spins;
 * "spinning" is a sleep that ends when the lock is released, the owner goes off CPU, or the spin limit
 * passes (no CPU time is charged); {@code need_resched()} is never true; all tasks are non-RT; a
 * spinner that sees no owner and fails its trylock (HANDOFF pending) gives up spinning and queues.
 */
public final class Rwsem {
    public static final long WRITER_LOCKED = 1L;
    public static final long FLAG_WAITERS = 1L << 1;
    public static final long FLAG_HANDOFF = 1L << 2;
    public static final int READER_SHIFT = 8;
    public static final long READER_BIAS = 1L << READER_SHIFT;
    public static final long READER_MASK = ~(READER_BIAS - 1);
    public static final long LOCK_MASK = WRITER_LOCKED | READER_MASK;
    public static final long READ_FAILED_MASK = WRITER_LOCKED | FLAG_WAITERS | FLAG_HANDOFF;
    public static final int MAX_READERS_WAKEUP = 256;
    /** ≈4 ms: DIV_ROUND_UP(HZ, 250) jiffies. */
    public static final long DEFAULT_WAIT_TIMEOUT_NS = 4_000_000L;

    private static final int WAKE_ANY = 0, WAKE_READERS = 1, WAKE_READ_OWNED = 2;
    private static final int OWNER_NULL = 1, OWNER_WRITER = 2, OWNER_READER = 4, OWNER_NONSPINNABLE = 8;

    private static final VarHandle COUNT, WAIT_LOCK;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            COUNT = l.findVarHandle(Rwsem.class, "count", long.class);
            WAIT_LOCK = l.findVarHandle(Rwsem.class, "waitLock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile long count;
    private volatile int waitLock;
    /** sem->owner: the last owner task; flags below. */
    private volatile Task owner;
    private volatile boolean readerOwned;
    private volatile boolean nonspinnable;
    /** Wait list (FIFO), protected by wait_lock. */
    private Waiter first, last;
    private int nWaiters;
    /** Optimistic-spin queue; protected by wait_lock. */
    private Task osqHead, osqTail;

    /** Address printed as lock:contention_* {@code lock_addr}. */
    public final long lockAddr;
    /** Where contention events go (null: none). */
    public LockEventListener listener;
    public long waitTimeoutNs = DEFAULT_WAIT_TIMEOUT_NS;
    /** CONFIG_RWSEM_SPIN_ON_OWNER (true on x86 SMP). */
    public boolean optimisticSpin = true;

    public Rwsem(long lockAddr, LockEventListener listener) {
        this.lockAddr = lockAddr;
        this.listener = listener;
    }

    /** One entry of the wait list; each task owns exactly one (it waits on one lock at a time). */
    static final class Waiter {
        final Task task;
        boolean write;
        long timeout;
        boolean handoffSet;
        /** The kernel's {@code waiter.task == NULL}: the read lock was granted by the waker. */
        volatile boolean granted;
        Waiter next, prev;
        boolean queued;

        Waiter(Task task) {
            this.task = task;
        }
    }

    // =====================================================================================
    // observers
    // =====================================================================================
    public long count() {
        return count;
    }

    public int readers() {
        return (int) (count >>> READER_SHIFT);
    }

    public boolean writeLocked() {
        return (count & WRITER_LOCKED) != 0;
    }

    public boolean hasWaiters() {
        return (count & FLAG_WAITERS) != 0;
    }

    public boolean handoff() {
        return (count & FLAG_HANDOFF) != 0;
    }

    /** Queued waiters (a racy read with real threads). */
    public int queued() {
        return nWaiters;
    }

    /** Types of the queued waiters, head first: 'R' / 'W' (under the wait_lock). */
    public String queueString() {
        lockWait();
        try {
            StringBuilder sb = new StringBuilder();
            for (Waiter w = first; w != null; w = w.next) sb.append(w.write ? 'W' : 'R');
            return sb.toString();
        } finally {
            unlockWait();
        }
    }

    public Task owner() {
        return owner;
    }

    public boolean isReaderOwned() {
        return readerOwned;
    }

    public boolean isNonspinnable() {
        return nonspinnable;
    }

    // =====================================================================================
    // atomics and the wait_lock
    // =====================================================================================
    private long getAndAdd(long d) {
        return (long) COUNT.getAndAdd(this, d);
    }

    private long addAndGet(long d) {
        return (long) COUNT.getAndAdd(this, d) + d;
    }

    private boolean cas(long expect, long update) {
        return COUNT.compareAndSet(this, expect, update);
    }

    private void lockWait() {
        while (!WAIT_LOCK.compareAndSet(this, 0, 1)) Thread.onSpinWait();
    }

    private void unlockWait() {
        WAIT_LOCK.setRelease(this, 0);
    }

    private void setOwner(Task t) {
        owner = t;
        readerOwned = false;
        nonspinnable = false;
    }

    private void setReaderOwned(Task t) {
        owner = t; // the NONSPINNABLE bit is carried over
        readerOwned = true;
    }

    // =====================================================================================
    // non-blocking API
    // =====================================================================================
    /** down_read_trylock: fails whenever WRITER_LOCKED, WAITERS or HANDOFF is set. */
    public boolean downReadTrylock(Task t) {
        long c = count;
        while ((c & READ_FAILED_MASK) == 0) {
            if (cas(c, c + READER_BIAS)) {
                setReaderOwned(t);
                return true;
            }
            c = count;
        }
        return false;
    }

    /** down_write_trylock: needs count == 0. */
    public boolean downWriteTrylock(Task t) {
        if (cas(0, WRITER_LOCKED)) {
            setOwner(t);
            t.writeOwned = this;
            return true;
        }
        return false;
    }

    /** up_read. */
    public void upRead(Task t) {
        long tmp = addAndGet(-READER_BIAS);
        if ((tmp & (LOCK_MASK | FLAG_WAITERS)) == FLAG_WAITERS) {
            nonspinnable = false; // clear_nonspinnable
            rwsemWake(t, WAKE_ANY);
        }
        if ((tmp & LOCK_MASK) == 0) kickSpinner(t);
    }

    /** up_write. */
    public void upWrite(Task t) {
        owner = null;
        readerOwned = false;
        if (t.writeOwned == this) t.writeOwned = null;
        long tmp = getAndAdd(-WRITER_LOCKED);
        if ((tmp & FLAG_WAITERS) != 0) rwsemWake(t, WAKE_ANY);
        kickSpinner(t);
    }

    /** downgrade_write: write → read atomically, then grant the queued readers at the front. */
    public void downgradeWrite(Task t) {
        long tmp = getAndAdd(-WRITER_LOCKED + READER_BIAS);
        setReaderOwned(t);
        if (t.writeOwned == this) t.writeOwned = null;
        if ((tmp & FLAG_WAITERS) != 0) rwsemWake(t, WAKE_READ_OWNED);
        kickSpinner(t);
    }

    private void rwsemWake(Task t, int type) {
        lockWait();
        if (first != null) markWake(t, type);
        unlockWait();
        t.wakeUpQ();
    }

    /** The osq head re-evaluates (the kernel's spinner polls; ours sleeps until told). */
    private void kickSpinner(Task t) {
        Task h = osqHead;
        if (h != null) t.driver.wake(h);
    }

    /** Driver hook: a write owner went to sleep, so the spinner must stop spinning on it. */
    void ownerBlocked(Task owner) {
        Task h = osqHead;
        if (h != null) owner.driver.wake(h);
    }

    // =====================================================================================
    // wait-list helpers (wait_lock held)
    // =====================================================================================
    private void addWaiter(Waiter w) {
        w.next = null;
        w.prev = last;
        if (last == null) first = w;
        else last.next = w;
        last = w;
        w.queued = true;
        nWaiters++;
    }

    private void unlinkWaiter(Waiter w) {
        if (w.prev == null) first = w.next;
        else w.prev.next = w.next;
        if (w.next == null) last = w.prev;
        else w.next.prev = w.prev;
        w.next = w.prev = null;
        w.queued = false;
        nWaiters--;
    }

    /** rwsem_del_waiter: true if waiters remain; otherwise clears WAITERS and HANDOFF. */
    private boolean delWaiter(Waiter w) {
        unlinkWaiter(w);
        if (first != null) return true;
        COUNT.getAndBitwiseAnd(this, ~(FLAG_HANDOFF | FLAG_WAITERS));
        return false;
    }

    /** rwsem_mark_wake; the woken tasks are put on {@code t}'s wake queue. */
    private void markWake(Task t, int wakeType) {
        Waiter w = first;
        if (w.write) {
            if (wakeType == WAKE_ANY) t.wakeQAdd(w.task);
            return;
        }
        if (count < 0) return; // too many readers already
        long adjustment = 0;
        if (wakeType != WAKE_READ_OWNED) {
            adjustment = READER_BIAS;
            long old = getAndAdd(adjustment);
            if ((old & WRITER_LOCKED) != 0) {
                if (t.driver.now() > w.timeout) {
                    if ((old & FLAG_HANDOFF) == 0) adjustment -= FLAG_HANDOFF;
                    w.handoffSet = true;
                }
                getAndAdd(-adjustment);
                return;
            }
            setReaderOwned(w.task);
        }
        // Grant every queued reader (writers keep their places), at most MAX_READERS_WAKEUP.
        int woken = 0;
        Waiter grantedHead = null, grantedTail = null;
        for (Waiter x = w, next; x != null; x = next) {
            next = x.next;
            if (x.write) continue;
            woken++;
            unlinkWaiter(x);
            if (grantedTail == null) grantedHead = x;
            else grantedTail.next = x;
            grantedTail = x;
            if (woken >= MAX_READERS_WAKEUP) break;
        }
        adjustment = woken * READER_BIAS - adjustment;
        long old = count;
        if (first == null) {
            adjustment -= FLAG_WAITERS;
            if ((old & FLAG_HANDOFF) != 0) adjustment -= FLAG_HANDOFF;
        } else if (woken > 0 && (old & FLAG_HANDOFF) != 0) {
            adjustment -= FLAG_HANDOFF;
        }
        if (adjustment != 0) getAndAdd(adjustment);
        for (Waiter x = grantedHead, next; x != null; x = next) {
            next = x.next;
            x.next = null;
            x.granted = true; // smp_store_release(&waiter->task, NULL)
            t.wakeQAdd(x.task);
        }
    }

    /** rwsem_cond_wake_waiter. */
    private void condWakeWaiter(Task t, long c) {
        if ((c & WRITER_LOCKED) != 0) return;
        int type;
        if ((c & READER_MASK) != 0) {
            type = WAKE_READERS;
        } else {
            type = WAKE_ANY;
            nonspinnable = false;
        }
        markWake(t, type);
    }

    /** rwsem_del_wake_waiter (wait_lock held on entry, released on return). */
    private void delWakeWaiter(Task t, Waiter w) {
        boolean wasFirst = first == w;
        if (delWaiter(w) && wasFirst) markWake(t, WAKE_ANY);
        unlockWait();
        t.wakeUpQ();
    }

    /** rwsem_try_write_lock (wait_lock held). */
    private boolean tryWriteLock(Task t, Waiter w) {
        Waiter f = first;
        long c = count;
        long nw;
        do {
            boolean hasHandoff = (c & FLAG_HANDOFF) != 0;
            if (hasHandoff && f.handoffSet && w != f) return false;
            nw = c;
            if ((c & LOCK_MASK) != 0) {
                if (hasHandoff || !(t.driver.now() > w.timeout)) return false;
                nw |= FLAG_HANDOFF;
            } else {
                nw |= WRITER_LOCKED;
                nw &= ~FLAG_HANDOFF;
                if (f.next == null) nw &= ~FLAG_WAITERS; // we are the only waiter
            }
            if (cas(c, nw)) break;
            c = count;
        } while (true);
        if ((nw & FLAG_HANDOFF) != 0) {
            f.handoffSet = true;
            return false;
        }
        unlinkWaiter(w);
        setOwner(t);
        t.writeOwned = this;
        return true;
    }

    /** rwsem_try_write_lock_unqueued (spinners): takes a free lock past queued waiters unless HANDOFF. */
    private boolean tryWriteLockUnqueued(Task t) {
        long c = count;
        while ((c & (LOCK_MASK | FLAG_HANDOFF)) == 0) {
            if (cas(c, c | WRITER_LOCKED)) {
                setOwner(t);
                t.writeOwned = this;
                return true;
            }
            c = count;
        }
        return false;
    }

    private boolean canSpinOnOwner() {
        if (!optimisticSpin || nonspinnable) return false;
        Task o = owner;
        return o == null || readerOwned || o.onCpu;
    }

    private int ownerState() {
        if (nonspinnable) return OWNER_NONSPINNABLE;
        if (readerOwned) return OWNER_READER;
        return owner != null ? OWNER_WRITER : OWNER_NULL;
    }

    // osq (wait_lock reused as the osq's lock)
    private boolean osqEnter(Task t) {
        lockWait();
        t.osqNext = null;
        t.inOsq = true;
        if (osqTail == null) osqHead = t;
        else osqTail.osqNext = t;
        osqTail = t;
        boolean head = osqHead == t;
        unlockWait();
        return head;
    }

    private void osqLeave(Task t) {
        lockWait();
        Task prev = null;
        for (Task x = osqHead; x != null; prev = x, x = x.osqNext) {
            if (x == t) {
                if (prev == null) osqHead = x.osqNext;
                else prev.osqNext = x.osqNext;
                if (osqTail == x) osqTail = prev;
                break;
            }
        }
        t.osqNext = null;
        t.inOsq = false;
        Task h = osqHead;
        unlockWait();
        if (h != null) t.driver.wake(h);
    }

    // =====================================================================================
    // down_read / down_read_killable
    // =====================================================================================
    /** down_read[_killable] as a step machine. Result in {@link Task#ret}: 0 or -EINTR. */
    public static final class DownRead extends Op {
        private Rwsem sem;
        private boolean killable;
        private long c;

        public DownRead init(Rwsem sem, boolean killable) {
            this.sem = sem;
            this.killable = killable;
            this.pc = 0;
            return this;
        }

        @Override
        public String name() {
            return killable ? "down_read_killable" : "down_read";
        }

        @Override
        public int step(Task t) {
            Rwsem s = sem;
            switch (pc) {
                case 0: { // rwsem_read_trylock: add the bias; success only if no flag is set
                    c = s.getAndAdd(READER_BIAS) + READER_BIAS;
                    if ((c & READ_FAILED_MASK) == 0) {
                        s.setReaderOwned(t);
                        t.ret = 0;
                        return DONE;
                    }
                    pc = 1;
                    return RUN;
                }
                case 1: { // rwsem_down_read_slowpath
                    long rcnt = c >>> READER_SHIFT;
                    if (!(s.readerOwned && rcnt > 1 && (c & WRITER_LOCKED) == 0)
                            && (c & (WRITER_LOCKED | FLAG_HANDOFF)) == 0) {
                        // reader optimistic lock stealing (even past queued waiters)
                        s.setReaderOwned(t);
                        InvariantChecker ck = t.driver.checker();
                        if (ck != null) ck.rwsemOvertake(t, s, "reader steal");
                        if (rcnt == 1 && (c & FLAG_WAITERS) != 0) {
                            s.lockWait();
                            if (s.first != null) s.markWake(t, WAKE_READ_OWNED);
                            s.unlockWait();
                            t.wakeUpQ();
                        }
                        t.ret = 0;
                        return DONE;
                    }
                    // queue
                    Waiter w = t.waiter;
                    w.write = false;
                    w.timeout = t.driver.now() + s.waitTimeoutNs;
                    w.handoffSet = false;
                    w.granted = false;
                    long adjustment = -READER_BIAS;
                    s.lockWait();
                    if (s.first == null) {
                        if ((s.count & WRITER_LOCKED) == 0) {
                            s.unlockWait();
                            s.setReaderOwned(t);
                            t.ret = 0;
                            return DONE; // queue empty, no writer: keep the bias, no event
                        }
                        adjustment += FLAG_WAITERS;
                    }
                    s.addWaiter(w);
                    long cnt = s.addAndGet(adjustment);
                    s.condWakeWaiter(t, cnt);
                    s.unlockWait();
                    t.wakeUpQ();
                    Trace.contentionBegin(t, s.listener, s.lockAddr, Trace.LCB_F_READ);
                    pc = 2;
                    return RUN;
                }
                case 2: { // wait to be given the lock
                    Waiter w = t.waiter;
                    if (w.granted) {
                        Trace.contentionEnd(t, s.listener, s.lockAddr, 0);
                        t.ret = 0;
                        return DONE;
                    }
                    if (killable && t.fatalSignal) {
                        s.lockWait();
                        if (!w.granted) {
                            s.delWakeWaiter(t, w);
                            Trace.contentionEnd(t, s.listener, s.lockAddr, -Trace.EINTR);
                            t.ret = -Trace.EINTR;
                            return DONE;
                        }
                        s.unlockWait();
                        Trace.contentionEnd(t, s.listener, s.lockAddr, 0);
                        t.ret = 0;
                        return DONE;
                    }
                    return BLOCK;
                }
                default:
                    throw new IllegalStateException(name() + " pc=" + pc);
            }
        }
    }

    // =====================================================================================
    // down_write / down_write_killable
    // =====================================================================================
    /** down_write[_killable] as a step machine. Result in {@link Task#ret}: 0 or -EINTR. */
    public static final class DownWrite extends Op {
        private static final int FAST = 0, OSQ_WAIT = 1, SPIN = 2, QUEUE = 3, TRY = 4, HANDOFF_SPIN = 5;
        private Rwsem sem;
        private boolean killable;
        private int prevOwnerState;
        private long rspinDeadline;

        public DownWrite init(Rwsem sem, boolean killable) {
            this.sem = sem;
            this.killable = killable;
            this.pc = FAST;
            return this;
        }

        @Override
        public String name() {
            return killable ? "down_write_killable" : "down_write";
        }

        @Override
        public int step(Task t) {
            Rwsem s = sem;
            switch (pc) {
                case FAST: // rwsem_write_trylock: 0 -> WRITER_LOCKED
                    if (s.cas(0, WRITER_LOCKED)) {
                        s.setOwner(t);
                        t.writeOwned = s;
                        t.ret = 0;
                        return DONE;
                    }
                    if (s.canSpinOnOwner()) {
                        prevOwnerState = OWNER_NULL;
                        pc = s.osqEnter(t) ? SPIN : OSQ_WAIT;
                    } else {
                        pc = QUEUE;
                    }
                    return RUN;
                case OSQ_WAIT: // queued behind another spinner
                    if (s.osqHead == t) {
                        pc = SPIN;
                        return RUN;
                    }
                    if (s.osqHead == null) { // defensive: osq drained under us
                        s.osqLeave(t);
                        pc = QUEUE;
                        return RUN;
                    }
                    return BLOCK;
                case SPIN: { // rwsem_optimistic_spin, one iteration per step
                    int st = s.ownerState();
                    if (st == OWNER_WRITER) {
                        Task o = s.owner;
                        if (o != null && !s.readerOwned && o.onCpu) {
                            // rwsem_spin_on_owner: spin while the same writer runs
                            if (s.tryWriteLockUnqueued(t)) return spunIn(t, s);
                            t.spinning = true;
                            return BLOCK;
                        }
                        if (o != null && !s.readerOwned) st = OWNER_NONSPINNABLE;
                    }
                    if (st == OWNER_NONSPINNABLE) return stopSpinning(t, s);
                    if (s.tryWriteLockUnqueued(t)) return spunIn(t, s);
                    if (st == OWNER_READER) {
                        long now = t.driver.now();
                        if (prevOwnerState != OWNER_READER) {
                            if (s.nonspinnable) return stopSpinning(t, s);
                            int readers = (int) Math.min(30, s.count >>> READER_SHIFT);
                            rspinDeadline = now + (20 + readers) * 1000L / 2;
                        } else if (now > rspinDeadline) {
                            s.nonspinnable = true;
                            return stopSpinning(t, s);
                        }
                        prevOwnerState = st;
                        t.deadline = rspinDeadline + 1;
                        t.spinning = true;
                        return BLOCK;
                    }
                    return stopSpinning(t, s); // OWNER_NULL and the trylock failed: see class comment
                }
                case QUEUE: {
                    Waiter w = t.waiter;
                    w.write = true;
                    w.timeout = t.driver.now() + s.waitTimeoutNs;
                    w.handoffSet = false;
                    w.granted = false;
                    s.lockWait();
                    if (s.first != null) {
                        s.addWaiter(w);
                        s.condWakeWaiter(t, s.count);
                    } else {
                        s.addWaiter(w);
                        COUNT.getAndBitwiseOr(s, FLAG_WAITERS);
                    }
                    s.unlockWait();
                    t.wakeUpQ();
                    Trace.contentionBegin(t, s.listener, s.lockAddr, Trace.LCB_F_WRITE);
                    pc = TRY;
                    return RUN;
                }
                case TRY: {
                    Waiter w = t.waiter;
                    s.lockWait();
                    if (s.tryWriteLock(t, w)) {
                        s.unlockWait();
                        Trace.contentionEnd(t, s.listener, s.lockAddr, 0);
                        t.ret = 0;
                        return DONE;
                    }
                    s.unlockWait();
                    if (killable && t.fatalSignal) {
                        s.lockWait();
                        s.delWakeWaiter(t, w);
                        Trace.contentionEnd(t, s.listener, s.lockAddr, -Trace.EINTR);
                        t.ret = -Trace.EINTR;
                        return DONE;
                    }
                    if (w.handoffSet) {
                        Task o = s.owner;
                        if (o == null && !s.readerOwned) return RUN; // OWNER_NULL: trylock again at once
                        if (!s.readerOwned && !s.nonspinnable && o.onCpu) {
                            pc = HANDOFF_SPIN;
                            t.spinning = true;
                            return BLOCK;
                        }
                    }
                    return BLOCK;
                }
                case HANDOFF_SPIN:
                    pc = TRY;
                    return RUN;
                default:
                    throw new IllegalStateException(name() + " pc=" + pc);
            }
        }

        private int spunIn(Task t, Rwsem s) {
            InvariantChecker ck = t.driver.checker();
            if (ck != null) ck.rwsemOvertake(t, s, "writer optimistic spin");
            s.osqLeave(t);
            t.ret = 0;
            return DONE;
        }

        private int stopSpinning(Task t, Rwsem s) {
            s.osqLeave(t);
            pc = QUEUE;
            return RUN;
        }
    }
}
