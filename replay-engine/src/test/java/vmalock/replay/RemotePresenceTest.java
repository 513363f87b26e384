package vmalock.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import vmalock.event.Syscall;

/**
 * remote-vma-lock (van Riel v2) falls back to mmap_read_lock for a page that is not present: a /proc/PID/mem
 * read of memory the target mapped during the trace but has not faulted in takes the baseline path; once a
 * fault in it has completed, the same read takes the per-VMA fast path.
 */
class RemotePresenceTest {
    static final long A = 0xaaaa000L, B = 0xbbbb000L;
    static final long REGION = 0x7f0000000000L;

    @Test
    void aPageMappedButNotFaultedInFallsBackAndAFaultedOneTakesTheFastPath() {
        Ev ev = new Ev()
                .write(0, 1, A, 5, Syscall.MMAP, REGION, 0, 0x100000, 3, 0x22, -1, 0)         // target maps 1 MiB
                .write(10, 2, B, 5, Syscall.MMAP, 0x7e0000000000L, 0, 0x1000, 3, 0x22, -1, 0)  // reader's own mm
                .pread(100, 2, A, REGION, 4096, 2)                                              // not present yet
                .fault(200, 1, REGION, 6)                                                       // user write fault
                .pread(300, 2, A, REGION, 4096, 2);                                             // present now
        try (Workload w = ev.build(1000)) {
            ReplayResult r = ReplayEngine.run(w, new ReplayOptions().policy(PolicyPreset.preset("remote-vma-lock"))
                    .timing(ReplayOptions.Timing.TRACE), null);
            assertEquals(2, r.counters.remote, "two /proc/PID/mem page reads");
            assertEquals(2, r.counters.remoteMem, "both at their traced address");
            assertEquals(1, r.counters.remoteFast, "only the read after the fault takes the fast path");
        }
    }
}
