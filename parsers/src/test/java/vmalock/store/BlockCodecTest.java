package vmalock.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vmalock.event.Event;
import vmalock.event.EventKind;
import vmalock.event.Syscall;

/** The event block layout (version 3: byte-width numbers, CRC32C trailer) at its edges, and what a damaged block gives. */
class BlockCodecTest {
    @TempDir
    Path tmp;

    @Test
    void widthCountsSignificantBytes() {
        assertEquals(0, BlockCodec.width(0));
        assertEquals(1, BlockCodec.width(1));
        assertEquals(1, BlockCodec.width(255));
        assertEquals(2, BlockCodec.width(256));
        assertEquals(7, BlockCodec.width(0x00FF_FFFF_FFFF_FFFFL));
        assertEquals(8, BlockCodec.width(0x0100_0000_0000_0000L));
        assertEquals(8, BlockCodec.width(-1));
        assertEquals(8, BlockCodec.width(Long.MIN_VALUE));
    }

    /** Extreme values in every numeric field, with timestamps and line numbers jumping both ways. */
    static List<Event> extremes() {
        long[] longs = {0, 1, -1, 255, 256, -256, Long.MAX_VALUE, Long.MIN_VALUE, 0x7f18_5251_e000L, 1L << 55, -(1L << 55)};
        int[] ints = {0, 1, -1, Event.UNKNOWN, Integer.MAX_VALUE, Integer.MIN_VALUE, 65535, 4194304};
        List<Event> out = new ArrayList<>();
        Random r = new Random(7);
        for (int i = 0; i < 3000; i++) {
            Event e = new Event();
            e.kind = EventKind.of(i % EventKind.values().length);
            e.source = 3;
            e.name = i % 7 == 0 ? null : "ev" + (i % 5);
            e.comm = i % 11 == 0 ? null : (i % 13 == 0 ? "x".repeat(200) : "comm " + (i % 3));
            e.ts = longs[r.nextInt(longs.length)];
            e.line = longs[r.nextInt(longs.length)];
            e.cpu = ints[r.nextInt(ints.length)];
            e.tid = ints[r.nextInt(ints.length)];
            e.tgid = ints[r.nextInt(ints.length)];
            e.write = r.nextBoolean();
            e.success = r.nextBoolean();
            e.mm = longs[r.nextInt(longs.length)];
            e.memcgId = longs[r.nextInt(longs.length)];
            e.memcgPath = r.nextBoolean() ? null : (r.nextBoolean() ? "" : "/user.slice/" + "y".repeat(r.nextInt(100)));
            e.address = longs[r.nextInt(longs.length)];
            e.ip = longs[r.nextInt(longs.length)];
            e.errorCode = longs[r.nextInt(longs.length)];
            e.lockAddr = longs[r.nextInt(longs.length)];
            e.flags = ints[r.nextInt(ints.length)];
            e.syscall = Syscall.of(r.nextInt(Syscall.values().length));
            e.nargs = r.nextInt(Event.MAX_ARGS + 1);
            for (int a = 0; a < e.nargs; a++) {
                e.argNames[a] = r.nextBoolean() ? "a" + a : "long-argument-name-".repeat(5) + a;
                e.args[a] = longs[r.nextInt(longs.length)];
            }
            e.ret = longs[r.nextInt(longs.length)];
            e.otherPid = ints[r.nextInt(ints.length)];
            e.text = r.nextBoolean() ? null : "t" + r.nextInt(1000);
            e.count = longs[r.nextInt(longs.length)];
            e.irqContext = ints[r.nextInt(ints.length)];
            out.add(e);
        }
        return out;
    }

    @Test
    void extremeValuesRoundTrip() {
        List<Event> in = extremes();
        List<Event> got = new ArrayList<>();
        for (byte[] block : encode(in)) {
            decode(block, got);
        }
        assertEquals(in.size(), got.size());
        for (int i = 0; i < in.size(); i++) {
            assertEquals(in.get(i), got.get(i), "event " + i);
        }
    }

