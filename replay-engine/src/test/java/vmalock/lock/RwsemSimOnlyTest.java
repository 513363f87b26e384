package vmalock.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static vmalock.lock.Harness.act;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Time-dependent rwsem rules, checked in virtual time: stealing, spinning, HANDOFF after ≈4 ms. */
class RwsemSimOnlyTest {
    private final List<String> log = new ArrayList<>();

    private Seq readSection(Mm mm, String name, long holdNs) {
        return Seq.of(t -> t.ops().mmapReadLock.init(mm, false, true), act(t -> log.add(t.driver().now() + " " + name)),
                t -> t.ops().hold.init(holdNs), act(t -> mm.mmapLock.readUnlock(t)));
    }

    private Seq writeSection(Mm mm, String name, long holdNs) {
        return Seq.of(t -> t.ops().mmapWriteLock.init(mm, true), act(t -> log.add(t.driver().now() + " " + name)),
                t -> t.ops().hold.init(holdNs), act(t -> mm.mmapLock.writeUnlock(t)));
    }

    @Test
    void readerStealsPastAWokenWriterWhenNoFlagForbidsIt() {
        Harness.Sim h = new Harness.Sim();
        h.s.wakeLatencyNs = 1_000;
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        h.s.spawn(new Task(1, "r1"), readSection(mm, "r1", 100_000), 0);
        h.s.spawn(new Task(2, "w"), writeSection(mm, "w", 1_000), 10);
        h.s.spawn(new Task(3, "r2"), readSection(mm, "r2", 50_000), 100_500); // between r1's release and w's wake
        h.runAll();
        assertEquals(List.of("0 r1", "100500 r2", "151500 w"), log, "w is woken 1 µs (wake latency) after r2 leaves");
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    @Test
    void writerSpinsOnAReaderOwnedLockForTenPlusHalfAMicrosecondPerReaderThenQueues() {
        Harness.Sim h = new Harness.Sim();
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        h.s.spawn(new Task(1, "r1"), readSection(mm, "r1", 5_000), 0);
        h.s.spawn(new Task(2, "w"), writeSection(mm, "w", 1_000), 10);
        h.runAll();
        assertEquals(List.of("0 r1", "5000 w"), log, "a short reader section: the spinner takes it unqueued");
        assertEquals(List.of("start w1", "acq w1 1", "rel w1"), h.shapes(2), "spinning fires no contention event");
        log.clear();
        Harness.Sim h2 = new Harness.Sim();
        Mm mm2 = h2.mm(VmaLockDesign.REFCOUNT);
        h2.s.spawn(new Task(1, "r1"), readSection(mm2, "r1", 50_000), 0);
        h2.s.spawn(new Task(2, "w"), writeSection(mm2, "w", 1_000), 10);
        h2.runAll();
        assertEquals(List.of("start w1", "cb 4", "ce 0", "acq w1 1", "rel w1"), h2.shapes(2),
                "past (20+1)/2 = 10.5 µs the writer sets NONSPINNABLE and queues");
    }

    @Test
    void aSpinningWriterTakesTheLockAtTheReleaseWithoutAWakeUpLatency() {
        // the spinner polls on its CPU: a scheduler wake-up latency (here 50 µs) is for sleepers only. Before,
        // the spinner was "woken" with it and readers arriving meanwhile kept the lock (o2-k1 replayed against
        // itself: writer wait sum 1.6x the trace's, p99 10 µs against 5)
        Harness.Sim h = new Harness.Sim();
        h.s.wakeLatencyNs = 50_000;
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        h.s.spawn(new Task(1, "r1"), readSection(mm, "r1", 5_000), 0);
        h.s.spawn(new Task(2, "w"), writeSection(mm, "w", 1_000), 10);
        h.s.spawn(new Task(3, "r2"), readSection(mm, "r2", 1_000), 5_500); // after r1's release
        h.runAll();
        assertEquals(List.of("0 r1", "5000 w", "56000 r2"), log,
                "w takes the lock when r1 leaves; r2, a sleeper behind it, pays the wake latency");
        assertEquals(List.of("start w1", "acq w1 1", "rel w1"), h.shapes(2), "spinning fires no contention event");
        assertEquals(0, h.findings.total(), h.findings::toString);
    }

    /**
     * A VMA writer waiting in vma_start_write (rcuwait, no spinning) woken by the last reader's vma_end_read while it is
     * still on its CPU ({@link SimScheduler#rcuwaitSwitchOut}) pays no wake-up latency; woken later, it does. The reader
     * holds the VMA 0–3 µs, the writer blocks at 1 µs: woken 2 µs after it blocked.
     */
    @Test
    void aVmaWriterWokenBeforeItSwitchedOutPaysNoWakeUpLatency() {
        for (long switchOut : new long[] {-1, 1_000, 5_000}) {
            log.clear();
            Harness.Sim h = new Harness.Sim();
            h.s.wakeLatencyNs = 50_000;
            if (switchOut >= 0) h.s.rcuwaitSwitchOut = t -> switchOut;
            Mm mm = h.mm(VmaLockDesign.REFCOUNT);
            Vma v = mm.addVma(0x10000, 0x20000);
            h.s.spawn(new Task(1, "r"), Seq.of(t -> new VmaLock.StartRead().init(mm, v), t -> t.ops().hold.init(3_000),
                    act(t -> VmaLock.endRead(t, v))), 0);
            h.s.spawn(new Task(2, "w"), Seq.of(t -> t.ops().mmapWriteLock.init(mm, true),
                    t -> t.ops().vmaStartWrite.init(v, false), act(t -> log.add(t.driver().now() + " w")),
                    act(t -> mm.mmapLock.writeUnlock(t))), 1_000);
            h.runAll();
            assertEquals(1, log.size(), log::toString);
            long at = Long.parseLong(log.get(0).split(" ")[0]);
            if (switchOut == 5_000) assertTrue(at < 4_000, "still on its CPU: no wake-up latency, " + log);
            else assertTrue(at >= 53_000, "asleep: the wake-up latency, " + log);
            assertEquals(0, h.findings.total(), h.findings::toString);
        }
    }

    /**
     * The waker pays for the wake-up ({@link SimScheduler#wakerCost}): w holds mmap_lock for writing 0–10 µs; r blocks on
     * it at 2 µs (asleep). w's release wakes r, and w's next step comes {@code cost} later; r's release wakes nobody and
     * costs nothing.
     */
    @Test
    void theWakerPaysForWakingASleeper() {
        for (long cost : new long[] {0, 8_000}) {
            log.clear();
            Harness.Sim h = new Harness.Sim();
            h.s.wakeLatencyNs = 1_000;
            if (cost > 0) h.s.wakerCost = t -> cost;
            Mm mm = h.mm(VmaLockDesign.REFCOUNT);
            h.s.spawn(new Task(1, "w"), Seq.of(t -> t.ops().mmapWriteLock.init(mm, true), t -> t.ops().hold.init(10_000),
                    act(t -> mm.mmapLock.writeUnlock(t)), act(t -> log.add(t.driver().now() + " w1"))), 0);
            h.s.spawn(new Task(2, "r"), readSection(mm, "r", 5_000), 2_000);
            h.runAll();
            assertEquals(2, log.size(), log::toString);
            assertTrue(log.contains("11000 r"), "r is woken 1 µs after the release whatever it costs w: " + log);
            assertTrue(log.contains((10_000 + cost) + " w1"), "cost " + cost + ": " + log);
            assertEquals(cost > 0 ? 1 : 0, h.s.wakerCharges(), "one wake-up of a sleeper");
            assertEquals(cost, h.s.wakerChargedNs());
            assertEquals(0, h.findings.total(), h.findings::toString);
        }
    }

    @Test
    void handoffAfterTheWaiterTimeoutBlocksStealers() {
        for (boolean late : new boolean[] {false, true}) {
            log.clear();
            Harness.Sim h = new Harness.Sim();
            h.s.wakeLatencyNs = 1_000;
            Mm mm = h.mm(VmaLockDesign.REFCOUNT);
            Rwsem s = mm.mmapLock.rwsem;
            long release = late ? 5_000_000 : 1_000_000;
            h.s.spawn(new Task(1, "r1"), readSection(mm, "r1", release), 0);
            h.s.spawn(new Task(2, "w"), writeSection(mm, "w", 1_000), 10);
            h.s.spawn(new Task(3, "r2"), readSection(mm, "r2", 2_000_000), release + 500); // steals before w runs
            boolean[] handoffSeen = new boolean[1];
            h.s.spawn(new Task(4, "probe"), Seq.of(act(t -> handoffSeen[0] = s.handoff())), release + 600_000);
            h.runAll();
            assertEquals(late, handoffSeen[0], "HANDOFF set only when the queued writer waited > 4 ms");
            assertTrue(log.get(1).endsWith("r2"), log::toString);
            assertEquals(0, h.findings.total(), h.findings::toString);
        }
    }

    @Test
    void handoffMakesLaterReadersQueueBehindTheWriter() {
        Harness.Sim h = new Harness.Sim();
        h.s.wakeLatencyNs = 1_000;
        Mm mm = h.mm(VmaLockDesign.REFCOUNT);
        h.s.spawn(new Task(1, "r1"), readSection(mm, "r1", 5_000_000), 0);
        h.s.spawn(new Task(2, "w"), writeSection(mm, "w", 1_000), 10);
        h.s.spawn(new Task(3, "r2"), readSection(mm, "r2", 2_000_000), 5_000_500);
        h.s.spawn(new Task(4, "r3"), readSection(mm, "r3", 1_000), 5_500_000); // HANDOFF is set: must not steal
        h.runAll();
        assertEquals(List.of("0 r1", "5000500 r2", "7001500 w", "7003500 r3"), log, "each hand-over costs the 1 µs wake latency");
        assertFalse(mm.mmapLock.rwsem.handoff());
        assertEquals(0, h.findings.total(), h.findings::toString);
    }
}
