package vmalock.replay;

import java.util.Arrays;

/**
 * The operations of one task on one mm, in trace order, stored column-wise in primitive arrays
 * (≈90 bytes per operation, no object per operation).
 *
 * <p>Times are in the trace's clock (ns). {@link #think} and {@link #service} are derived by
 * {@link #finish(long)}: the service time is the observed hold where the trace shows it (a fallback
 * fault's read hold, a section's hold) and the fault-cost estimate for faults handled under the per-VMA
 * lock, capped by the gap to the task's next operation so the task's observed timeline is preserved;
 * the think time is the gap between one operation's observed end and the next one's start.
 */
public final class Ops {
    // kinds
    public static final int FAULT = 0;
    public static final int READ = 1;
    public static final int WRITE = 2;
    /** A syscall served under the per-VMA lock in the trace (MADV_DONTNEED in one VMA): no mmap_lock events. */
    public static final int VMA_SYSCALL = 3;

    // observed fault paths
    public static final int PATH_VMA = 0;
    public static final int PATH_FALLBACK = 1;
    public static final int PATH_TRYLOCK_FAILED = 2;

    // reader classes (READ)
    public static final int CLASS_REMOTE = 0;
    public static final int CLASS_MADVISE = 1;
    public static final int CLASS_OTHER = 2;
    /**
     * A read() of a /proc/PID/maps file, from the trace's open-path evidence (the reader task's op in the
     * target's address space): start = read enter, end = read exit, whatever locks the traced kernel took.
     */
    public static final int CLASS_MAPS = 3;
    public static final String[] CLASS_NAMES = {"remote", "madvise", "other", "maps"};

    // flag bits
    public static final int F_TRYLOCK = 1;       // READ: a trylock (observed success=false, no retry)
    public static final int F_FAILED = 2;        // acquisition failed in the trace
    public static final int F_DOWNGRADE = 4;     // WRITE ended in mmap_write_downgrade
    public static final int F_NO_RELEASE = 8;    // section never released in the trace (end estimated)
    public static final int F_FORK = 16;         // WRITE on the own mm while dup_mmap write-locks a child mm: fork
    /** READ inside process_vm_readv/writev: pin_user_pages_remote under mmap_read_lock, not __access_remote_vm. */
    public static final int F_GUP = 32;
    /**
     * READ (remote) inside pread64: one mem_rw() page of /proc/PID/mem — __access_remote_vm at
     * {@link #addr} for {@link #a1} bytes (≤ one page).
     */
    public static final int F_MEM = 64;
    /** READ (maps): the traced kernel took mmap_lock on the target inside this read (pre-6.17 m_start, or 6.17+ fallbacks). */
    public static final int F_MAPS_SECTIONS = 128;
    /**
     * READ inside a read() of /proc/PID/cmdline or environ (the open-path evidence names the file): one
     * __access_remote_vm copy per page — van Riel's fast path applies.
     */
    public static final int F_PROC_ARGS = 256;
    /**
     * READ inside a read() of /proc/PID/smaps, smaps_rollup, numa_maps or pagemap (open-path evidence): a page-table
     * walk under mmap_read_lock on every kernel and policy.
     */
    public static final int F_PROC_WALK = 512;

    int n;
    int[] kind;
    int[] sub;      // FAULT: path; READ: class; WRITE/VMA_SYSCALL: Syscall ordinal
    int[] flags;
    long[] start;  // fault ts / start_locking ts / sys_enter ts
    long[] acq;    // acquire_returned ts (0 if none)
    long[] end;    // release / downgrade / sys_exit ts; -1 unknown
    long[] addr;   // fault address / syscall arg0
    long[] a1;     // error code / syscall arg1 (len)
    long[] a2;     // syscall arg2 (prot / behavior / new_len)
    long[] a3;     // syscall arg3 (mmap flags / mremap flags)
    long[] ret;    // syscall return value
    long[] post;   // WRITE+DOWNGRADE: read hold after the downgrade; VMA_SYSCALL madvise: sys_enter → its first
                   // tlb_flush (the zap's end) when the trace shows one (ns, -1 unknown)
    long[] scPre;  // WRITE inside a syscall: sys_enter → start_locking (ns, -1 not in a syscall)
    long[] scTail; // WRITE inside a syscall: end of the section (incl. post-downgrade hold) → sys_exit (ns, -1 unknown)
    long[] think = new long[0];
    long[] service = new long[0];
    /**
     * Derived, VMA_SYSCALL: the part of {@link #service} after the VMA read lock is dropped — madvise's
     * tlb_finish_mmu (the TLB flush, IPIs to the other CPUs running the mm, the freeing of the zapped pages)
     * comes after vma_end_read for the behaviours that batch TLB flushes ({@link #zapUnderVmaLock}).
     */
    long[] tail = new long[0];
    /** Derived: time the task slept (blocked off CPU, not on a traced lock) before the op, ns. */
    long[] sleep = new long[0];
    /**
     * The last sleep before each operation: what ended it ({@link SchedTimeline#WOKEN_NOT_SEEN} …, bits 0-2), and the
     * index of its interval in the {@link #timeline} (bits 3-) when a traced task woke it; then {@link #depSleep} is its
     * recorded length, not part of {@link #sleep}: the replay ends it when the waker gets there. -1: no sleep.
     */
    int[] wake = new int[0];
    long[] depSleep = new long[0];
    /** The task's off-CPU timeline, or null: then think is the whole gap (no split). */
    SchedTimeline timeline;