    @Test
    void damagedBlocksGiveAStoreExceptionNotGarbage() {
        List<byte[]> blocks = encode(extremes());
        byte[] block = blocks.get(0);
        Random r = new Random(11);
        int failures = 0;
        for (int trial = 0; trial < 2000; trial++) {
            byte[] bad = block.clone();
            if (trial % 2 == 0) {
                bad = Arrays.copyOf(bad, 5 + r.nextInt(bad.length - 5)); // truncated
            } else {
                for (int k = 0; k < 3; k++) {
                    bad[5 + r.nextInt(bad.length - 5)] = (byte) r.nextInt(256);
                }
            }
            try {
                decode(bad, new ArrayList<>());
            } catch (StoreException expected) {
                failures++;
            }
            // anything but a StoreException (an index error, a NullPointerException) fails the test
        }
        assertTrue(failures > 1000, "most damaged blocks are detected: " + failures);
    }

    /**
     * Issue 12: a single-bit flip anywhere in a block (header, records, checksum) is detected, none decodes:
     * every bit of the first 32 and the last 8 bytes of each block, and one bit of every 13th byte between.
     */
    @Test
    void everySingleBitFlipIsDetected() {
        for (byte[] block : encode(extremes())) {
            for (int bit = 0; bit < block.length * 8; bit++) {
                int at = bit >>> 3;
                if (at >= 32 && at < block.length - 8 && (at % 13 != 0 || (bit & 7) != at % 8)) continue;
                byte[] bad = block.clone();
                bad[bit >>> 3] ^= (byte) (1 << (bit & 7));
                final int b = bit;
                StoreException ex = assertThrows(StoreException.class, () -> decode(bad, new ArrayList<>()), "bit " + b);
                if ((b >>> 3) >= 2) { // past magic and version
                    assertTrue(ex.getMessage().contains("checksum mismatch"), ex.getMessage());
                }
            }
        }
    }

    @Test
    void aWorkspaceOfAnOldFormatIsRefusedWithAClearMessage() throws Exception {
        for (int format = 1; format < 3; format++) {
            Path dir = tmp.resolve("old" + format);
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(Manifest.FILE), "{\"vmalock_workspace\": " + format + ", \"sources\": []}");
            for (org.junit.jupiter.api.function.Executable open : List.<org.junit.jupiter.api.function.Executable>of(
                    () -> Workspace.open(dir), () -> Workspace.forIngest(dir))) {
                StoreException ex = assertThrows(StoreException.class, open);
                assertTrue(ex.getMessage().contains("workspace format " + format), ex.getMessage());
                assertTrue(ex.getMessage().contains("vmalock ingest"), ex.getMessage());
                assertTrue(format < 2 || ex.getMessage().contains("checksums"), ex.getMessage());
            }
        }
    }

    @Test
    void aFormat3WorkspaceIsReadAsItIsAndWrittenBackAsTheCurrentFormat() throws Exception {
        // format 4 adds one optional field (a wake-up's irq context) that no format-3 block has
        Path dir = tmp.resolve("format3");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(Manifest.FILE), "{\"vmalock_workspace\": 3, \"sources\": []}");
        Manifest m = Manifest.read(dir);
        assertEquals(Manifest.FORMAT_VERSION, m.vmalockWorkspace);
    }

    private static List<byte[]> encode(List<Event> events) {
        BlockCodec.Encoder enc = new BlockCodec.Encoder();
        enc.startSource(3);
        List<byte[]> blocks = new ArrayList<>();
        for (Event e : events) {
            enc.encode(e);
            if (enc.full()) {
                int s = enc.finishBlock();
                blocks.add(Arrays.copyOfRange(enc.payload.buf, s, enc.payload.pos));
                enc.blockWritten();
            }
        }
        if (enc.count() > 0) {
            int s = enc.finishBlock();
            blocks.add(Arrays.copyOfRange(enc.payload.buf, s, enc.payload.pos));
        }
        assertTrue(blocks.size() > 1, "several blocks");
        return blocks;
    }

    private final BlockCodec.Decoder dec = new BlockCodec.Decoder();

    private void decode(byte[] block, List<Event> out) {
        ByteBuf in = dec.in;
        in.pos = 0;
        in.ensure(block.length + BlockCodec.SLACK);
        System.arraycopy(block, 0, in.buf, 0, block.length);
        in.limit = block.length;
        dec.startBlock();
        Event e = new Event();
        while (dec.hasNext()) {
            dec.next(e);
            out.add(e.copy());
        }
    }
}
