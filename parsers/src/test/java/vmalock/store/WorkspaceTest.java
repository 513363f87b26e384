package vmalock.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vmalock.event.Event;
import vmalock.event.EventKind;
import vmalock.event.EventSink;
import vmalock.event.Syscall;
import vmalock.parse.SharedTraces;

class WorkspaceTest {
    @TempDir
    Path tmp;

    /** Random events exercising every field, several blocks, strings inline and interned. */
    static List<Event> randomEvents(int n, int source, long seed) {
        Random r = new Random(seed);
        String[] comms = {"ov-fault-0", "C1 CompilerThre", "kworker/u8:1", "<idle>", null, "memfd:sealed-91"};
        String[] names = {"mmap_lock_start_locking", "mmap_lock_acquire_returned", "page_fault_user", "sys_enter_mmap", "foo_bar"};
        List<Event> out = new ArrayList<>();
        long ts = 1_216_415_952_000L;
        for (int i = 0; i < n; i++) {
            Event e = new Event();
            e.kind = EventKind.of(r.nextInt(EventKind.values().length));
            e.name = names[r.nextInt(names.length)];
            ts += r.nextInt(3000) - 200; // occasionally backwards, like merged per-CPU buffers
            e.ts = ts;
            e.cpu = r.nextInt(3) - 1;
            e.tid = r.nextInt(70000);
            e.tgid = r.nextBoolean() ? Event.UNKNOWN : r.nextInt(70000);
            e.comm = comms[r.nextInt(comms.length)];
            e.source = source;
            e.line = i + 1 + (i / 100);
            e.mm = r.nextBoolean() ? r.nextLong() : 0;
            e.write = r.nextBoolean();
            e.success = r.nextBoolean();
            if (r.nextBoolean()) {
                e.memcgPath = r.nextBoolean() ? "" : "/system.slice/x" + r.nextInt(5);
            } else {
                e.memcgId = r.nextInt(100);
            }
            e.address = r.nextLong();
            e.ip = r.nextInt(3) == 0 ? 0 : r.nextLong();
            e.errorCode = r.nextInt(8);
            e.lockAddr = r.nextLong();
            e.flags = r.nextInt(64);
            e.syscall = Syscall.of(r.nextInt(Syscall.values().length));
            e.nargs = r.nextInt(Event.MAX_ARGS + 1);
            for (int a = 0; a < e.nargs; a++) {
                e.argNames[a] = "arg" + a;
                e.args[a] = r.nextLong();
            }
            e.ret = r.nextInt(3) == 0 ? -12 : r.nextLong();
            e.otherPid = r.nextBoolean() ? Event.UNKNOWN : r.nextInt(1000);
            e.text = r.nextInt(3) == 0 ? null : (r.nextBoolean() ? "/usr/bin/date" : "raw text " + r.nextLong() + " ".repeat(r.nextInt(100)));
            e.count = e.kind == EventKind.LOST ? r.nextInt(3) - 1 : 0;
            out.add(e);
        }
        return out;
    }

    static Path file(Path dir, String name, String content) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    static Manifest.Source ingest(Workspace ws, Path file, List<Event> events) throws Exception {
        IngestSession s = ws.beginSource(file, Files.size(file), Checksums.of(file));
        for (Event e : events) {
            s.event(e);
        }
        IngestSession.Details d = new IngestSession.Details();
        d.format = "test";
        d.clock = "local";
        return s.commit(d);
    }

    static List<Event> readAll(Workspace ws) {
        List<Event> got = new ArrayList<>();
        try (EventReader r = ws.reader()) {
            Event e = new Event();
            while (r.next(e)) {
                got.add(e.copy());
            }
        }
        return got;
    }

    @Test
    void roundTripsEveryFieldAcrossBlocksAndSources() throws Exception {
        Path dir = tmp.resolve("ws");
        List<Event> a = randomEvents(20_000, 0, 1);
        List<Event> b = randomEvents(3_000, 1, 2);
        try (Workspace ws = Workspace.forIngest(dir)) {
            Manifest.Source sa = ingest(ws, file(tmp, "a.txt", "a"), a);
            assertTrue(sa.blocks > 1, "several blocks: " + sa.blocks);
            ingest(ws, file(tmp, "b.txt", "b"), b);
        }
        try (Workspace ws = Workspace.open(dir)) {
            assertEquals(2, ws.manifest().sources.size());
            List<Event> all = new ArrayList<>(a);
            all.addAll(b);
            List<Event> got = readAll(ws);
            assertEquals(all.size(), got.size());
            for (int i = 0; i < all.size(); i++) {
                assertEquals(all.get(i), got.get(i), "event " + i);
            }
            // only source 1
            List<Event> only = new ArrayList<>();
            try (EventReader r = ws.reader(List.of(ws.manifest().source(1)))) {
                Event e = new Event();
                while (r.next(e)) {
                    only.add(e.copy());
                }
            }
            assertEquals(b, only);
            assertEquals(0, ws.orphanBlocks());
        }
    }

    @Test
    void refusesTheSameFileTwice() throws Exception {
        Path dir = tmp.resolve("ws");
        Path f = file(tmp, "a.txt", "same bytes");
        Path copy = file(tmp, "copy-of-a.txt", "same bytes");
        try (Workspace ws = Workspace.forIngest(dir)) {
            ingest(ws, f, randomEvents(10, 0, 3));
        }
        try (Workspace ws = Workspace.forIngest(dir)) {
            DuplicateSourceException ex = assertThrows(DuplicateSourceException.class,
                    () -> ws.beginSource(copy, Files.size(copy), Checksums.of(copy)));
            assertTrue(ex.getMessage().contains("already in workspace"), ex.getMessage());
            assertTrue(ex.getMessage().contains("a.txt"), ex.getMessage());
            assertEquals(1, ws.manifest().sources.size());
        }
    }