    /** Operations in this view (a streaming view: all of the task's, most of them still on disk). */
    public int size() {
        return total >= 0 ? total : n;
    }

    int add(int k, int s, long ts) {
        if (n == kind.length) grow();
        int i = n++;
        kind[i] = k;
        sub[i] = s;
        flags[i] = 0;
        start[i] = ts;
        acq[i] = 0;
        end[i] = -1;
        addr[i] = a1[i] = a2[i] = a3[i] = ret[i] = 0;
        post[i] = -1;
        scPre[i] = -1;
        scTail[i] = -1;
        return i;
    }

    private void grow() {
        resize(Math.max(2, kind.length * 2));
    }

    /**
     * Derives think and service times; {@code faultCostNs} is the estimate for per-VMA-lock faults. The
     * columns are trimmed to the operations first: a workload of many tasks with few operations each keeps
     * no spare slots for the whole replay.
     */
    void finish(long faultCostNs) {
        finish(faultCostNs, 0, 0, 0);
    }

    /**
     * As {@link #finish(long)}; with {@code gapScale} &gt; 0 a per-VMA-lock fault whose gap to its task's next
     * event is known ({@link #a2}) costs that gap times {@code gapScale} when the gap is over {@code gapTail} ns,
     * else {@code gapBody} (the scaled mean of such gaps); a fault with no known gap costs {@code faultCostNs}.
     */
    void finish(long faultCostNs, double gapScale, long gapTail, long gapBody) {
        finish(faultCostNs, gapScale, gapTail, gapBody, 0);
    }

