package vmalock.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import vmalock.event.Syscall;

/**
 * madvise(MADV_DONTNEED) under the per-VMA lock drops it before tlb_finish_mmu: a writer that write-locks the VMA
 * while the call flushes the TLB does not wait for the flush, only for the zap.
 */
class MadviseZapReplayTest {
    static final long A = 0xffff888100000000L;
    static final long REGION = 0x7f0000000000L;

    /** Task 1 zaps 16 pages 1000–1040 µs (its TLB flush from 1003 when {@code flushed}); task 2 mprotects a page of the same VMA at 1010. */
    private static ReplayCounters run(boolean flushed) {
        Ev ev = new Ev()
                .write(0, 1, A, 5, Syscall.MMAP, REGION, 0, 1 << 20, 3, 0x22, -1, 0)
                .fault(100, 1, REGION, 6)
                .enter(1000, 1, Syscall.MADVISE, REGION, 0x10000, 4);
        if (flushed) ev.tlbFlush(1003, 1, 4);
        ev.write(1010, 2, A, 2, Syscall.MPROTECT, 0, REGION + 0x20000, 0x1000, 1)
                .exit(1040, 1, Syscall.MADVISE, 0);
        try (Workload w = ev.build(1000)) {
            return ReplayEngine.run(w, new ReplayOptions().policy(PolicyPreset.preset("vma-refcount"))
                    .timing(ReplayOptions.Timing.TRACE), null).counters;
        }
    }

    @Test
    void aWriterWaitsForTheZapNotForTheTlbFlush() {
        ReplayCounters split = run(true);
        assertEquals(0, split.vmaWriteWait.sum(), "the zap ended at 1003, before the writer came");
        ReplayCounters whole = run(false);
        // one call, no flush in the trace: the whole call holds the VMA lock and the writer waits for its end
        assertTrue(whole.vmaWriteWait.sum() >= 25_000, "waited " + whole.vmaWriteWait.sum() + " ns");
        // the call's own latency is the same either way: the flush still runs, outside the lock
        int m = Syscall.MADVISE.ordinal();
        assertEquals(40_000, split.syscallLatencyBy[m].max());
        assertEquals(40_000, whole.syscallLatencyBy[m].max());
    }

    /**
     * A madvise the traced kernel served under mmap_lock for read (here: 2 µs into the call, held 28 µs, 5 µs to the
     * call's exit) is a VMA-changing syscall too: counted in the syscall latency as the trace's is (the section
     * replayed, what came before and after it as traced), so both sides cover the same calls.
     */
    @Test
    void aMadviseUnderMmapLockCountsInTheSyscallLatency() {
        Ev ev = new Ev()
                .write(0, 1, A, 5, Syscall.MMAP, REGION, 0, 1 << 20, 3, 0x22, -1, 0)
                .fault(100, 1, REGION, 6)
                .enter(1000, 1, Syscall.MADVISE, REGION, 0x10000, 4)
                .start(1002, 1, A, false).acq(1002, 1, A, false, true).rel(1030, 1, A, false)
                .exit(1035, 1, Syscall.MADVISE, 0);
        try (Workload w = ev.build(1000)) {
            Ops o = null;
            for (TaskWork t : w.mms.get(0).tasks()) if (t.tid == 1) o = t.ops;
            assertEquals(Ops.READ, o.kind(2)); // after the mmap and the fault
            assertEquals(Ops.CLASS_MADVISE, o.sub(2));
            assertEquals(2_000, o.scPre(2));
            assertEquals(5_000, o.scTail(2));
            ReplayCounters c = ReplayEngine.run(w, new ReplayOptions().policy(PolicyPreset.preset("vma-refcount"))
                    .timing(ReplayOptions.Timing.TRACE), null).counters;
            int m = Syscall.MADVISE.ordinal();
            assertEquals(1, c.syscallLatencyBy[m].count());
            long ns = c.syscallLatencyBy[m].max(); // 2 µs before the section, its 28 µs, 5 µs after, at the trace's 1 µs resolution
            assertTrue(ns >= 35_000 && ns < 36_000, ns + " ns");
        }
    }

    /**
     * On a kernel that serves madvise(MADV_DONTNEED) under the per-VMA lock (the trace shows such a call: task 1 at
     * 500 µs), a DONTNEED call it served under mmap_lock had failed lock_vma_under_rcu() — an outcome, not an input:
     * replayed with no writer about, it is served under the VMA lock and takes no mmap_lock. Without that evidence in
     * the trace it is replayed under mmap_lock, as traced.
     */
    @Test
    void aMadviseThatFellBackIsReplayedWithTheVmaLockFirst() {
        for (boolean evidence : new boolean[] {false, true}) {
            Ev ev = new Ev()
                    .write(0, 1, A, 5, Syscall.MMAP, REGION, 0, 1 << 20, 3, 0x22, -1, 0)
                    .fault(100, 1, REGION, 6);
            if (evidence) ev.enter(500, 1, Syscall.MADVISE, REGION, 0x10000, 4).exit(510, 1, Syscall.MADVISE, 0);
            ev.enter(1000, 1, Syscall.MADVISE, REGION, 0x10000, 4)
                    .start(1002, 1, A, false).acq(1002, 1, A, false, true).rel(1030, 1, A, false)
                    .exit(1035, 1, Syscall.MADVISE, 0);
            long[] mmapReads = new long[1];
            try (Workload w = ev.build(1000)) {
                ReplayEngine.run(w, new ReplayOptions().policy(PolicyPreset.preset("vma-refcount"))
                        .timing(ReplayOptions.Timing.TRACE), e -> {
                            if (e.kind == vmalock.event.EventKind.MMAP_LOCK_START_LOCKING && !e.write && e.ts >= 900_000) mmapReads[0]++;
                        });
            }
            assertEquals(evidence ? 0 : 1, mmapReads[0], evidence ? "served under the VMA lock" : "as traced");
        }
    }
}
