package vmalock.store;

import java.nio.file.Path;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

/** Opens the workspace's Chronicle queue with the settings every vmalock queue shares. */
final class Queues {
    static {
        // Chronicle phones home, announces itself and loads ./system.properties unless told not to; the
        // launcher and surefire pass these flags too, but library users (tests, JMH, other tools) may not.
        // This runs before any Chronicle class is initialised (they are only touched in open() below).
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        if (System.getProperty("system.properties") == null) {
            System.setProperty("system.properties", "/nonexistent");
        }
        // Chronicle loads its native POSIX binding (jnr-ffi, ~0.3 s of class loading and stub generation at
        // every start) only for msync, pretouching and a POSIX clock: a workspace queue uses none of them
        // (no sync mode, no pretoucher, a pinned clock). The no-op binding must be installed before
        // net.openhft.chronicle.core.Jvm initialises (it calls PosixAPI.posix()).
        net.openhft.posix.internal.PosixAPIHolder.useNoOpPosixApi();
        // Chronicle's Jvm initialiser loads the thread-affinity library, which loads JNA, which unpacks its native
        // library from the jar into ~/.cache/JNA and loads it (~30 ms), then binds libc (~15 ms): at every start
        // of a command that opens a queue (issue 13, start-up). A workspace queue pins no thread; without JNA's
        // library the affinity library falls back to its no-op implementation, silently. Unless the user set them.
        if (System.getProperty("jna.noclasspath") == null && System.getProperty("jna.boot.library.path") == null) {
            System.setProperty("jna.noclasspath", "true");
            if (System.getProperty("jna.nosys") == null) {
                System.setProperty("jna.nosys", "true");
            }
        }
    }

    /**
     * The queue's clock is pinned to a constant, so every document of a workspace lands in one cycle
     * file whatever the wall clock says. Chronicle otherwise rolls to a new file at 00:00 UTC
     * (FAST_DAILY) and changes the cycle number inside every index; a workspace is an archive of
     * finished captures, not a live log, and its index ranges in the manifest must stay valid and
     * contiguous (last = first + blocks - 1) no matter when or how long an ingest ran. With blocks of
     * up to {@value BlockCodec#MAX_EVENTS} events, FAST_DAILY's 2^32 documents per cycle hold far
     * more events than any capture.
     */
    private static final long PINNED_TIME_MS = 0L;

    private Queues() {
    }

    static ChronicleQueue open(Path queueDir, boolean readOnly) {
        return SingleChronicleQueueBuilder.binary(queueDir)
                .rollCycle(RollCycles.FAST_DAILY)
                .timeProvider(() -> PINNED_TIME_MS)
                .readOnly(readOnly)
                .build();
    }
}
