package vmalock.stats;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import vmalock.event.Event;
import vmalock.event.EventKind;

/**
 * The observed statistics of {@code shared/traces/README.md} over a stream of stored events: counts by
 * type, mmap_lock acquisitions, fallback faults (rules 1 and 2), wait and hold samples (rules 3–4),
 * lost events (rule 6), per-mm and per-comm breakdowns. Feed events in file order with {@link #accept};
 * call {@link #endSource} between sources (pairing never crosses captures) and at the end.
 *
 * <p>Memory: the pairing's live state, one small record per distinct mm and comm, and the wait/hold
 * samples kept in primitive arrays for exact percentiles.
 */
public final class ObservedStats implements PairingListener {
    private final LockPairing pairing = new LockPairing(this);

    public long totalEvents;
    public final Map<String, Long> eventsByType = new TreeMap<>();
    public long pageFaults;
    public long readAcquisitions;
    public long writeAcquisitions;
    public long failedReadAcquisitions;
    public long failedWriteAcquisitions;
    public long fallbackFaultsLoose;
    public long fallbackFaultsStrict;
    public long lostEvents;
    public long lostEventMarkers;
    public long lostEventMarkersWithoutCount;
    /** cpu (-1 when the marker names none) → lost events. */
    public final Map<Integer, Long> lostEventsByCpu = new TreeMap<>();
    public boolean hasTs;
    public long firstTs;
    public long lastTs;

    public final Samples writerWait = new Samples();
    public final Samples readerWait = new Samples();
    public final Samples writerWaitSuccessOnly = new Samples();
    public final Samples readerWaitSuccessOnly = new Samples();
    public final Samples writeHold = new Samples();
    public final Samples readHold = new Samples();
    /**
     * VMA-changing syscalls (mmap, munmap, mprotect, madvise, mremap, brk), sys_enter to the task's next
     * sys_exit of the same syscall: the pairing of the {@code syscalls} table (an enter replaced by the
     * task's next enter is unpaired), so the SQL path gives the same samples.
     */
    public final Samples syscallLatency = new Samples();
    /** tid → the task's open sys_enter: {VMA syscall ordinal or -1, enter ts}. */
    private final Map<Integer, long[]> openSyscall = new HashMap<>();

    public final Map<Long, MmStats> perMm = new HashMap<>();
    public final Map<String, CommStats> perComm = new HashMap<>();

    /** One mm's mmap_lock events. */
    public static final class MmStats {
        public long events;
        public long startLocking;
        public long acquireReturned;
        public long released;
        public long readAcquisitions;
        public long writeAcquisitions;
        public long failedAcquisitions;
        public final Set<Integer> tasks = new HashSet<>();
        public final Map<String, Long> comms = new HashMap<>();
    }

    /** One comm's events (all types). {@code fallbackFaults} uses rule 1, as the truth files do. */
    public static final class CommStats {
        public long events;
        public long pageFaults;
        public long fallbackFaults;
        public long readAcquisitions;
        public long writeAcquisitions;
        public long failedAcquisitions;
    }

    /** Name under which a task with no comm (perf's {@code :<tid>}) is counted. */
    public static String commKey(Event e) {
        return e.comm != null ? e.comm : ":" + e.tid;
    }

