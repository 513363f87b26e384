package vmalock.stats;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import vmalock.event.Event;
import vmalock.stats.PairingListener.FaultRecord;

/**
 * The sequential pairing state machine of {@code shared/traces/README.md} (rules 1–4), one handler per
 * event type. Events must arrive in file order; the task is the thread id. State is per task and
 * holds only what is pending (unconsumed start_locking, unreleased acquisitions, the open fault), so
 * memory is bounded by the number of live tasks.
 *
 * <ul>
 *   <li>Rule 1 (loose fallback): a page_fault_user of T is a fallback when T's next
 *       acquire_returned(write=false, success=true) comes before T's next page_fault_user.</li>
 *   <li>Rule 2 (the tool's fallback): as rule 1, but a successful write acquisition of T discards the
 *       open fault, and a read acquisition counts only if it consumed a pending read start_locking
 *       of the same mm (this excludes mmap_write_downgrade()'s acquire_returned).</li>
 *   <li>Rule 3 (wait): acquire_returned consumes T's most recent unconsumed start_locking with the same
 *       mm and write flag, whatever its success (a newer start replaces an older unconsumed one).</li>
 *   <li>Rule 4 (hold): a successful acquire_returned becomes T's pending acquisition for (mm, write),
 *       replacing (and counting) an unreleased one; released pairs with it.</li>
 * </ul>
 *
 * <p>Lost events: a wait pair (start → acquire) or a hold pair (acquire → release) with a lost-events
 * marker between its two events — a marker of the CPU of either event, or any marker when the marker or
 * an event has no CPU — still pairs (the state machine is unchanged), but is not a sample: the listener
 * hears {@link PairingListener#lockWaitAcrossLost} / {@link PairingListener#lockHoldAcrossLost} and the
 * diagnostics count it ({@code wait_pairs_across_lost_events}, {@code hold_pairs_across_lost_events}).
 */
public final class LockPairing {
    private final PairingListener listener;
    private final Map<Integer, Task> tasks = new HashMap<>();
    // direct-mapped cache of tasks by tid: most events need no boxed-key map lookup
    private static final int CACHE = 256;
    private final int[] cacheTid = new int[CACHE];
    private final Task[] cacheTask = new Task[CACHE];
    private final Diagnostics diag = new Diagnostics();

    /** Unpaired-event counts, as in the truth files' {@code pairing_diagnostics}. */
    public static final class Diagnostics {
        public long acquireNeverReleasedRead;
        public long acquireNeverReleasedWrite;
        public long acquireOverwrittenWithoutReleaseRead;
        public long acquireOverwrittenWithoutReleaseWrite;
        public long acquireWithoutStartRead;
        public long acquireWithoutStartWrite;
        /** Rule-1 fallbacks whose read acquisition had no start_locking (mmap_write_downgrade). */
        public long fallbackFaultsMatchedByDowngrade;
        public long releasedWithoutAcquireRead;
        public long releasedWithoutAcquireWrite;
        public long startLockingNeverAcquired;
        /** A start_locking replaced by a newer one of the same task, mm and write flag before any acquire_returned. */
        public long startLockingReplaced;
        public long waitSamplesWithSuccessFalse;
        /** Wait pairs with lost events between start_locking and acquire_returned: not samples. */
        public long waitPairsAcrossLostEvents;
        /** Hold pairs with lost events between acquire_returned and released: not samples. */
        public long holdPairsAcrossLostEvents;

        /** Name → value, alphabetical, the JSON names. */
        public Map<String, Long> asMap() {
            Map<String, Long> m = new java.util.TreeMap<>();
            m.put("acquire_never_released_read", acquireNeverReleasedRead);
            m.put("acquire_never_released_write", acquireNeverReleasedWrite);
            m.put("acquire_overwritten_without_release_read", acquireOverwrittenWithoutReleaseRead);
            m.put("acquire_overwritten_without_release_write", acquireOverwrittenWithoutReleaseWrite);
            m.put("acquire_without_start_read", acquireWithoutStartRead);
            m.put("acquire_without_start_write", acquireWithoutStartWrite);
            m.put("fallback_faults_matched_by_downgrade", fallbackFaultsMatchedByDowngrade);
            m.put("hold_pairs_across_lost_events", holdPairsAcrossLostEvents);
            m.put("released_without_acquire_read", releasedWithoutAcquireRead);
            m.put("released_without_acquire_write", releasedWithoutAcquireWrite);
            m.put("start_locking_never_acquired", startLockingNeverAcquired);
            m.put("start_locking_replaced", startLockingReplaced);
            m.put("wait_pairs_across_lost_events", waitPairsAcrossLostEvents);
            m.put("wait_samples_with_success_false", waitSamplesWithSuccessFalse);
            return m;
        }
    }

    private static final byte OPEN = 0;
    private static final byte FALLBACK = 1;
    private static final byte NOT_FALLBACK = 2;

