package vmalock.lock;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import vmalock.event.Event;
import vmalock.event.EventKind;

/**
 * Spec §7 invariant 10 over an observed (or replayed) event stream, per source and mm: every
 * acquire_returned(success) follows a start_locking with the same write flag (except a downgrade,
 * acq(w0) while holding write); every released matches the current hold; readers and a writer never
 * overlap; at most one writer.
 *
 * <p>Tolerated, labelled, not violations:
 * <ul>
 * <li>{@link #LATE_RELEASE}: an overlap whose earlier holder's very next event on that mm is its
 *     release — kernels from v5.11 until the tracepoint was moved before up_* (≈Sep 2021, unverified)
 *     emitted mmap_lock_released after up_read/up_write, so the next owner's acquire can print
 *     first. Two writers on one mm in such a trace are this.</li>
 * <li>{@link #BEFORE_TRACE}: a release by a task not seen acquiring since the capture began (it took
 *     the lock before tracing started), or since a lost-events marker (state is reset there).</li>
 * </ul>
 *
 * <p>Unverifiable, not violations: an overlap still undecided (the earlier holder has had no event on the
 * mm since) when a lost-events marker of the holder's or the acquirer's CPU (or a marker with no CPU)
 * arrives — the holder's release may be among the lost events ({@link #unverifiable()}).
 */
public final class TraceChecker {
    public static final String LATE_RELEASE = "late-release (kernels before ≈Sep 2021 traced the release after up_*)";
    public static final String BEFORE_TRACE = "release of a lock taken before the trace (or a lost-events gap) began";
    public static final String OVERLAP = "10-readers-writer-overlap";
    public static final String TWO_WRITERS = "10-two-writers-on-one-mm";
    public static final String UNMATCHED_RELEASE = "10-unmatched-release";
    public static final String ACQ_WITHOUT_START = "10-acquire-without-start";
    public static final String START_WITHOUT_ACQ = "10-start-without-acquire";

    /** One violation or tolerated case, located in the input. */
    public record Item(String what, boolean tolerated, int source, long line, long ts, int tid, long mm, String detail) {
    }

    private static final int MAX_EXAMPLES = 50;

    private final Map<String, Long> violations = new TreeMap<>();
    private final Map<String, Long> tolerated = new TreeMap<>();
    private final Map<String, Long> unverifiable = new TreeMap<>();
    private final List<Item> examples = new ArrayList<>();
    private long events, mmapEvents, resets;
    private int source = -1;
    private final Map<Long, MmState> mms = new HashMap<>();

    private static final class Provisional {
        final String what;
        final Item item;
        /** CPUs of the holder's acquisition and of the overlapping acquisition ({@link Event#UNKNOWN} if none). */
        final int holderCpu;
        final int cpu;

        Provisional(String what, Item item, int holderCpu, int cpu) {
            this.what = what;
            this.item = item;
            this.holderCpu = holderCpu;
            this.cpu = cpu;
        }
    }

    private static final class MmState {
        /** tid → 1 (read) or 2 (write); overlapping holds stay recorded until released. */
        final Map<Integer, Integer> holds = new HashMap<>();
        /** tid → CPU of the acquisition that started its hold. */
        final Map<Integer, Integer> holdCpu = new HashMap<>();
        /** tid → pending start write flag (0/1). */
        final Map<Integer, Integer> pendingStart = new HashMap<>();
        /** tids seen with any event on this mm since the last reset. */
        final Set<Integer> seen = new HashSet<>();
        /** holder tid → overlaps that become tolerated if its next event is its release. */
        final Map<Integer, List<Provisional>> provisional = new HashMap<>();
    }