    public void accept(Event e) {
        EventKind k = e.kind;
        if (k == EventKind.LOST) {
            lostEventMarkers++;
            if (e.count < 0) {
                lostEventMarkersWithoutCount++;
            } else {
                // saturating: a hostile file's counts never wrap to a small or negative total
                lostEvents = lostEvents + e.count < lostEvents ? Long.MAX_VALUE : lostEvents + e.count;
                lostEventsByCpu.merge(e.cpu, e.count, (a, b) -> a + b < a ? Long.MAX_VALUE : a + b);
            }
            pairing.accept(e);
            return;
        }
        totalEvents++;
        eventsByType.merge(e.name, 1L, Long::sum);
        if (!hasTs) {
            hasTs = true;
            firstTs = e.ts;
        }
        lastTs = e.ts;
        CommStats c = comm(e);
        c.events++;
        switch (k) {
            case PAGE_FAULT_USER:
                pageFaults++;
                c.pageFaults++;
                break;
            case SYS_ENTER:
                // {syscall ordinal, or -1 for any other syscall; enter ts}
                openSyscall.put(e.tid, new long[] {vmaSyscall(e), e.ts});
                break;
            case SYS_EXIT: {
                long[] open = openSyscall.get(e.tid);
                long sc = vmaSyscall(e);
                // any other syscall's exit leaves no sample, whether or not it ends the open enter
                if (open != null && sc >= 0 && open[0] == sc) {
                    openSyscall.remove(e.tid);
                    syscallLatency.add(e.ts - open[1]);
                }
                break;
            }
            case MMAP_LOCK_START_LOCKING:
                mm(e).startLocking++;
                break;
            case MMAP_LOCK_RELEASED:
                mm(e).released++;
                break;
            case MMAP_LOCK_ACQUIRE_RETURNED: {
                MmStats m = mm(e);
                m.acquireReturned++;
                if (!e.success) {
                    m.failedAcquisitions++;
                    c.failedAcquisitions++;
                    if (e.write) {
                        failedWriteAcquisitions++;
                    } else {
                        failedReadAcquisitions++;
                    }
                } else if (e.write) {
                    m.writeAcquisitions++;
                    c.writeAcquisitions++;
                    writeAcquisitions++;
                } else {
                    m.readAcquisitions++;
                    c.readAcquisitions++;
                    readAcquisitions++;
                }
                break;
            }
            default:
                break;
        }
        pairing.accept(e);
    }

    /** The VMA-changing syscall's ordinal ({@link vmalock.event.Syscall}), or -1 for any other syscall. */
    private static long vmaSyscall(Event e) {
        return e.syscall == null || e.syscall == vmalock.event.Syscall.OTHER ? -1 : e.syscall.ordinal();
    }

    /** Last event's time minus the first's (0 without timestamps). */
    public long makespan() {
        return hasTs && lastTs > firstTs ? lastTs - firstTs : 0;
    }

    private CommStats comm(Event e) {
        String key = commKey(e);
        CommStats c = perComm.get(key);
        if (c == null) {
            c = new CommStats();
            perComm.put(key, c);
        }
        return c;
    }

    private MmStats mm(Event e) {
        MmStats m = perMm.get(e.mm);
        if (m == null) {
            m = new MmStats();
            perMm.put(e.mm, m);
        }
        m.events++;
        m.tasks.add(e.tid);
        m.comms.merge(commKey(e), 1L, Long::sum);
        return m;
    }

    /** Ends a source: pending pairing state is counted in the diagnostics and dropped. */
    public void endSource() {
        pairing.finish();
    }

    public LockPairing.Diagnostics diagnostics() {
        return pairing.diagnostics();
    }

    public long failedAcquisitions() {
        return failedReadAcquisitions + failedWriteAcquisitions;
    }

    // ---- PairingListener -------------------------------------------------------------------

    @Override
    public void lockWait(Event acquire, long startTs) {
        long d = acquire.ts - startTs;
        if (acquire.write) {
            writerWait.add(d);
            if (acquire.success) {
                writerWaitSuccessOnly.add(d);
            }
        } else {
            readerWait.add(d);
            if (acquire.success) {
                readerWaitSuccessOnly.add(d);
            }
        }
    }

    @Override
    public void lockHold(Event release, long acquireTs) {
        (release.write ? writeHold : readHold).add(release.ts - acquireTs);
    }

    @Override
    public void fault(FaultRecord f) {
        if (f.fallbackLoose) {
            fallbackFaultsLoose++;
            CommStats c = perComm.get(f.comm != null ? f.comm : ":" + f.tid);
            if (c != null) {
                c.fallbackFaults++;
            }
        }
        if (f.fallbackStrict) {
            fallbackFaultsStrict++;
        }
    }
}
