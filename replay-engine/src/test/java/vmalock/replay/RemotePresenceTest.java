package vmalock.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import vmalock.event.Syscall;

/**
 * remote-vma-lock (van Riel v2) falls back to mmap_read_lock for a page that is not present. Presence is
 * tracked per page for reads at a traced address (/proc/PID/mem): a completed fault makes its page present,
 * MADV_DONTNEED and munmap make their pages not present, and splits, merges and mremap carry the pages with
 * the VMA; memory that predates the trace is taken to be present.
 */
class RemotePresenceTest {
    static final long A = 0xaaaa000L, B = 0xbbbb000L;
    static final long REGION = 0x7f0000000000L;
    static final long MIB = 0x100000;
    static final long PAGE = 4096;
    static final int MADV_DONTNEED = 4, MADV_FREE = 8;

    /** Target (tid 1) maps 1 MiB at REGION; the reader (tid 2) has its own mm. */
    private static Ev mapped() {
        return new Ev()
                .write(0, 1, A, 5, Syscall.MMAP, REGION, 0, MIB, 3, 0x22, -1, 0)
                .write(10, 2, B, 5, Syscall.MMAP, 0x7e0000000000L, 0, 0x1000, 3, 0x22, -1, 0);
    }

    /** {@link #mapped()}, then the target faults pages 0 and 1 of REGION (by 110 µs). */
    private static Ev firstTwoPagesFaulted() {
        return mapped().fault(100, 1, REGION, 6).fault(110, 1, REGION + PAGE, 6);
    }

    private static ReplayCounters run(Ev ev) {
        try (Workload w = ev.build(1000)) {
            ReplayResult r = ReplayEngine.run(w, new ReplayOptions().policy(PolicyPreset.preset("remote-vma-lock"))
                    .timing(ReplayOptions.Timing.TRACE), null);
            assertEquals(r.counters.remote, r.counters.remoteMem, "every remote read at its traced address");
            return r.counters;
        }
    }

    /** {@code remote} /proc/PID/mem page reads, {@code fast} of them entirely on the per-VMA fast path. */
    private static void assertReads(Ev ev, int remote, int fast, String why) {
        ReplayCounters c = run(ev);
        assertEquals(remote, c.remote, "remote reads");
        assertEquals(fast, c.remoteFast, why);
    }

    @Test
    void aPageMappedButNotFaultedInFallsBackAndAFaultedOneTakesTheFastPath() {
        Ev ev = mapped()
                .pread(100, 2, A, REGION, PAGE, 2)                                              // not present yet
                .fault(200, 1, REGION, 6)                                                       // user write fault
                .pread(300, 2, A, REGION, PAGE, 2);                                             // present now
        ReplayCounters c = run(ev);
        assertEquals(2, c.remote, "two /proc/PID/mem page reads");
        assertEquals(2, c.remoteMem, "both at their traced address");
        assertEquals(1, c.remoteFast, "only the read after the fault takes the fast path");
    }

    @Test
    void aNeverFaultedPageOfAFaultedVmaFallsBack() {
        Ev ev = mapped()
                .fault(100, 1, REGION + 5 * PAGE + 0x10, 6)
                .pread(200, 2, A, REGION + 5 * PAGE, PAGE, 2)    // the faulted page: fast
                .pread(300, 2, A, REGION + 6 * PAGE, PAGE, 2)    // the next page, never faulted: falls back
                .pread(400, 2, A, REGION, PAGE, 2);              // the VMA's first page, never faulted: falls back
        assertReads(ev, 3, 1, "only the faulted page is present");
    }

    @Test
    void aSpanOfTwoPagesNeedsBothPresent() {
        Ev ev = mapped()
                .fault(100, 1, REGION, 6)
                .pread(200, 2, A, REGION + 0x800, PAGE, 2)       // copies page 0 and page 1: page 1 absent
                .fault(300, 1, REGION + PAGE, 6)
                .pread(400, 2, A, REGION + 0x800, PAGE, 2);      // both present now
        assertReads(ev, 2, 1, "mem_rw copies page by page: the first span falls back at its second page");
    }

