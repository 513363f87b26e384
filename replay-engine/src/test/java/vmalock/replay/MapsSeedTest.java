package vmalock.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vmalock.event.Event;
import vmalock.store.Ingester;
import vmalock.store.MapsSnapshots;
import vmalock.store.Workspace;

/** A workspace's /proc/PID/maps snapshot seeds the address space it belongs to (by pid). */
class MapsSeedTest {
    @TempDir
    Path tmp;

    @Test
    void snapshotOfTheProcessSeedsItsAddressSpaceAndRaisesTheKnownFraction() throws Exception {
        Path ws = tmp.resolve("ws");
        try (Workspace w = Workspace.forIngest(ws)) {
            Ingester.ingest(w, Traces.sample("ftrace-tgid.txt"), null, false, null);
        }
        Workload before;
        try (Workspace w = Workspace.open(ws)) {
            before = ReplayRunner.load(w, w.sources(null).get(0), -1);
        }
        // every page a task of pid 6856's process faulted on, as one anonymous mapping per 1 MiB
        java.util.TreeSet<Long> blocks = new java.util.TreeSet<>();
        for (Event e : Traces.events(Traces.sample("ftrace-tgid.txt"))) {
            if (e.kind == vmalock.event.EventKind.PAGE_FAULT_USER && e.tgid == 6856) blocks.add(e.address & -(1L << 20));
        }
        StringBuilder maps = new StringBuilder();
        for (long a : blocks) maps.append(String.format("%x-%x rw-p 00000000 00:00 0 %n", a, a + (1L << 20)));
        try (MapsSnapshots.Writer wr = new MapsSnapshots.Writer(ws, "local")) {
            wr.write(242_000_000_000L, 1000, 6856, 6856, "start", "overlapping", "/tmp/wl/overlapping", -1, maps.toString());
        }
        Workload after;
        try (Workspace w = Workspace.open(ws)) {
            after = ReplayRunner.load(w, w.sources(null).get(0), -1);
        }
        MmWork seeded = null;
        for (MmWork m : after.mms) if (m.snapshotTs >= 0) seeded = m;
        assertTrue(seeded != null, "the snapshot's process has an address space");
        assertTrue(seeded.initialAddressSpace().size() > 0);
        long knownBefore = before.faultsKnown();
        assertEquals(before.faultsKnown() + before.faultsInferred(), after.faultsKnown() + after.faultsInferred());
        assertTrue(after.faultsKnown() >= knownBefore, knownBefore + " -> " + after.faultsKnown());
        assertTrue(after.faultsInferred() < before.faultsInferred() || before.faultsInferred() == 0,
                before.faultsInferred() + " -> " + after.faultsInferred());
        // the replay runs on the seeded layout and still calibrates its own fallback count shape
        ReplayResult r = ReplayEngine.run(after, new ReplayOptions(), null);
        assertEquals(0, r.violations, r.findings.toString());
        assertEquals(before.operations(), after.operations());
    }
}