    /** Pending (mm, write) → timestamp entries of one task; at most one per key, usually one or two. */
    private static final class Pending {
        long[] mm = new long[2];
        long[] ts = new long[2];
        boolean[] write = new boolean[2];
        /** The pairing's event number and the CPU of the event that made the entry (for lost-event gaps). */
        long[] seq = new long[2];
        int[] cpu = new int[2];
        int n;

        int find(long m, boolean w) {
            for (int i = 0; i < n; i++) {
                if (mm[i] == m && write[i] == w) {
                    return i;
                }
            }
            return -1;
        }

        void add(long m, boolean w, long t, long sq, int c) {
            if (n == mm.length) {
                mm = Arrays.copyOf(mm, n * 2);
                ts = Arrays.copyOf(ts, n * 2);
                write = Arrays.copyOf(write, n * 2);
                seq = Arrays.copyOf(seq, n * 2);
                cpu = Arrays.copyOf(cpu, n * 2);
            }
            mm[n] = m;
            ts[n] = t;
            write[n] = w;
            seq[n] = sq;
            cpu[n] = c;
            n++;
        }

        void set(int i, long t, long sq, int c) {
            ts[i] = t;
            seq[i] = sq;
            cpu[i] = c;
        }

        /** Removes entry i and returns its timestamp. */
        long remove(int i) {
            long t = ts[i];
            int tail = n - i - 1;
            System.arraycopy(mm, i + 1, mm, i, tail);
            System.arraycopy(ts, i + 1, ts, i, tail);
            System.arraycopy(write, i + 1, write, i, tail);
            System.arraycopy(seq, i + 1, seq, i, tail);
            System.arraycopy(cpu, i + 1, cpu, i, tail);
            n--;
            return t;
        }
    }

    /** Pending state of one task. */
    private static final class Task {
        /** Unconsumed start_locking. */
        final Pending starts = new Pending();
        /** Successful acquisitions not yet released. */
        final Pending acqs = new Pending();
        // the open fault
        boolean hasFault;
        byte loose;
        byte strict;
        final FaultRecord fault = new FaultRecord();
    }

    /** Number of the current event (events passed to {@link #accept}, lost-events markers included). */
    private long seq;
    /** Event number of the last lost-events marker naming no CPU, and of the last marker of any CPU. */
    private long lastMarkerNoCpu = -1;
    private long lastMarkerAny = -1;
    /** CPU → event number of its last lost-events marker. */
    private final Map<Integer, Long> lastMarkerByCpu = new HashMap<>();

    public LockPairing(PairingListener listener) {
        this.listener = listener;
    }

    public Diagnostics diagnostics() {
        return diag;
    }

    /** Dispatches one event to its handler; other kinds are ignored. */
    public void accept(Event e) {
        seq++;
        switch (e.kind) {
            case LOST:
                onLost(e);
                break;
            case MMAP_LOCK_START_LOCKING:
                onStartLocking(e);
                break;
            case MMAP_LOCK_ACQUIRE_RETURNED:
                onAcquireReturned(e);
                break;
            case MMAP_LOCK_RELEASED:
                onReleased(e);
                break;
            case PAGE_FAULT_USER:
                onPageFaultUser(e);
                break;
            default:
                break;
        }
    }

    /** A lost-events marker: pairs that span it are not samples. */
    public void onLost(Event e) {
        lastMarkerAny = seq;
        if (e.cpu < 0) {
            lastMarkerNoCpu = seq;
        } else {
            lastMarkerByCpu.put(e.cpu, seq);
        }
    }

    /** Whether a lost-events marker came after event {@code fromSeq} (on {@code fromCpu}) and before the current event (on {@code cpu}). */
    private boolean acrossLost(long fromSeq, int fromCpu, int cpu) {
        if (lastMarkerAny < fromSeq) {
            return false;
        }
        if (lastMarkerNoCpu >= fromSeq || fromCpu < 0 || cpu < 0) {
            return true;
        }
        Long a = lastMarkerByCpu.get(fromCpu);
        if (a != null && a >= fromSeq) {
            return true;
        }
        Long b = lastMarkerByCpu.get(cpu);
        return b != null && b >= fromSeq;
    }

    private Task task(int tid) {
        int slot = tid & (CACHE - 1);
        Task t = cacheTask[slot];
        if (t != null && cacheTid[slot] == tid) {
            return t;
        }
        t = tasks.get(tid);
        if (t == null) {
            t = new Task();
            tasks.put(tid, t);
        }
        cacheTid[slot] = tid;
        cacheTask[slot] = t;
        return t;
    }

    /**
     * mmap_lock_start_locking: T's pending start for (mm, write). A newer start replaces an unconsumed
     * one (counted): only the most recent start can pair, so an acquire_returned lost by the tracer
     * does not make a later acquisition pair with a stale start.
     */
    public void onStartLocking(Event e) {
        Pending p = task(e.tid).starts;
        int i = p.find(e.mm, e.write);
        if (i >= 0) {
            p.set(i, e.ts, seq, e.cpu);
            diag.startLockingReplaced++;
        } else {
            p.add(e.mm, e.write, e.ts, seq, e.cpu);
        }
    }

