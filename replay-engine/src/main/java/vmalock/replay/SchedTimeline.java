package vmalock.replay;

import java.util.Arrays;
import java.util.List;

/**
 * When one traced task was off CPU, from {@code sched_switch} and {@code sched_wakeup}/{@code sched_waking}:
 * intervals in which it was <em>blocked</em> (switched out in a sleeping state until its wake-up) or
 * <em>runnable</em> (preempted, or woken and waiting for a CPU). Every event a task emits is emitted
 * while it runs, so each interval lies between two of its events and splits the gap between two of
 * its operations exactly into on-CPU compute, runnable wait and sleep.
 */
final class SchedTimeline {
    static final byte RUNNABLE = 0, BLOCKED = 1;

    private long[] start = new long[16], end = new long[16];
    private byte[] type = new byte[16];
    /** Per BLOCKED interval: what ended it ({@link #WOKEN_NOT_SEEN} …), and the task's wake-up when a traced task's. */
    private byte[] wokenBy = new byte[16];
    private WakeDep[] dep = new WakeDep[16];

    /** No sched_waking/sched_wakeup of the task was seen before it ran again. */
    static final byte WOKEN_NOT_SEEN = 0;
    /** Woken by an event whose line did not show its context (no flags column, or sched_wakeup only). */
    static final byte WOKEN_CONTEXT_UNKNOWN = 1;
    /** Woken in interrupt context (hardirq, softirq, NMI): a timer, a device — the trace's own clock. */
    static final byte WOKEN_IN_INTERRUPT = 2;
    /** Woken in task context by a task with no traced operations (or the idle task). */
    static final byte WOKEN_BY_UNTRACED_TASK = 3;
    /** Woken in task context by a task with traced operations: {@link #dep(int)} says where in its work. */
    static final byte WOKEN_BY_TRACED_TASK = 4;

    /**
     * A wake-up by a traced task, in task context (sched_waking; the ftrace flags column shows no interrupt): the waker,
     * when, its last traced event before it, and — {@link #resolve}d once the trace is read — how many operations it
     * had begun on each address space it worked on.
     */
    static final class WakeDep {
        final int wakerTid;
        final long wakeTs;
        final long wakerLastTs;
        /** The waker's operations begun by then, per address space (set by {@link #resolve}). */
        MmWork[] mms = new MmWork[0];
        int[] begun = new int[0];
        /** The waker's timeline (null without sched events): its on-CPU time between its last event and the wake-up. */
        final SchedTimeline wakerTimeline;
        /** Operations of each of the waker's works spilled to disk that began before the wake-up (null: none spilled). */
        private java.util.IdentityHashMap<TaskWork, Integer> spilledBefore;

        WakeDep(int wakerTid, long wakeTs, long wakerLastTs, SchedTimeline wakerTimeline) {
            this.wakerTid = wakerTid;
            this.wakeTs = wakeTs;
            this.wakerLastTs = wakerLastTs;
            this.wakerTimeline = wakerTimeline;
        }

        /** The waker spills {@code ops}' first {@code k} operations of {@code w}: those begun before the wake-up count. */
        void spilling(TaskWork w, Ops ops, int k) {
            if (k == 0 || ops.start[0] >= wakeTs) return;
            int c = 0;
            for (int j = 0; j < k; j++) if (ops.start[j] < wakeTs) c++;
            if (spilledBefore == null) spilledBefore = new java.util.IdentityHashMap<>();
            spilledBefore.merge(w, c, Integer::sum);
        }

        /**
         * The waker's operations begun before the wake-up, per address space: those that started before it (an
         * operation it was inside of counts: the sleeper wakes after it), spilled or not — the same figure whatever
         * the memory limit.
         */
        void resolve(List<MmWork> workMms, List<TaskWork> works) {
            int k = works.size();
            mms = workMms.toArray(new MmWork[0]);
            begun = new int[k];
            for (int i = 0; i < k; i++) {
                TaskWork w = works.get(i);
                int c = spilledBefore == null ? 0 : spilledBefore.getOrDefault(w, 0);
                for (int j = 0; j < w.ops.n; j++) if (w.ops.start[j] < wakeTs) c++;
                begun[i] = c;
            }
        }

        /** Operations the waker had begun on {@code mm} when it woke the sleeper, or -1 if it worked on another only. */
        int begunOn(MmWork mm) {
            for (int i = 0; i < mms.length; i++) if (mms[i] == mm) return begun[i];
            return -1;
        }

        /** The waker's on-CPU time from its last traced event to the wake-up (its off-CPU intervals taken out). */
        long computeNs() {
            long gap = Math.max(0, wakeTs - wakerLastTs);
            if (wakerTimeline == null || gap == 0) return gap;
            return Math.max(0, gap - wakerTimeline.overlap(wakerLastTs, wakeTs, BLOCKED)
                    - wakerTimeline.overlap(wakerLastTs, wakeTs, RUNNABLE));
        }
    }
    private long[] prefixR, prefixB;
    private int n;