    /** Feeds one event (sources must come one after the other, each in file order). */
    public void accept(Event e) {
        events++;
        if (e.source != source) {
            finishSource();
            source = e.source;
        }
        if (e.kind == EventKind.LOST) {
            lostMarker(e.cpu);
            finishSource();
            resets++;
            return;
        }
        if (!e.kind.isMmapLock()) return;
        mmapEvents++;
        MmState m = mms.computeIfAbsent(e.mm, k -> new MmState());
        int tid = e.tid;
        boolean firstSeen = m.seen.add(tid);
        List<Provisional> prov = m.provisional.remove(tid);
        boolean isRelease = e.kind == EventKind.MMAP_LOCK_RELEASED;
        if (prov != null) {
            for (Provisional p : prov) {
                Integer h = m.holds.get(tid);
                boolean late = isRelease && h != null && h == (e.write ? 2 : 1);
                if (late) record(LATE_RELEASE, true, p.item);
                else record(p.what, false, p.item);
            }
        }
        switch (e.kind) {
            case MMAP_LOCK_START_LOCKING: {
                Integer prev = m.pendingStart.put(tid, e.write ? 1 : 0);
                if (prev != null) record(START_WITHOUT_ACQ, false, item(START_WITHOUT_ACQ, false, e, "a second start_locking before acquire_returned"));
                break;
            }
            case MMAP_LOCK_ACQUIRE_RETURNED: {
                Integer start = m.pendingStart.remove(tid);
                Integer mine = m.holds.get(tid);
                if (!e.write && start == null && mine != null && mine == 2) { // downgrade
                    m.holds.put(tid, 1);
                    m.holdCpu.put(tid, e.cpu);
                    break;
                }
                if (start == null || start != (e.write ? 1 : 0)) {
                    if (firstSeen) record(BEFORE_TRACE, true, item(ACQ_WITHOUT_START, true, e, "first event of this task"));
                    else record(ACQ_WITHOUT_START, false, item(ACQ_WITHOUT_START, false, e,
                            start == null ? "no start_locking" : "start_locking had the other write flag"));
                }
                if (!e.success) break;
                for (Map.Entry<Integer, Integer> o : m.holds.entrySet()) {
                    int other = o.getKey();
                    if (other == tid) continue;
                    if (o.getValue() == 2) {
                        provisional(m, other, e.write ? TWO_WRITERS : OVERLAP, e,
                                (e.write ? "write" : "read") + " acquired while task " + other + " holds write");
                    } else if (e.write) {
                        provisional(m, other, OVERLAP, e, "write acquired while task " + other + " holds read");
                    }
                }
                m.holds.put(tid, e.write ? 2 : 1);
                m.holdCpu.put(tid, e.cpu);
                break;
            }
            case MMAP_LOCK_RELEASED: {
                Integer h = m.holds.get(tid);
                if (h != null && h == (e.write ? 2 : 1)) {
                    m.holds.remove(tid);
                } else if (firstSeen) {
                    record(BEFORE_TRACE, true, item(BEFORE_TRACE, true, e, "first event of this task"));
                } else {
                    record(UNMATCHED_RELEASE, false, item(UNMATCHED_RELEASE, false, e,
                            (e.write ? "write" : "read") + " release without a matching hold"));
                }
                break;
            }
            default:
                break;
        }
    }

    private void provisional(MmState m, int holder, String what, Event e, String detail) {
        m.provisional.computeIfAbsent(holder, k -> new ArrayList<>()).add(new Provisional(what, item(what, false, e, detail),
                m.holdCpu.getOrDefault(holder, Event.UNKNOWN), e.cpu));
    }

    /** Undecided overlaps that a lost-events marker of {@code cpu} can explain become unverifiable. */
    private void lostMarker(int cpu) {
        for (MmState m : mms.values()) {
            for (List<Provisional> l : m.provisional.values()) {
                for (java.util.Iterator<Provisional> it = l.iterator(); it.hasNext();) {
                    Provisional p = it.next();
                    if (cpu < 0 || p.holderCpu < 0 || p.cpu < 0 || cpu == p.holderCpu || cpu == p.cpu) {
                        unverifiable.merge(p.what, 1L, Long::sum);
                        it.remove();
                    }
                }
            }
        }
    }

    private static Item item(String what, boolean tolerated, Event e, String detail) {
        return new Item(what, tolerated, e.source, e.line, e.ts, e.tid, e.mm, detail);
    }

    private void record(String what, boolean tol, Item it) {
        (tol ? tolerated : violations).merge(what, 1L, Long::sum);
        if (examples.size() < MAX_EXAMPLES && !tol) {
            examples.add(new Item(what, false, it.source(), it.line(), it.ts(), it.tid(), it.mm(), it.detail()));
        }
    }

    /** Overlaps still provisional when a source ends (or at a lost-events marker) are violations. */
    private void finishSource() {
        for (MmState m : mms.values()) {
            for (List<Provisional> l : m.provisional.values()) for (Provisional p : l) record(p.what, false, p.item);
        }
        mms.clear();
    }

    /** Call after the last event. */
    public TraceChecker finish() {
        finishSource();
        return this;
    }

    public Map<String, Long> violations() {
        return violations;
    }

    public Map<String, Long> tolerated() {
        return tolerated;
    }

    /** Overlaps that lost events can explain: neither confirmed nor violations. */
    public Map<String, Long> unverifiable() {
        return unverifiable;
    }

    public long violationCount() {
        long n = 0;
        for (long v : violations.values()) n += v;
        return n;
    }

    /** The first violations, located. */
    public List<Item> examples() {
        return examples;
    }

    public long events() {
        return events;
    }

    public long mmapEvents() {
        return mmapEvents;
    }

    /** How many lost-events markers reset the state. */
    public long resets() {
        return resets;
    }
}