    @Test
    void madvDontneedMakesThePageNotPresentUntilItFaultsAgain() {
        Ev ev = firstTwoPagesFaulted()
                .pread(200, 2, A, REGION, PAGE, 2)               // fast
                // MADV_DONTNEED of page 0 under the per-VMA lock (no mmap_lock events in the trace)
                .enter(300, 1, Syscall.MADVISE, REGION, PAGE, MADV_DONTNEED).exit(303, 1, Syscall.MADVISE, 0)
                .pread(400, 2, A, REGION, PAGE, 2)               // zapped: falls back
                .pread(450, 2, A, REGION + PAGE, PAGE, 2)        // page 1 untouched: fast
                .fault(500, 1, REGION, 6)
                .pread(600, 2, A, REGION, PAGE, 2);              // faulted again: fast
        assertReads(ev, 4, 3, "only the read after MADV_DONTNEED falls back");
    }

    @Test
    void madvDontneedUnderMmapReadLockZapsAndMadvFreeDoesNot() {
        Ev ev = firstTwoPagesFaulted()
                // MADV_FREE of page 1: the PTE stays (dirty/young cleared), still present
                .enter(200, 1, Syscall.MADVISE, REGION + PAGE, PAGE, MADV_FREE).read(201, 1, A, 2)
                .exit(204, 1, Syscall.MADVISE, 0)
                // MADV_DONTNEED of page 0 as a traced mmap_read_lock section (a kernel without the per-VMA path)
                .enter(300, 1, Syscall.MADVISE, REGION, PAGE, MADV_DONTNEED).read(301, 1, A, 2)
                .exit(304, 1, Syscall.MADVISE, 0)
                .pread(400, 2, A, REGION, PAGE, 2)               // zapped: falls back
                .pread(450, 2, A, REGION + PAGE, PAGE, 2);       // MADV_FREE'd: fast
        assertReads(ev, 2, 1, "fast-path reads");
    }

    @Test
    void munmapAndReMmapOfAFaultedPageMakesItNotPresent() {
        // page 2 is faulted, unmapped and mapped again: the new mapping merges into the faulted VMA before
        // it (vma_expand), so only per-page tracking knows the page is gone; page 0 keeps its presence
        // through the split and the merge
        Ev ev = mapped()
                .fault(100, 1, REGION, 6)
                .fault(110, 1, REGION + 2 * PAGE, 6)
                .write(200, 1, A, 5, Syscall.MUNMAP, 0, REGION + 2 * PAGE, PAGE)
                .write(300, 1, A, 5, Syscall.MMAP, REGION + 2 * PAGE, REGION + 2 * PAGE, PAGE, 3, 0x32, -1, 0)
                .pread(400, 2, A, REGION + 2 * PAGE, PAGE, 2)    // re-mapped, not faulted: falls back
                .pread(450, 2, A, REGION, PAGE, 2);              // carried through split and merge: fast
        assertReads(ev, 2, 1, "the re-mapped page falls back, the untouched one does not");
    }

    @Test
    void mremapMovesThePresentPagesWithTheVma() {
        long to = 0x7f1000000000L;
        Ev ev = mapped()
                .fault(100, 1, REGION + 3 * PAGE, 6)
                // mremap(REGION, 1 MiB, 1 MiB, MREMAP_MAYMOVE|MREMAP_FIXED, to) = to
                .write(200, 1, A, 5, Syscall.MREMAP, to, REGION, MIB, MIB, 3, to)
                .pread(300, 2, A, to + 3 * PAGE, PAGE, 2)        // moved page: fast
                .pread(350, 2, A, to + 4 * PAGE, PAGE, 2);       // never faulted: falls back
        assertReads(ev, 2, 1, "fast-path reads");
    }

    @Test
    void memoryThatPredatesTheTraceIsTakenToBePresent() {
        long x = 0x7f2000000000L;
        // two faults with no traced mmap: one inferred VMA [x, x + 4 pages) that existed before the trace
        Ev ev = mapped()
                .fault(100, 1, x, 6)
                .fault(110, 1, x + 3 * PAGE, 6)
                .pread(200, 2, A, x + PAGE, PAGE, 2);            // never faulted in the trace: present by assumption
        assertReads(ev, 1, 1, "fast-path reads");
    }
}
