package vmalock.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import vmalock.event.Event;
import vmalock.event.EventKind;

/** The pairing rules on hand-made event sequences shaped like the kernel 6.18 behaviour in the traces README. */
class LockPairingTest {
    static final long MM = 0xffff888102a4f6c0L;
    static final long MM2 = 0xffff8881056e4b00L;

    private final List<Event> events = new ArrayList<>();
    private long line;

    private Event ev(EventKind k, long tsUs, int tid) {
        Event e = new Event();
        e.kind = k;
        e.name = k.name().toLowerCase();
        e.ts = tsUs * 1000;
        e.tid = tid;
        e.comm = "t" + tid;
        e.line = ++line;
        events.add(e);
        return e;
    }

    private void fault(long ts, int tid) {
        ev(EventKind.PAGE_FAULT_USER, ts, tid).address = 0x7f0000001000L;
    }

    private void start(long ts, int tid, long mm, boolean w) {
        Event e = ev(EventKind.MMAP_LOCK_START_LOCKING, ts, tid);
        e.mm = mm;
        e.write = w;
    }

    private void acquire(long ts, int tid, long mm, boolean w, boolean ok) {
        Event e = ev(EventKind.MMAP_LOCK_ACQUIRE_RETURNED, ts, tid);
        e.mm = mm;
        e.write = w;
        e.success = ok;
    }

    private void release(long ts, int tid, long mm, boolean w) {
        Event e = ev(EventKind.MMAP_LOCK_RELEASED, ts, tid);
        e.mm = mm;
        e.write = w;
    }

    private ObservedStats run(List<PairingListener.FaultRecord> faults) {
        ObservedStats s = new ObservedStats();
        LockPairing p = new LockPairing(new PairingListener() {
            @Override
            public void fault(PairingListener.FaultRecord f) {
                PairingListener.FaultRecord c = new PairingListener.FaultRecord();
                c.ts = f.ts;
                c.tid = f.tid;
                c.fallbackLoose = f.fallbackLoose;
                c.fallbackStrict = f.fallbackStrict;
                c.fallbackAcquireTs = f.fallbackAcquireTs;
                faults.add(c);
            }
        });
        for (Event e : events) {
            s.accept(e);
            p.accept(e);
        }
        s.endSource();
        p.finish();
        return s;
    }

    @Test
    void typicalFallbackFailedTrylockThenBlockingRead() {
        fault(100, 7);
        start(101, 7, MM, false);
        acquire(102, 7, MM, false, false); // trylock fails
        start(103, 7, MM, false);
        acquire(150, 7, MM, false, true); // mmap_read_lock after waiting 47 µs
        release(160, 7, MM, false);
        fault(200, 7); // next fault, served by the per-VMA lock
        List<PairingListener.FaultRecord> faults = new ArrayList<>();
        ObservedStats s = run(faults);
        assertEquals(1, s.fallbackFaultsStrict);
        assertEquals(1, s.fallbackFaultsLoose);
        assertEquals(2, s.readerWait.count());
        assertEquals(1, s.readerWaitSuccessOnly.count());
        assertEquals(47_000, s.readerWaitSuccessOnly.max());
        assertEquals(1_000, s.readerWait.min());
        assertEquals(1, s.readHold.count());
        assertEquals(10_000, s.readHold.max());
        assertEquals(1, s.diagnostics().waitSamplesWithSuccessFalse);
        assertEquals(1, s.failedReadAcquisitions);
        assertEquals(2, faults.size());
        assertTrue(faults.get(0).fallbackStrict);
        assertEquals(150_000, faults.get(0).fallbackAcquireTs);
        assertFalse(faults.get(1).fallbackLoose);
        assertEquals(1, s.perComm.get("t7").fallbackFaults);
    }

    @Test
    void downgradeCountsOnlyForTheLooseRule() {
        // munmap: write lock, then mmap_write_downgrade emits acquire_returned(read) with no start
        fault(100, 9);
        start(101, 9, MM, true);
        acquire(102, 9, MM, true, true);
        acquire(110, 9, MM, false, true); // downgrade
        release(120, 9, MM, false);
        start(130, 9, MM, true);
        acquire(131, 9, MM, true, true); // overwrites the never-released write hold
        release(140, 9, MM, true);
        ObservedStats s = run(new ArrayList<>());
        // rule 2: the write acquisition at 102 discarded the fault; rule 1: the downgrade matched it
        assertEquals(0, s.fallbackFaultsStrict);
        assertEquals(1, s.fallbackFaultsLoose);
        assertEquals(1, s.diagnostics().fallbackFaultsMatchedByDowngrade);
        assertEquals(1, s.diagnostics().acquireWithoutStartRead);
        assertEquals(1, s.diagnostics().acquireOverwrittenWithoutReleaseWrite);
        assertEquals(1, s.writeHold.count()); // the downgraded hold is never measured
        assertEquals(9_000, s.writeHold.max());
        assertEquals(1, s.readHold.count());
        assertEquals(2, s.writerWait.count());
        assertEquals(0, s.readerWait.count());
    }

