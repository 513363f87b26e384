package vmalock.db;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import vmalock.event.Event;
import vmalock.event.EventKind;
import vmalock.stats.LockPairing;
import vmalock.stats.PairingListener;

/**
 * Turns what the pairing state machine of {@code vmalock.stats} ({@link LockPairing}, rules 1–4) decides
 * into {@code lock_spans} and {@code faults} rows. The decisions — which start_locking an acquisition
 * consumes, which acquisition a release ends, which fault is a fallback — are all {@link LockPairing}'s;
 * this class only assembles each acquisition's start, acquire and release into one row and numbers the
 * rows. As in {@code vmalock stats}, the pairing restarts at each source boundary.
 */
public final class ObservedPairing implements PairingSink, PairingListener {
    /** The factory for {@link WorkspaceDb#load}. */
    public static final PairingSink.Factory FACTORY = ObservedPairing::new;

    private static final class Span {
        long id;
        int tid;
        String comm;
        long mm;
        boolean write;
        long startTs = LockSpanRows.NONE;
        long acquireTs;
        long acquireSeq;
        boolean downgraded;
        boolean waitAcrossLost;
    }

    private final LockSpanRows spans;
    private final FaultRows faults;
    private final LockPairing pairing = new LockPairing(this);
    /** Successful acquisitions not yet ended, by (tid, mm, write) — mirrors the pairing's rule-4 state. */
    private final Map<Key, Span> open = new HashMap<>();
    /** Per task: recent successful read acquisitions (acquire ts → span id), for faults.span. */
    private final Map<Integer, long[]> recentReads = new HashMap<>();
    /** Per task: ts of its last failed read trylock. */
    private final Map<Integer, Long> lastFailedRead = new HashMap<>();
    private long nextSpan;
    private long seq;
    private int source = Integer.MIN_VALUE;
    // set by lockWait during pairing.accept(acquire_returned)
    private long waitStartTs;
    private boolean waitSeen;
    private boolean waitAcrossLost;
    private boolean holdAcrossLost;

    private record Key(int tid, long mm, boolean write) {
    }

    public ObservedPairing(LockSpanRows spans, FaultRows faults) {
        this.spans = spans;
        this.faults = faults;
    }

    @Override
    public void event(long seq, Event e) {
        this.seq = seq;
        if (e.source != source) {
            if (source != Integer.MIN_VALUE) {
                endSource();
            }
            source = e.source;
        }
        if (e.kind == EventKind.MMAP_LOCK_ACQUIRE_RETURNED) {
            waitSeen = false;
            waitAcrossLost = false;
            pairing.accept(e);
            acquired(e);
        } else {
            pairing.accept(e);
        }
    }

    private void acquired(Event e) {
        long id = nextSpan++;
        long startTs = waitSeen ? waitStartTs : LockSpanRows.NONE;
        if (!e.success) {
            spans.span(id, e.tid, e.comm, e.mm, e.write, startTs, e.ts, LockSpanRows.NONE, false,
                    LockSpanRows.Ending.FAILED, false, seq, LockSpanRows.NONE, waitAcrossLost, false);
            if (!e.write) {
                lastFailedRead.put(e.tid, e.ts);
            }
            return;
        }
        if (!e.write && !waitSeen) {
            // mmap_write_downgrade(): the task's write hold on this mm becomes a read hold
            Span w = open.get(new Key(e.tid, e.mm, true));
            if (w != null) {
                w.downgraded = true;
            }
        }
        Span s = new Span();
        s.id = id;
        s.tid = e.tid;
        s.comm = e.comm;
        s.mm = e.mm;
        s.write = e.write;
        s.startTs = startTs;
        s.waitAcrossLost = waitAcrossLost;
        s.acquireTs = e.ts;
        s.acquireSeq = seq;
        Span old = open.put(new Key(e.tid, e.mm, e.write), s);
        if (old != null) {
            end(old, LockSpanRows.NONE, LockSpanRows.NONE, LockSpanRows.Ending.REPLACED);
        }
        if (!e.write) {
            long[] r = recentReads.computeIfAbsent(e.tid, t -> {
                long[] a = new long[8];
                java.util.Arrays.fill(a, -1);
                return a;
            });
            // ring of 4 (ts, id) pairs
            int slot = (int) (id & 3) * 2;
            r[slot] = e.ts;
            r[slot + 1] = id;
        }
    }

    private void end(Span s, long releaseTs, long releaseSeq, LockSpanRows.Ending ending) {
        boolean replaced = ending == LockSpanRows.Ending.REPLACED;
        if (s.downgraded && ending != LockSpanRows.Ending.RELEASED) {
            ending = LockSpanRows.Ending.DOWNGRADED;
        }
        spans.span(s.id, s.tid, s.comm, s.mm, s.write, s.startTs, s.acquireTs, releaseTs, true, ending, replaced,
                s.acquireSeq, releaseSeq, s.waitAcrossLost, holdAcrossLost && ending == LockSpanRows.Ending.RELEASED);
    }

    @Override
    public void lockWait(Event acquire, long startTs) {
        waitSeen = true;
        waitStartTs = startTs;
    }

    @Override
    public void lockWaitAcrossLost(Event acquire, long startTs) {
        lockWait(acquire, startTs);
        waitAcrossLost = true;
    }

    @Override
    public void lockHoldAcrossLost(Event release, long acquireTs) {
        holdAcrossLost = true;
        try {
            lockHold(release, acquireTs);
        } finally {
            holdAcrossLost = false;
        }
    }

    @Override
    public void lockHold(Event release, long acquireTs) {
        Span s = open.remove(new Key(release.tid, release.mm, release.write));
        if (s == null || s.acquireTs != acquireTs) {
            throw new IllegalStateException("lock_spans out of step with the pairing at event " + seq);
        }
        end(s, release.ts, seq, LockSpanRows.Ending.RELEASED);
    }

    @Override
    public void fault(FaultRecord f) {
        FaultRows.Path path = f.fallbackStrict ? FaultRows.Path.MMAP_LOCK
                : f.fallbackLoose ? FaultRows.Path.MMAP_LOCK_RULE1_ONLY : FaultRows.Path.VMA_LOCK;
        long span = LockSpanRows.NONE;
        if (f.fallbackAcquireTs >= 0) {
            long[] r = recentReads.get(f.tid);
            if (r != null) {
                for (int i = 0; i < 8; i += 2) {
                    if (r[i] == f.fallbackAcquireTs && r[i + 1] >= 0) {
                        span = Math.max(span, r[i + 1]);
                    }
                }
            }
        }
        Long failed = lastFailedRead.get(f.tid);
        faults.fault(f.tid, f.comm, f.ts, f.address, f.ip, f.errorCode, path, f.fallbackStrict, f.fallbackLoose,
                failed != null && failed >= f.ts, span);
    }

    private void endSource() {
        pairing.finish();
        List<Span> left = new ArrayList<>(open.values());
        left.sort((a, b) -> Long.compare(a.id, b.id));
        for (Span s : left) {
            end(s, LockSpanRows.NONE, LockSpanRows.NONE, LockSpanRows.Ending.NEVER_RELEASED);
        }
        open.clear();
        recentReads.clear();
        lastFailedRead.clear();
    }

    @Override
    public java.util.Map<String, Long> finish() {
        if (source != Integer.MIN_VALUE) {
            endSource();
        }
        return pairing.diagnostics().asMap();
    }
}