    // state of the builder
    private long outTs = -1, wakeTs = -1;
    private boolean outBlocked;
    /** Whether the recorded wake-up was emitted by a running task (a lock release, a futex wake), not by idle. */
    private boolean wakeByTask, lastWakeByTask;
    /** What the pending wake-up says of its waker ({@link #WOKEN_NOT_SEEN} …), and the dependency when a traced task's. */
    private byte wakeKind;
    private WakeDep wakeDep;
    /** When the task was last switched in (-1: not seen). */
    private long inTs = -1;
    /** The CPU it last ran on (sched_switch's CPU when switched out), -1: not seen. */
    int lastCpu = -1;
    /** The CPU whose run queue it waits on, runnable but not running (woken there or preempted there); -1: none seen. */
    int queuedCpu = -1;
    /**
     * At its last sched_waking (before the kernel picks a CPU): the CPU it last ran on, whether that CPU was busy and
     * whether another was idle; {@code wakePrev} -1 when no sched_waking is pending.
     */
    int wakePrev = -1;
    boolean wakePrevBusy, wakeOtherIdle;

    /** How long the task had run since its last switch-in when switched out at {@code ts}, or -1. */
    long ranUntil(long ts) {
        return inTs >= 0 && ts >= inTs ? ts - inTs : -1;
    }

    /** The task was switched out at {@code ts}; {@code state} is sched_switch's prev_state. */
    void switchOut(long ts, String state) {
        outTs = ts;
        wakeTs = -1;
        wakeKind = WOKEN_NOT_SEEN;
        wakeDep = null;
        outBlocked = state != null && !state.isEmpty() && state.charAt(0) != 'R';
    }

    /**
     * A sched_waking/sched_wakeup of this task at {@code ts}, emitted by a running task when {@code byTask}; what the
     * event says of its waker ({@code kind}: {@link #WOKEN_CONTEXT_UNKNOWN} …) and, for a traced task's, {@code dep}.
     */
    void wakeup(long ts, boolean byTask, byte kind, WakeDep dep) {
        if (outTs >= 0 && outBlocked && wakeTs < 0) {
            wakeTs = ts;
            wakeByTask = byTask;
            wakeKind = kind;
            wakeDep = dep;
        }
    }

    /** Whether the wake-up whose latency the last {@link #switchIn} returned was emitted by a running task. */
    boolean lastWakeByTask() {
        return lastWakeByTask;
    }

    /** Switched in at {@code ts}; returns the wake-up→run latency when it had slept and was woken, else -1. */
    long switchIn(long ts) {
        long lat = -1;
        lastWakeByTask = false;
        if (outTs >= 0 && ts >= outTs) {
            if (outBlocked) {
                boolean seen = wakeTs >= outTs && wakeTs <= ts;
                long w = seen ? wakeTs : ts;
                add(outTs, w, BLOCKED);
                if (w > outTs) {
                    wokenBy[n - 1] = seen ? wakeKind : WOKEN_NOT_SEEN;
                    dep[n - 1] = seen ? wakeDep : null;
                }
                add(w, ts, RUNNABLE);
                if (wakeTs >= outTs && wakeTs <= ts) {
                    lat = ts - wakeTs;
                    lastWakeByTask = wakeByTask;
                }
            } else {
                add(outTs, ts, RUNNABLE);
            }
        }
        outTs = -1;
        wakeTs = -1;
        wakeDep = null;
        inTs = ts;
        return lat;
    }

    private void add(long a, long b, byte t) {
        if (b <= a) return;
        if (n == start.length) {
            start = Arrays.copyOf(start, 2 * n);
            end = Arrays.copyOf(end, 2 * n);
            type = Arrays.copyOf(type, 2 * n);
            wokenBy = Arrays.copyOf(wokenBy, 2 * n);
            dep = Arrays.copyOf(dep, 2 * n);
        }
        start[n] = a;
        end[n] = b;
        type[n] = t;
        wokenBy[n] = WOKEN_NOT_SEEN;
        dep[n] = null;
        n++;
    }

    int size() {
        return n;
    }

    /**
     * The traced kernel has per-VMA locks (the trace shows faults handled under them). A task that sleeps
     * while it holds mmap_lock for write is then, in a VMA-changing section, {@code vma_start_write} waiting
     * for the VMA's readers (vm_refcnt's rcuwait, or the VMA rw_semaphore before 6.15): a wait the lock model
     * recreates under each policy, so it is not part of the section's service time.
     */
    boolean vmaLockKernel;

    /** Freezes the intervals (sorted by construction) and builds the prefix sums. */
    void seal() {
        prefixR = new long[n + 1];
        prefixB = new long[n + 1];
        for (int i = 0; i < n; i++) {
            prefixR[i + 1] = prefixR[i] + (type[i] == RUNNABLE ? end[i] - start[i] : 0);
            prefixB[i + 1] = prefixB[i] + (type[i] == BLOCKED ? end[i] - start[i] : 0);
        }
    }

