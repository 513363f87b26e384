package vmalock.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import vmalock.event.Event;
import vmalock.event.EventKind;
import vmalock.event.Syscall;

/**
 * A traced read() of /proc/PID/maps (open-path probe → fd → read) is replayed in the target's address space:
 * under no-vma-lock it holds mmap_read_lock for the read, so a writer arriving meanwhile waits; under vma-refcount
 * it walks the VMAs with vma_start_read (6.17+ lock_next_vma) and the writer's mmap_write_lock does not wait.
 */
class MapsReaderReplayTest {
    static final long A = 0xaaaa000L, B = 0xbbbb000L;
    static final long REGION = 0x7f0000000000L;

    /** Target process 1 with ten VMAs; reader process 2 reads /proc/1/maps for 500 µs; 1 mprotects at 300 µs. */
    static Ev trace(String path) {
        Ev ev = new Ev();
        for (int k = 0; k < 10; k++) {
            // ten separate mappings (a gap between each)
            ev.write(k * 10, 1, A, 2, Syscall.MMAP, REGION + k * 0x100000L, 0, 0x10000, 3, 0x22, -1, 0);
        }
        ev.write(150, 2, B, 2, Syscall.MMAP, 0x7e0000000000L, 0, 0x1000, 3, 0x22, -1, 0); // the reader's own mm
        ev.open(180, 2, path, 3);
        ev.readFd(200, 2, 3, 500);
        ev.write(300, 1, A, 5, Syscall.MPROTECT, 0, REGION + 9 * 0x100000L, 0x1000, 1);
        return ev;
    }

    /** The mprotect's mmap_write_lock wait (start_locking → acquire_returned) in the replay, ns. */
    static long writerWait(String policy, Ev ev, ReplayCounters[] counters) {
        List<Event> out = new ArrayList<>();
        try (Workload w = ev.build(1000)) {
            ReplayResult r = ReplayEngine.run(w, new ReplayOptions().policy(PolicyPreset.preset(policy))
                    .timing(ReplayOptions.Timing.TRACE), e -> out.add(e.copy()));
            counters[0] = r.counters;
        }
        long startTs = -1;
        long wait = -1;
        for (Event e : out) {
            if (e.tid != 1 || !e.write || e.mm == 0) continue;
            if (e.kind == EventKind.MMAP_LOCK_START_LOCKING) startTs = e.ts;
            if (e.kind == EventKind.MMAP_LOCK_ACQUIRE_RETURNED && startTs >= 0) wait = e.ts - startTs;
        }
        return wait;
    }

    @Test
    void aMapsReaderDelaysAWriterUnderNoVmaLockButNotUnderVmaRefcount() {
        ReplayCounters[] c = new ReplayCounters[1];
        long none = writerWait("no-vma-lock", trace("/proc/1/maps"), c);
        assertEquals(1, c[0].mapsReads);
        assertEquals(1, c[0].mapsReadsMmapLock);
        assertTrue(none >= 300_000, "the writer waits for the maps read to end (≈400 µs): " + none);
        long refcount = writerWait("vma-refcount", trace("/proc/1/maps"), c);
        assertEquals(1, c[0].mapsReads);
        assertEquals(0, c[0].mapsReadsMmapLock);
        assertTrue(refcount >= 0 && refcount < 5_000, "lock_next_vma takes no mmap_lock: " + refcount);
        // the same read of a file that is not maps is not a maps reader
        long other = writerWait("no-vma-lock", trace("/proc/1/status"), c);
        assertEquals(0, c[0].mapsReads);
        assertTrue(other < 5_000, "no maps read, no wait: " + other);
    }

    @Test
    void theProcFileReadClassifiesARemoteReadInsteadOfItsHold() {
        // process 2 reads /proc/1/environ with a 20 µs remote section (the hold rule would call it a walk) and
        // /proc/1/smaps with a 3 µs one (the hold rule would call it one page): the open-path evidence decides
        Ev ev = new Ev();
        ev.write(0, 1, A, 2, Syscall.MMAP, REGION, 0, 0x10000, 3, 0x22, -1, 0);
        for (int k = 0; k < 16; k++) ev.fault(5, 1, REGION + k * 0x1000L, 6); // every page of the target present
        ev.write(10, 2, B, 2, Syscall.MMAP, 0x7e0000000000L, 0, 0x1000, 3, 0x22, -1, 0);
        ev.open(20, 2, "/proc/1/environ", 3).readFdLocking(30, 2, 3, 30, A, 20);
        ev.open(70, 2, "/proc/1/smaps", 4).readFdLocking(80, 2, 4, 10, A, 3);
        ReplayCounters[] c = new ReplayCounters[1];
        writerWait("remote-vma-lock", ev, c);
        assertEquals(2, c[0].remote);
        assertEquals(1, c[0].remoteProcArgs);
        assertEquals(1, c[0].remoteProcWalk);
        assertEquals(0, c[0].remoteShortInferred + c[0].remoteWalkInferred);
        assertEquals(1, c[0].remoteFast, "environ: one __access_remote_vm copy, van Riel's fast path");
        assertEquals(Ops.F_PROC_ARGS, WorkBuilder.procFile("/proc/self/cmdline"));
        assertEquals(Ops.F_PROC_WALK, WorkBuilder.procFile("/proc/9/smaps_rollup"));
        assertEquals(0, WorkBuilder.procFile("/proc/9/status"));
    }

    @Test
    void mapsFilesAndTheirTargets() {
        assertEquals(0, WorkBuilder.mapsTarget("/proc/self/maps"));
        assertEquals(0, WorkBuilder.mapsTarget("/proc/thread-self/maps"));
        assertEquals(519, WorkBuilder.mapsTarget("/proc/519/maps"));
        assertEquals(521, WorkBuilder.mapsTarget("/proc/519/task/521/maps"));
        assertNull(WorkBuilder.mapsTarget("/proc/519/smaps"), "smaps takes mmap_read_lock on every kernel: traced already");
        assertNull(WorkBuilder.mapsTarget("/proc/519/numa_maps"));
        assertNull(WorkBuilder.mapsTarget("/tmp/maps"));
        assertNull(WorkBuilder.mapsTarget("/proc/x/maps"));
    }
}
