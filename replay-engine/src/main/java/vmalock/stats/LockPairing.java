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
            m.put("released_without_acquire_read", releasedWithoutAcquireRead);
            m.put("released_without_acquire_write", releasedWithoutAcquireWrite);
            m.put("start_locking_never_acquired", startLockingNeverAcquired);
            m.put("start_locking_replaced", startLockingReplaced);
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
        int n;

        int find(long m, boolean w) {
            for (int i = 0; i < n; i++) {
                if (mm[i] == m && write[i] == w) {
                    return i;
                }
            }
            return -1;
        }

        void add(long m, boolean w, long t) {
            if (n == mm.length) {
                mm = Arrays.copyOf(mm, n * 2);
                ts = Arrays.copyOf(ts, n * 2);
                write = Arrays.copyOf(write, n * 2);
            }
            mm[n] = m;
            ts[n] = t;
            write[n] = w;
            n++;
        }

        /** Removes entry i and returns its timestamp. */
        long remove(int i) {
            long t = ts[i];
            int tail = n - i - 1;
            System.arraycopy(mm, i + 1, mm, i, tail);
            System.arraycopy(ts, i + 1, ts, i, tail);
            System.arraycopy(write, i + 1, write, i, tail);
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

    public LockPairing(PairingListener listener) {
        this.listener = listener;
    }

    public Diagnostics diagnostics() {
        return diag;
    }

    /** Dispatches one event to its handler; other kinds are ignored. */
    public void accept(Event e) {
        switch (e.kind) {
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
            p.ts[i] = e.ts;
            diag.startLockingReplaced++;
        } else {
            p.add(e.mm, e.write, e.ts);
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
            long startTs = t.starts.remove(si);
            if (!e.success) {
                diag.waitSamplesWithSuccessFalse++;
            }
            listener.lockWait(e, startTs);
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
            t.acqs.ts[k] = e.ts;
        } else {
            t.acqs.add(e.mm, w, e.ts);
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
    }
}