    /** mmap_lock_acquire_returned: rule 3 wait, rule 4 hold start, rules 1–2 fault closing. */
    public void onAcquireReturned(Event e) {
        Task t = task(e.tid);
        boolean w = e.write;
        // rule 3: consume the pending start of (mm, w)
        int si = t.starts.find(e.mm, w);
        boolean hadStart = si >= 0;
        if (hadStart) {
            boolean lost = acrossLost(t.starts.seq[si], t.starts.cpu[si], e.cpu);
            long startTs = t.starts.remove(si);
            if (lost) {
                diag.waitPairsAcrossLostEvents++;
                listener.lockWaitAcrossLost(e, startTs);
            } else {
                if (!e.success) {
                    diag.waitSamplesWithSuccessFalse++;
                }
                listener.lockWait(e, startTs);
            }
        }
        if (!hadStart) {
            if (w) {
                diag.acquireWithoutStartWrite++;
            } else {
                diag.acquireWithoutStartRead++;
            }
        }
        if (!e.success) {
            return;
        }
        // rule 4: the pending acquisition for (mm, w)
        int k = t.acqs.find(e.mm, w);
        if (k >= 0) {
            if (w) {
                diag.acquireOverwrittenWithoutReleaseWrite++;
            } else {
                diag.acquireOverwrittenWithoutReleaseRead++;
            }
            t.acqs.set(k, e.ts, seq, e.cpu);
        } else {
            t.acqs.add(e.mm, w, e.ts, seq, e.cpu);
        }
        // rules 1 and 2: close the open fault
        if (!t.hasFault) {
            return;
        }
        FaultRecord f = t.fault;
        if (w) {
            if (t.strict == OPEN) {
                t.strict = NOT_FALLBACK; // rule 2: discarded by a write acquisition
            }
        } else {
            if (t.loose == OPEN) {
                t.loose = FALLBACK;
                f.fallbackLoose = true;
                f.fallbackAcquireTs = e.ts;
                f.fallbackMm = e.mm;
                if (!hadStart) {
                    diag.fallbackFaultsMatchedByDowngrade++;
                }
            }
            if (t.strict == OPEN && hadStart) {
                t.strict = FALLBACK;
                f.fallbackStrict = true;
                f.fallbackAcquireTs = e.ts;
                f.fallbackMm = e.mm;
            }
        }
        if (t.loose != OPEN && t.strict != OPEN) {
            emitFault(t);
        }
    }

    /** mmap_lock_released: rule 4 hold sample. */
    public void onReleased(Event e) {
        int slot = e.tid & (CACHE - 1);
        Task t = cacheTask[slot] != null && cacheTid[slot] == e.tid ? cacheTask[slot] : tasks.get(e.tid);
        int k = t == null ? -1 : t.acqs.find(e.mm, e.write);
        if (k < 0) {
            if (e.write) {
                diag.releasedWithoutAcquireWrite++;
            } else {
                diag.releasedWithoutAcquireRead++;
            }
            return;
        }
        if (acrossLost(t.acqs.seq[k], t.acqs.cpu[k], e.cpu)) {
            diag.holdPairsAcrossLostEvents++;
            listener.lockHoldAcrossLost(e, t.acqs.remove(k));
            return;
        }
        listener.lockHold(e, t.acqs.remove(k));
    }

    /** page_fault_user: the previous open fault of the task is decided (not a fallback); this one opens. */
    public void onPageFaultUser(Event e) {
        Task t = task(e.tid);
        if (t.hasFault) {
            emitFault(t);
        }
        FaultRecord f = t.fault;
        f.source = e.source;
        f.line = e.line;
        f.ts = e.ts;
        f.tid = e.tid;
        f.comm = e.comm;
        f.address = e.address;
        f.ip = e.ip;
        f.errorCode = e.errorCode;
        f.fallbackLoose = false;
        f.fallbackStrict = false;
        f.fallbackAcquireTs = -1;
        f.fallbackMm = 0;
        t.loose = OPEN;
        t.strict = OPEN;
        t.hasFault = true;
    }

    private void emitFault(Task t) {
        t.hasFault = false;
        listener.fault(t.fault);
    }

    /**
     * Ends the stream (end of a source): open faults are emitted undecided-as-not-fallback, and what is
     * still pending is counted in the diagnostics. The pairing is empty afterwards and can start a new
     * source.
     */
    public void finish() {
        // deterministic order for the listener: by tid
        int[] tids = tasks.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        for (int tid : tids) {
            Task t = tasks.get(tid);
            diag.startLockingNeverAcquired += t.starts.n;
            for (int i = 0; i < t.acqs.n; i++) {
                if (t.acqs.write[i]) {
                    diag.acquireNeverReleasedWrite++;
                } else {
                    diag.acquireNeverReleasedRead++;
                }
            }
            if (t.hasFault) {
                emitFault(t);
            }
        }
        tasks.clear();
        java.util.Arrays.fill(cacheTask, null);
        lastMarkerByCpu.clear();
        lastMarkerNoCpu = -1;
        lastMarkerAny = -1;
    }
}