    @Test
    void readWithoutStartDoesNotCloseTheStrictFault() {
        fault(100, 3);
        acquire(101, 3, MM, false, true); // no start (downgrade-like)
        start(102, 3, MM, false);
        acquire(103, 3, MM, false, true);
        ObservedStats s = run(new ArrayList<>());
        assertEquals(1, s.fallbackFaultsLoose);
        assertEquals(1, s.fallbackFaultsStrict);
    }

    @Test
    void waitsPairPerTaskMmAndWriteFlagMostRecentFirst() {
        start(100, 1, MM, true);
        start(101, 2, MM, true); // another task's start does not pair with task 1
        start(102, 1, MM2, false);
        acquire(110, 1, MM, true, true); // 10 µs
        acquire(111, 1, MM2, false, true); // 9 µs
        acquire(120, 2, MM, true, true); // 19 µs
        acquire(130, 2, MM, true, true); // no pending start: no sample
        start(140, 5, MM, false); // never acquired
        ObservedStats s = run(new ArrayList<>());
        assertEquals(2, s.writerWait.count());
        assertEquals(10_000, s.writerWait.min());
        assertEquals(19_000, s.writerWait.max());
        assertEquals(9_000, s.readerWait.max());
        assertEquals(1, s.diagnostics().acquireWithoutStartWrite);
        assertEquals(1, s.diagnostics().startLockingNeverAcquired);
        assertEquals(1, s.diagnostics().acquireOverwrittenWithoutReleaseWrite);
        // at the end: task 1 holds MM write + MM2 read, task 2 holds MM write
        assertEquals(2, s.diagnostics().acquireNeverReleasedWrite);
        assertEquals(1, s.diagnostics().acquireNeverReleasedRead);
    }

    @Test
    void aNewerStartReplacesAnUnconsumedOne() {
        // the tracer lost the acquire_returned of the first start: the stale start must not pair later
        start(100, 1, MM, false);
        start(900, 1, MM, false);
        acquire(905, 1, MM, false, true);
        acquire(950, 1, MM, false, true);
        ObservedStats s = run(new ArrayList<>());
        assertEquals(1, s.readerWait.count());
        assertEquals(5_000, s.readerWait.max());
        assertEquals(1, s.diagnostics().startLockingReplaced);
        assertEquals(1, s.diagnostics().acquireWithoutStartRead);
        assertEquals(0, s.diagnostics().startLockingNeverAcquired);
    }

    @Test
    void aNewFaultClosesTheOpenOneAsNotFallback() {
        fault(100, 4);
        fault(101, 4);
        start(102, 4, MM, false);
        acquire(103, 4, MM, false, true);
        fault(104, 4);
        List<PairingListener.FaultRecord> faults = new ArrayList<>();
        ObservedStats s = run(faults);
        assertEquals(1, s.fallbackFaultsStrict);
        assertEquals(3, faults.size());
        assertFalse(faults.get(0).fallbackStrict);
        assertEquals(101_000, faults.get(1).ts);
        assertTrue(faults.get(1).fallbackStrict);
        assertFalse(faults.get(2).fallbackStrict);
        assertEquals(3, s.pageFaults);
    }

    private void lost(long ts, int cpu) {
        Event e = ev(EventKind.LOST, ts, 0);
        e.cpu = cpu;
        e.count = 100;
    }

    /** Issue 12 item 2: a wait or hold pair with a lost-events marker between its events is not a sample. */
    @Test
    void pairsAcrossLostEventsAreCountedNotSampled() {
        // a writer waits on CPU 1; CPU 1 loses events; the acquisition pairs across the gap
        start(10, 1, MM, true);
        events.get(events.size() - 1).cpu = 1;
        lost(20, 1);
        acquire(7_445, 1, MM, true, true);
        events.get(events.size() - 1).cpu = 1;
        // a marker of another CPU between acquire and release: still a sample
        lost(7_450, 0);
        release(7_446, 1, MM, true);
        events.get(events.size() - 1).cpu = 1;
        // a read hold spanning a marker with no CPU
        start(7_500, 2, MM, false);
        events.get(events.size() - 1).cpu = 0;
        acquire(7_501, 2, MM, false, true);
        events.get(events.size() - 1).cpu = 0;
        lost(7_600, Event.UNKNOWN);
        release(7_700, 2, MM, false);
        events.get(events.size() - 1).cpu = 0;
        ObservedStats s = run(new ArrayList<>());
        assertEquals(0, s.writerWait.count(), "the 7,435 µs wait across the gap is not a sample");
        assertEquals(1, s.writeHold.count());
        assertEquals(1, s.readerWait.count());
        assertEquals(0, s.readHold.count());
        assertEquals(1L, s.diagnostics().asMap().get("wait_pairs_across_lost_events"));
        assertEquals(1L, s.diagnostics().asMap().get("hold_pairs_across_lost_events"));
        assertEquals(0L, s.diagnostics().asMap().get("acquire_without_start_write"));
        assertEquals(0L, s.diagnostics().asMap().get("acquire_never_released_write"));
    }
}
