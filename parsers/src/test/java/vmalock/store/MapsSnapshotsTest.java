package vmalock.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MapsSnapshotsTest {
    @TempDir
    Path ws;

    @Test
    void roundTripOfThisProcessMaps() throws Exception {
        String maps = Files.readString(Path.of("/proc/self/maps"));
        try (MapsSnapshots.Writer w = new MapsSnapshots.Writer(ws, "mono")) {
            assertEquals(0, w.write(100, 7, 42, 42, "start", "java proc", "/usr/bin/java", -1, maps));
            assertEquals(1, w.write(250, 0, 42, 42, "exit", "java proc", "/usr/bin/java", 300, "7f00-8f00 rw-p 00000000 00:00 0"));
        }
        List<MapsSnapshots.Snapshot> s = MapsSnapshots.read(ws);
        assertEquals(2, s.size());
        MapsSnapshots.Snapshot a = s.get(0);
        assertEquals(100, a.ts());
        assertEquals(7, a.readNs());
        assertEquals("start", a.reason());
        assertEquals("java_proc", a.comm());
        assertEquals(-1, a.exitTs());
        assertEquals(maps.lines().count(), a.lines().size());
        List<MapsSnapshots.Vma> v = a.vmas();
        assertTrue(v.stream().anyMatch(x -> x.path().equals("[stack]") && x.anon() && x.prot() == 3));
        assertTrue(v.stream().anyMatch(x -> !x.anon() && x.inode() != 0 && (x.prot() & 4) != 0), "a file-backed text mapping");
        MapsSnapshots.Snapshot b = s.get(1);
        assertEquals(300, b.exitTs());
        MapsSnapshots.Vma only = b.vmas().get(0);
        assertEquals(0x7f00, only.start());
        assertEquals(0x8f00, only.end());
        assertFalse(only.shared());
        assertTrue(only.anon());
    }

    @Test
    void parsesTheKernelsLayout() {
        MapsSnapshots.Vma v = MapsSnapshots.parseVma(
                "55d4c0a00000-55d4c0a01000 r-xs 00001000 fd:01 1234                       /tmp/my file");
        assertEquals(0x55d4c0a00000L, v.start());
        assertEquals(5, v.prot());
        assertTrue(v.shared());
        assertEquals(0x1000, v.offset());
        assertEquals("fd:01", v.dev());
        assertEquals("/tmp/my file", v.path());
        assertFalse(v.anon());
    }

    @Test
    void missingFileIsEmptyAndDamageIsNamed() throws Exception {
        assertTrue(MapsSnapshots.read(ws).isEmpty());
        Files.writeString(ws.resolve(MapsSnapshots.FILE), "# vmalock maps snapshots v1 clock=mono\n@snapshot seq=0 ts=1 pid=2 reason=start\n7f-8f rw-p 0 00:00 0\n");
        StoreException e = assertThrows(StoreException.class, () -> MapsSnapshots.read(ws));
        assertTrue(e.getMessage().contains("line 2: snapshot without @end"), e.getMessage());
        Files.writeString(ws.resolve(MapsSnapshots.FILE), "hello\n");
        e = assertThrows(StoreException.class, () -> MapsSnapshots.read(ws));
        assertTrue(e.getMessage().endsWith("line 1: not a vmalock maps snapshot file"), e.getMessage());
    }
}