    /**
     * The ingest checksums a file in its parsing read unless a source of the same size is already there
     * (then it checksums first, to refuse a duplicate before parsing): both paths give the same value.
     */
    @Test
    void ingestChecksumsInTheParsingReadAndStillRefusesDuplicates() throws Exception {
        String line = "      capture.sh-16869   [001] d....  1216.415952: page_fault_user: address=0x7ffe04f81080 ip=0x55c68066d35e error_code=0x7\n";
        Path a = file(tmp, "a.txt", line + line);
        Path sameSize = file(tmp, "b.txt", line + line.replace("0x7\n", "0x6\n"));
        Path copy = file(tmp, "copy-of-a.txt", line + line);
        Path dir = tmp.resolve("ws");
        try (Workspace ws = Workspace.forIngest(dir)) {
            Manifest.Source sa = Ingester.ingest(ws, a, null, false, null);
            assertEquals(Checksums.of(a), sa.checksum);
            assertEquals(Files.size(a), sa.size);
            Manifest.Source sb = Ingester.ingest(ws, sameSize, null, false, null); // same size, other bytes
            assertEquals(Checksums.of(sameSize), sb.checksum);
            DuplicateSourceException ex = assertThrows(DuplicateSourceException.class,
                    () -> Ingester.ingest(ws, copy, null, false, null));
            assertTrue(ex.getMessage().contains("a.txt"), ex.getMessage());
            assertEquals(2, ws.manifest().sources.size());
        }
    }

    @Test
    void interruptedIngestIsNeverReadAsComplete() throws Exception {
        Path dir = tmp.resolve("ws");
        List<Event> good = randomEvents(5_000, 0, 4);
        List<Event> partial = randomEvents(30_000, 1, 5);
        List<Event> after = randomEvents(2_000, 1, 6);
        Path fb = file(tmp, "b.txt", "b");
        try (Workspace ws = Workspace.forIngest(dir)) {
            ingest(ws, file(tmp, "a.txt", "a"), good);
            IngestSession s = ws.beginSource(fb, 1, Checksums.of(fb));
            for (Event e : partial) {
                s.event(e); // several blocks reach the queue ...
            }
            // ... and the "process dies": no commit; close releases the queue and the lock
        }
        try (Workspace ws = Workspace.open(dir)) {
            assertEquals(1, ws.manifest().sources.size());
            assertEquals(good, readAll(ws));
            assertTrue(ws.orphanBlocks() > 0);
        }
        // the same file can be ingested again after the interruption; readers skip the orphans
        try (Workspace ws = Workspace.forIngest(dir)) {
            Manifest.Source s = ingest(ws, fb, after);
            assertEquals(1, s.index);
        }
        try (Workspace ws = Workspace.open(dir)) {
            List<Event> want = new ArrayList<>(good);
            want.addAll(after);
            assertEquals(want, readAll(ws));
        }
    }

    @Test
    void aSecondWriterIsRefusedWhileTheFirstHoldsTheLock() throws Exception {
        Path dir = tmp.resolve("ws");
        try (Workspace ws = Workspace.forIngest(dir)) {
            StoreException ex = assertThrows(StoreException.class, () -> Workspace.forIngest(dir));
            assertTrue(ex.getMessage().contains("busy"), ex.getMessage());
        }
    }

    @Test
    void clearErrorsForMissingOrForeignDirectories() throws Exception {
        StoreException ex = assertThrows(StoreException.class, () -> Workspace.open(tmp.resolve("nope")));
        assertTrue(ex.getMessage().contains("no such workspace"), ex.getMessage());
        Files.writeString(tmp.resolve("other.txt"), "x");
        ex = assertThrows(StoreException.class, () -> Workspace.open(tmp));
        assertTrue(ex.getMessage().contains("not a vmalock workspace"), ex.getMessage());
        ex = assertThrows(StoreException.class, () -> Workspace.forIngest(tmp));
        assertTrue(ex.getMessage().contains("not empty"), ex.getMessage());
    }

    @Test
    void countsLinesByKindAndLostMarkers() throws Exception {
        Path dir = tmp.resolve("ws");
        Path f = file(tmp, "a.txt", "abc");
        try (Workspace ws = Workspace.forIngest(dir)) {
            IngestSession s = ws.beginSource(f, 3, Checksums.of(f));
            s.nonEventLine(EventSink.NonEventKind.HEADER, 1);
            Event e = new Event();
            e.kind = EventKind.PAGE_FAULT_USER;
            e.name = "page_fault_user";
            e.ts = 5;
            e.line = 2;
            s.event(e);
            e.clear();
            e.kind = EventKind.LOST;
            e.cpu = 1;
            e.count = 7;
            e.line = 3;
            s.event(e);
            e.count = -1;
            e.line = 4;
            s.event(e);
            s.problem(5, "bad line");
            IngestSession.Details d = new IngestSession.Details();
            d.format = "ftrace";
            Manifest.Source m = s.commit(d);
            assertEquals(5, m.linesTotal);
            assertEquals(1, m.events);
            assertEquals(3, m.nonEventLines);
            assertEquals(2L, m.nonEventLinesByKind.get("lost_marker"));
            assertEquals(7, m.lostEvents);
            assertEquals(2, m.lostEventMarkers);
            assertEquals(1, m.lostEventMarkersWithoutCount);
            assertEquals(List.of("5: bad line"), m.problemSamples);
            assertEquals(5L, m.firstTs);
        }
        Manifest back = Manifest.read(dir);
        assertEquals(1, back.sources.size());
        assertEquals(3L, back.sources.get(0).records);
        assertFalse(Files.exists(dir.resolve(Manifest.FILE + ".tmp")));
    }
}