    /**
     * As above; a per-VMA-lock madvise that batches its TLB flush and has no traced flush ({@link #post}) zaps for at
     * most {@code zapNsPerPage} per page of its range under the VMA lock (0: its whole service).
     */
    void finish(long faultCostNs, double gapScale, long gapTail, long gapBody, long zapNsPerPage) {
        this.zapNsPerPage = zapNsPerPage;
        this.gapScale = gapScale;
        this.gapTail = gapTail;
        this.gapBody = gapBody;
        if (kind.length != n) resize(n);
        think = new long[n];
        service = new long[n];
        tail = new long[n];
        sleep = new long[n];
        wake = new int[n];
        depSleep = new long[n];
        prevEnd = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) derive(i, i + 1 < n ? start[i + 1] : Long.MAX_VALUE, faultCostNs);
    }

    /** See {@link #finish(long, double, long, long, long)}. */
    private long zapNsPerPage;

    /** madvise behaviours that batch the TLB flush (madvise_batch_tlb_flush): DONTNEED, FREE, DONTNEED_LOCKED. */
    static boolean zapUnderVmaLock(long behavior) {
        return behavior == 4 || behavior == 8 || behavior == 24;
    }

    /** Per-VMA-lock fault cost per ns of its traced gap to the next event, 0: every such fault costs the estimate. */
    private double gapScale;
    /** Gaps up to {@code gapTail} ns are truncation noise: such a fault costs {@code gapBody} (their scaled mean). */
    private long gapTail, gapBody;

    /** End of the previous derived operation (think-time origin). */
    private long prevEnd = Long.MIN_VALUE;

    /** Derives slot {@code i}'s service and think time; {@code nextStart} is the next operation's start. */
    private void derive(int i, long nextStart, long faultCostNs) {
        long s;
        long locked = -1; // VMA_SYSCALL: the part under the VMA lock, -1: all of it
        switch (kind[i]) {
            case FAULT:
                if (sub[i] == PATH_VMA || end[i] < 0) {
                    // a per-VMA-lock fault has no end event: the estimate, or its own gap to the next event scaled
                    // to the estimate's mean (the gap's length is this fault's evidence: a slow fault, an interrupt)
                    long c = gapScale > 0 && sub[i] == PATH_VMA && a2[i] >= 0
                            ? a2[i] > gapTail ? Math.round(a2[i] * gapScale) : gapBody : faultCostNs;
                    s = Math.max(0, Math.min(c, nextStart - start[i]));
                    end[i] = start[i] + s;
                } else {
                    s = end[i] - acq[i];
                }
                break;
            case VMA_SYSCALL:
                s = end[i] - start[i];
                if (sub[i] == vmalock.event.Syscall.MADVISE.ordinal() && zapUnderVmaLock(a2[i])) {
                    long pages = Math.max(1, (a1[i] + AddressSpace.PAGE - 1) / AddressSpace.PAGE);
                    locked = post[i] >= 0 ? Math.min(s, post[i]) : zapNsPerPage > 0 ? Math.min(s, zapNsPerPage * pages) : s;
                }
                break;
            default:
                if ((flags[i] & F_FAILED) != 0) {
                    s = 0;
                    end[i] = acq[i];
                } else if (end[i] < 0) {
                    flags[i] |= F_NO_RELEASE;
                    s = Math.max(0, Math.min(faultCostNs, nextStart - acq[i]));
                    end[i] = acq[i] + s;
                } else {
                    s = end[i] - acq[i];
                }
        }
        SchedTimeline tl = timeline;
        if (tl != null && s > 0) {
            // runnable time inside the hold (a preempted holder): the CPU model recreates it
            long from = kind[i] == FAULT && sub[i] == PATH_VMA || kind[i] == VMA_SYSCALL ? start[i] : acq[i];
            long hold = s;
            s -= tl.overlap(from, from + hold, SchedTimeline.RUNNABLE);
            if (locked >= 0) locked -= tl.overlap(from, from + locked, SchedTimeline.RUNNABLE);
            // a write section's sleep on a per-VMA-lock kernel: vma_start_write waiting for VMA readers,
            // which the lock model recreates (SchedTimeline#vmaLockKernel)
            if (kind[i] == WRITE && tl.vmaLockKernel) s -= tl.overlap(from, from + hold, SchedTimeline.BLOCKED);
        }
        service[i] = Math.max(0, s);
        tail[i] = locked < 0 ? 0 : Math.max(0, service[i] - Math.max(0, locked));
        // the first operation: a sleep just before it that a traced task ended (a worker's first job) is a dependency
        // too, and its think is the compute between that wake-up and the operation
        int firstWake = prevEnd == Long.MIN_VALUE && tl != null ? tl.firstOpWake(start[i]) : -1;
        long origin = firstWake >= 0 ? tl.end(firstWake) : prevEnd;
        long gap = origin == Long.MIN_VALUE ? 0 : Math.max(0, start[i] - origin);
        if (tl != null && gap > 0) {
            long slept = tl.overlap(origin, start[i], SchedTimeline.BLOCKED);
            long runnable = tl.overlap(origin, start[i], SchedTimeline.RUNNABLE);
            sleep[i] = slept;
            gap = Math.max(0, gap - slept - runnable);
            int b = slept > 0 ? tl.lastBlockedWithin(origin, start[i]) : -1;
            if (b < 0) {
                wake[i] = -1;
                depSleep[i] = 0;
            } else {
                byte by = tl.wokenBy(b);
                wake[i] = by | (by == SchedTimeline.WOKEN_BY_TRACED_TASK ? b << 3 : 0);
                depSleep[i] = by == SchedTimeline.WOKEN_BY_TRACED_TASK ? Math.min(slept, tl.length(b)) : 0;
                sleep[i] = slept - depSleep[i];
            }
        } else {
            sleep[i] = 0;
            wake[i] = -1;
            depSleep[i] = 0;
        }
        if (firstWake >= 0) {
            wake[i] = SchedTimeline.WOKEN_BY_TRACED_TASK | firstWake << 3;
            depSleep[i] = tl.length(firstWake);
        }
        think[i] = gap;
        prevEnd = Math.max(end[i], start[i]);
        if ((flags[i] & F_DOWNGRADE) != 0 && post[i] > 0) prevEnd = Math.max(prevEnd, end[i] + post[i]);
    }

    // ---- spilling (bounded memory) ------------------------------------------------------------------

    /** Bytes of one spilled operation: kind, sub, flags (int) and 9 longs. */
    static final int RECORD = 3 * 4 + 11 * 8;

    /** Writes slots {@code [0, k)} into {@code b} (raw, not derived). */
    void encode(int k, java.nio.ByteBuffer b) {
        for (int i = 0; i < k; i++) {
            b.putInt(kind[i]).putInt(sub[i]).putInt(flags[i]);
            b.putLong(start[i]).putLong(acq[i]).putLong(end[i]).putLong(addr[i]).putLong(a1[i]).putLong(a2[i])
                    .putLong(a3[i]).putLong(ret[i]).putLong(post[i]).putLong(scPre[i]).putLong(scTail[i]);
        }
    }

    /** Drops slots {@code [0, k)} (they were spilled): slot k becomes slot 0. */
    void dropPrefix(int k) {
        int m = n - k;
        System.arraycopy(kind, k, kind, 0, m);
        System.arraycopy(sub, k, sub, 0, m);
        System.arraycopy(flags, k, flags, 0, m);
        System.arraycopy(start, k, start, 0, m);
        System.arraycopy(acq, k, acq, 0, m);
        System.arraycopy(end, k, end, 0, m);
        System.arraycopy(addr, k, addr, 0, m);
        System.arraycopy(a1, k, a1, 0, m);
        System.arraycopy(a2, k, a2, 0, m);
        System.arraycopy(a3, k, a3, 0, m);
        System.arraycopy(ret, k, ret, 0, m);
        System.arraycopy(post, k, post, 0, m);
        System.arraycopy(scPre, k, scPre, 0, m);
        System.arraycopy(scTail, k, scTail, 0, m);
        n = m;
        if (kind.length > 4 * Math.max(16, m)) resize(Math.max(16, 2 * m));
    }

    private void resize(int c) {
        kind = Arrays.copyOf(kind, c);
        sub = Arrays.copyOf(sub, c);
        flags = Arrays.copyOf(flags, c);
        start = Arrays.copyOf(start, c);
        acq = Arrays.copyOf(acq, c);
        end = Arrays.copyOf(end, c);
        addr = Arrays.copyOf(addr, c);
        a1 = Arrays.copyOf(a1, c);
        a2 = Arrays.copyOf(a2, c);
        a3 = Arrays.copyOf(a3, c);
        ret = Arrays.copyOf(ret, c);
        post = Arrays.copyOf(post, c);
        scPre = Arrays.copyOf(scPre, c);
        scTail = Arrays.copyOf(scTail, c);
    }

    private void decode(int i, java.nio.ByteBuffer b) {
        kind[i] = b.getInt();
        sub[i] = b.getInt();
        flags[i] = b.getInt();
        start[i] = b.getLong();
        acq[i] = b.getLong();
        end[i] = b.getLong();
        addr[i] = b.getLong();
        a1[i] = b.getLong();
        a2[i] = b.getLong();
        a3[i] = b.getLong();
        ret[i] = b.getLong();
        post[i] = b.getLong();
        scPre[i] = b.getLong();
        scTail[i] = b.getLong();
    }

    // ---- streaming view (replay of a spilled task) --------------------------------------------------

    /** Operations per window of a streaming view. */
    static final int WINDOW = 64;
    /** Absolute index of slot 0 (streaming views; 0 otherwise). */
    private int base;
    private int total = -1;
    private Spill.Reader reader;
    private boolean hasLook;
    private long cost;
    private int readClass;

    /**
     * A sequential view of a spilled task's operations: windows of {@link #WINDOW} operations are read
     * from the spill file and derived (think/service, the reader class) as they are reached, with the
     * same code as {@link #finish}; indexes only move forward.
     */
    static Ops streaming(Spill.Reader r, int total, long faultCostNs, double gapScale, long gapTail, long gapBody,
                         int readClass, long zapNsPerPage) {
        Ops o = new Ops(0);
        o.zapNsPerPage = zapNsPerPage;
        o.reader = r;
        o.total = total;
        o.cost = faultCostNs;
        o.gapScale = gapScale;
        o.gapTail = gapTail;
        o.gapBody = gapBody;
        o.readClass = readClass;
        return o;
    }

    /** Starts empty: the columns grow with the first operation (a task may have only one or two). */
    Ops() {
        this(0);
    }

    private Ops(int c) {
        alloc(c);
    }

    private void alloc(int c) {
        kind = new int[c];
        sub = new int[c];
        flags = new int[c];
        start = new long[c];
        acq = new long[c];
        end = new long[c];
        addr = new long[c];
        a1 = new long[c];
        a2 = new long[c];
        a3 = new long[c];
        ret = new long[c];
        post = new long[c];
        scPre = new long[c];
        scTail = new long[c];
        if (reader != null) {
            think = new long[c];
            service = new long[c];
            tail = new long[c];
            sleep = new long[c];
            wake = new int[c];
            depSleep = new long[c];
        }
    }

    /** A streaming view that has been read to its end gives its window back (a task's replay ended). */
    void release() {
        if (reader == null) return;
        alloc(0);
        think = service = tail = sleep = depSleep = new long[0];
        wake = new int[0];
        n = 0;
    }

    private int slot(int i) {
        int s = i - base;
        if (s < n) return s;
        if (reader == null || s != n) throw new IllegalStateException("operation " + i + " out of order");
        refill();
        return i - base;
    }

    private void refill() {
        if (kind.length == 0) alloc(WINDOW + 1); // first use: the window is allocated when the task runs
        int m = 0;
        if (hasLook) {
            kind[0] = kind[n]; sub[0] = sub[n]; flags[0] = flags[n];
            start[0] = start[n]; acq[0] = acq[n]; end[0] = end[n]; addr[0] = addr[n];
            a1[0] = a1[n]; a2[0] = a2[n]; a3[0] = a3[n]; ret[0] = ret[n]; post[0] = post[n];
            scPre[0] = scPre[n]; scTail[0] = scTail[n];
            m = 1;
        }
        base += n;
        int want = Math.min(WINDOW + 1 - m, total - base - m);
        if (want > 0) {
            java.nio.ByteBuffer b = reader.read(want);
            for (int j = 0; j < want; j++) decode(m + j, b);
            m += want;
        }
        n = Math.min(m, WINDOW);
        hasLook = m > WINDOW;
        for (int j = 0; j < n; j++) {
            if (kind[j] == READ && sub[j] < 0) sub[j] = readClass;
            derive(j, j + 1 < m ? start[j + 1] : Long.MAX_VALUE, cost);
        }
    }

    public int kind(int i) {
        int s = slot(i); // before the array is read: a refill may replace it
        return kind[s];
    }
    public int sub(int i) {
        int s = slot(i); // before the array is read: a refill may replace it
        return sub[s];
    }
    public int flags(int i) {
        int s = slot(i); // before the array is read: a refill may replace it
        return flags[s];
    }
    public long start(int i) {
        int s = slot(i); // before the array is read: a refill may replace it
        return start[s];
    }
    public long acq(int i) {
        int s = slot(i); // before the array is read: a refill may replace it
        return acq[s];
    }
    public long end(int i) {
        int s = slot(i); // before the array is read: a refill may replace it
        return end[s];
    }
    public long addr(int i) {
        int s = slot(i); // before the array is read: a refill may replace it
        return addr[s];
    }
    public long a1(int i) {
        int s = slot(i); // before the array is read: a refill may replace it
        return a1[s];
    }
    public long a2(int i) {
        int s = slot(i); // before the array is read: a refill may replace it
        return a2[s];
    }
    public long a3(int i) {
        int s = slot(i); // before the array is read: a refill may replace it
        return a3[s];
    }
    public long ret(int i) {
        int s = slot(i); // before the array is read: a refill may replace it
        return ret[s];
    }
    public long post(int i) {
        int s = slot(i); // before the array is read: a refill may replace it
        return post[s];
    }
    public long scPre(int i) {
        int s = slot(i); // before the array is read: a refill may replace it
        return scPre[s];
    }
    public long scTail(int i) {
        int s = slot(i); // before the array is read: a refill may replace it
        return scTail[s];
    }
    public long think(int i) {
        int s = slot(i); // before the array is read: a refill may replace it
        return think[s];
    }
    public long sleep(int i) {
        int s = slot(i); // before the array is read: a refill may replace it
        return sleep[s];
    }
    /** See {@link #wake}: -1 when no sleep precedes operation {@code i}. */
    public int wake(int i) {
        int s = slot(i); // before the array is read: a refill may replace it
        return wake[s];
    }
    public long depSleep(int i) {
        int s = slot(i); // before the array is read: a refill may replace it
        return depSleep[s];
    }
    public long service(int i) {
        int s = slot(i); // before the array is read: a refill may replace it
        return service[s];
    }
    /** See {@link #tail}. */
    public long tail(int i) {
        int s = slot(i); // before the array is read: a refill may replace it
        return tail[s];
    }
}
