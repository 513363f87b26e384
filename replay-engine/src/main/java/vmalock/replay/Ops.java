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
    public static final String[] CLASS_NAMES = {"remote", "madvise", "other"};

    // flag bits
    public static final int F_TRYLOCK = 1;       // READ: a trylock (observed success=false, no retry)
    public static final int F_FAILED = 2;        // acquisition failed in the trace
    public static final int F_DOWNGRADE = 4;     // WRITE ended in mmap_write_downgrade
    public static final int F_NO_RELEASE = 8;    // section never released in the trace (end estimated)
    public static final int F_FORK = 16;         // WRITE on the own mm while dup_mmap write-locks a child mm: fork

    int n;
    int[] kind = new int[16];
    int[] sub = new int[16];      // FAULT: path; READ: class; WRITE/VMA_SYSCALL: Syscall ordinal
    int[] flags = new int[16];
    long[] start = new long[16];  // fault ts / start_locking ts / sys_enter ts
    long[] acq = new long[16];    // acquire_returned ts (0 if none)
    long[] end = new long[16];    // release / downgrade / sys_exit ts; -1 unknown
    long[] addr = new long[16];   // fault address / syscall arg0
    long[] a1 = new long[16];     // error code / syscall arg1 (len)
    long[] a2 = new long[16];     // syscall arg2 (prot / behavior / new_len)
    long[] a3 = new long[16];     // syscall arg3 (mmap flags / mremap flags)
    long[] ret = new long[16];    // syscall return value
    long[] post = new long[16];   // WRITE+DOWNGRADE: read hold after the downgrade (ns, -1 unknown)
    long[] think = new long[0];
    long[] service = new long[0];

    public int size() {
        return n;
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
        return i;
    }

    private void grow() {
        int c = kind.length * 2;
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
    }

    /** Derives think and service times; {@code faultCostNs} is the estimate for per-VMA-lock faults. */
    void finish(long faultCostNs) {
        think = new long[n];
        service = new long[n];
        long prevEnd = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            long s;
            long nextStart = i + 1 < n ? start[i + 1] : Long.MAX_VALUE;
            switch (kind[i]) {
                case FAULT:
                    if (sub[i] == PATH_VMA || end[i] < 0) {
                        s = Math.max(0, Math.min(faultCostNs, nextStart - start[i]));
                        end[i] = start[i] + s;
                    } else {
                        s = end[i] - acq[i];
                    }
                    break;
                case VMA_SYSCALL:
                    s = end[i] - start[i];
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
            service[i] = Math.max(0, s);
            think[i] = prevEnd == Long.MIN_VALUE ? 0 : Math.max(0, start[i] - prevEnd);
            prevEnd = Math.max(end[i], start[i]);
            if ((flags[i] & F_DOWNGRADE) != 0 && post[i] > 0) prevEnd = Math.max(prevEnd, end[i] + post[i]);
        }
    }

    public int kind(int i) { return kind[i]; }
    public int sub(int i) { return sub[i]; }
    public int flags(int i) { return flags[i]; }
    public long start(int i) { return start[i]; }
    public long acq(int i) { return acq[i]; }
    public long end(int i) { return end[i]; }
    public long addr(int i) { return addr[i]; }
    public long a1(int i) { return a1[i]; }
    public long a2(int i) { return a2[i]; }
    public long a3(int i) { return a3[i]; }
    public long ret(int i) { return ret[i]; }
    public long post(int i) { return post[i]; }
    public long think(int i) { return think[i]; }
    public long service(int i) { return service[i]; }
}
