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
}