    /** Time in [a, b) spent in intervals of {@code t}. */
    long overlap(long a, long b, byte t) {
        if (b <= a || n == 0) return 0;
        long[] p = t == RUNNABLE ? prefixR : prefixB;
        int i = firstEndAfter(a);
        int j = firstStartAtOrAfter(b); // intervals [i, j) may overlap
        if (i >= j) return 0;
        long sum = p[j] - p[i];
        // trim the first and last intervals to [a, b)
        if (type[i] == t && start[i] < a) sum -= a - start[i];
        if (type[j - 1] == t && end[j - 1] > b) sum -= end[j - 1] - b;
        return Math.max(0, sum);
    }

    /** The last BLOCKED interval lying wholly in [a, b), or -1. */
    int lastBlockedWithin(long a, long b) {
        if (b <= a || n == 0) return -1;
        for (int j = firstStartAtOrAfter(b) - 1; j >= 0 && end[j] > a; j--) {
            if (type[j] == BLOCKED) return start[j] >= a && end[j] <= b ? j : -1;
        }
        return -1;
    }

    /** What ended BLOCKED interval {@code i} ({@link #WOKEN_NOT_SEEN} …). */
    byte wokenBy(int i) {
        return wokenBy[i];
    }

    /** The traced task's wake-up that ended BLOCKED interval {@code i}, or null. */
    WakeDep dep(int i) {
        return dep[i];
    }

    long length(int i) {
        return end[i] - start[i];
    }

    long start(int i) {
        return start[i];
    }

    /**
     * The task's sleep just before its first operation at {@code first} (its last sleep, maybe followed by a wait for a
     * CPU), when a traced task woke it — a worker waiting for its first job: the index of that BLOCKED interval, or -1.
     */
    int firstOpWake(long first) {
        int j = firstStartAtOrAfter(first) - 1;
        if (j >= 1 && type[j] == RUNNABLE && type[j - 1] == BLOCKED && end[j - 1] == start[j]) j--;
        if (j < 0 || type[j] != BLOCKED || end[j] > first || wokenBy[j] != WOKEN_BY_TRACED_TASK) return -1;
        return j;
    }

    long end(int i) {
        return end[i];
    }

    private int firstEndAfter(long a) {
        int lo = 0, hi = n;
        while (lo < hi) {
            int m = (lo + hi) >>> 1;
            if (end[m] <= a) lo = m + 1;
            else hi = m;
        }
        return lo;
    }

    private int firstStartAtOrAfter(long b) {
        int lo = 0, hi = n;
        while (lo < hi) {
            int m = (lo + hi) >>> 1;
            if (start[m] < b) lo = m + 1;
            else hi = m;
        }
        return lo;
    }

    // ---- the text of sched_switch / sched_wakeup in each tool's print format ----------------------

    /** prev_pid, prev_state, next_pid of a sched_switch's text (tracefs/perf or trace-cmd form); null if unreadable. */
    static Object[] parseSwitch(String s) {
        if (s == null) return null;
        int pp = s.indexOf("prev_pid=");
        if (pp >= 0) {
            int ps = s.indexOf("prev_state=", pp);
            int np = s.indexOf("next_pid=", pp);
            if (ps < 0 || np < 0) return null;
            return new Object[] {num(s, pp + 9), word(s, ps + 11), num(s, np + 9)};
        }
        // trace-cmd: "prev_comm:prev_pid [prio] STATE ==> next_comm:next_pid [prio]"
        int arrow = s.indexOf(" ==> ");
        if (arrow < 0) return null;
        String left = s.substring(0, arrow).trim();
        String right = s.substring(arrow + 5).trim();
        int lb = left.lastIndexOf(']');
        int lbo = left.lastIndexOf('[');
        if (lb < 0 || lbo < 0) return null;
        int colon = left.lastIndexOf(':', lbo);
        int rbo = right.lastIndexOf('[');
        int rcolon = right.lastIndexOf(':', rbo < 0 ? right.length() - 1 : rbo);
        if (colon < 0 || rcolon < 0) return null;
        return new Object[] {num(left, colon + 1), left.substring(lb + 1).trim(), num(right, rcolon + 1)};
    }

    /** sched_waking / sched_wakeup's {@code target_cpu}, or -1. */
    static int parseTargetCpu(String s) {
        if (s == null) return -1;
        int p = s.indexOf("target_cpu=");
        return p < 0 ? -1 : num(s, p + 11);
    }

    /** The woken pid of a sched_wakeup/sched_waking text, or -1. */
    static int parseWakeup(String s) {
        if (s == null) return -1;
        int p = s.indexOf(" pid=");
        if (p >= 0) return num(s, p + 5);
        if (s.startsWith("pid=")) return num(s, 4);
        int b = s.indexOf(" [");
        int c = b < 0 ? -1 : s.lastIndexOf(':', b);
        return c < 0 ? -1 : num(s, c + 1);
    }

    private static int num(String s, int i) {
        int v = 0, k = i;
        while (k < s.length() && s.charAt(k) == ' ') k++;
        int st = k;
        while (k < s.length() && Character.isDigit(s.charAt(k))) v = v * 10 + (s.charAt(k++) - '0');
        return k == st ? -1 : v;
    }

    private static String word(String s, int i) {
        int k = i;
        while (k < s.length() && s.charAt(k) != ' ') k++;
        return s.substring(i, k);
    }
}
