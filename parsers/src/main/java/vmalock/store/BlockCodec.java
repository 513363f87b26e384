package vmalock.store;

import java.util.ArrayList;
import java.util.HashMap;
import vmalock.event.Event;
import vmalock.event.EventKind;
import vmalock.event.Syscall;

/**
 * The binary layout of one event block — the unit stored as one Chronicle Queue document.
 *
 * <p>Why blocks: one Chronicle document per event caps ingest near 3–5 M events/s on this machine
 * (shared docs/dependencies.md), below what the byte parsers reach; one document per ~32 KiB of
 * encoded events costs Chronicle a few thousand documents per second instead.
 *
 * <pre>
 * block   := MAGIC(0x56 'V') VERSION(3) flags:u8 source:varint count:varint payload crc:u32le
 *            flags bit0 RESET: first block of a source — the reader clears its string table
 *            crc: CRC32C of every byte before it, verified before a block is decoded
 * payload := ( STRING_DEF(0xFF) utf8:str          -- defines the next string id of this source
 *            | tag:u8 record )*                    -- one event, count of them per block
 * tag     := kind ordinal (bits 0-4) | write (bit 5) | success (bit 6); bit 7 is 0
 * record  := widths:u32le  w0..w7 bytes of, in this order (widths: 8 nibbles, nibble k = wk, 0..8):
 *              zz(ts - prevTs), zz(line - prevLine - 1), zz(cpu + 1), zz(tid), zz(tgid + 1), ref(comm),
 *              ref(name), mask
 *            [comm's str if ref(comm) = 1] [name's str if ref(name) = 1]
 *            [mask-selected fields, in bit order, see F_*: mm, address, ip, lock: u64le; the others num]
 * num     := width:u8 (0..8) followed by that many low bytes of the value, little-endian
 * ref     := 0 = null | 1 = inline (str follows) | n>=2 = string id n-2
 * str     := varint(byteLength) bytes
 * </pre>
 * Each number is stored as its significant little-endian bytes with the byte count beside it (0 bytes
 * for 0), not as a LEB128 varint: writing one is a single 8-byte store plus a count-leading-zeros, with
 * no loop and no data-dependent branch (LEB128's per-byte loop was a fifth of the ingest time), and
 * reading one is a single 8-byte load and a mask. The hot fields' widths share one 32-bit word. A block
 * buffer therefore keeps {@link #SLACK} spare bytes after its last byte for those wide stores and loads.
 *
 * <p>prevTs / prevLine restart at 0 in every block, so each block decodes on its own given the source's
 * string table. Strings (comm, event name, memcg path, argument names, text) are interned per source:
 * hot records carry one or two bytes per string. Long or too many distinct strings (a generic event's
 * raw text) are written inline instead, so the table stays bounded on both sides.
 *
 * <p>The CRC32C trailer (a JDK intrinsic: a few GB/s, under 1 % of the ingest) makes a damaged block an
 * error naming it instead of silently different numbers: a flipped bit in a delta or a width is
 * otherwise a valid record with another value.
 *
 * <p>Versions 1 (LEB128 varints throughout) and 2 (no checksum) are not read: a workspace written by an
 * older vmalock is refused by its manifest's format number ({@link Manifest#FORMAT_VERSION}) and must be
 * ingested again.
 */
final class BlockCodec {
    private static final java.lang.invoke.VarHandle LONG_LE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final java.lang.invoke.VarHandle INT_LE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    static final int MAGIC = 0x56;
    static final int VERSION = 3;
    /** Bytes of the CRC32C trailer. */
    static final int CRC_BYTES = 4;
    static final int FLAG_RESET = 1;
    static final int STRING_DEF = 0xFF;
    /** A block is closed when its payload passes this many bytes (or {@link #MAX_EVENTS} events). */
    static final int BLOCK_BYTES = 32 * 1024;
    static final int MAX_EVENTS = 4096;
    static final int MAX_INTERNED = 1 << 16;
    static final int MAX_INTERNED_LENGTH = 64;
    /** Spare bytes a block buffer keeps after its content: numbers are stored and loaded 8 bytes at a time. */
    static final int SLACK = 8;
    /** Room in front of the payload where {@link Encoder#finishBlock} puts the block header (≤ 13 bytes). */
    static final int HEADER_ROOM = 16;

    // optional-field presence bits (a field is present when it differs from Event.clear()'s value)
    static final int F_MM = 1;
    static final int F_MEMCG_ID = 1 << 1;
    static final int F_MEMCG_PATH = 1 << 2;
    static final int F_ADDRESS = 1 << 3;
    static final int F_IP = 1 << 4;
    static final int F_ERROR_CODE = 1 << 5;
    static final int F_LOCK_ADDR = 1 << 6;
    static final int F_FLAGS = 1 << 7;
    static final int F_SYSCALL = 1 << 8;
    static final int F_ARGS = 1 << 9;
    static final int F_RET = 1 << 10;
    static final int F_OTHER_PID = 1 << 11;
    static final int F_TEXT = 1 << 12;
    static final int F_COUNT = 1 << 13;
    /** A sched_waking/sched_wakeup's context (Event#irqContext), when its line showed it. */
    static final int F_IRQ_CONTEXT = 1 << 14;
    static final int F_ALL = (1 << 15) - 1;
    /** Numbers in a record's fixed part, their widths in one 32-bit word. */
    static final int FIXED_FIELDS = 8;

    /** MASKS[n]: the low n bytes. */
    private static final long[] MASKS = new long[9];

    static {
        for (int n = 1; n <= 8; n++) {
            MASKS[n] = -1L >>> (64 - 8 * n);
        }
    }

    private BlockCodec() {
    }

    /** Bytes needed for v's significant bits: 0 for 0, 8 for a negative value. */
    static int width(long v) {
        return (71 - Long.numberOfLeadingZeros(v)) >>> 3;
    }

    static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    /** Encodes events of one source into blocks. Not thread-safe. */
    static final class Encoder {
        /** The block being built: header room, then records from {@link #HEADER_ROOM}. */
        final ByteBuf payload = new ByteBuf(HEADER_ROOM + BLOCK_BYTES + 4096);
        private final ByteBuf header = new ByteBuf(HEADER_ROOM);
        private final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        private final HashMap<String, Integer> ids = new HashMap<>();
        private int source;
        private boolean reset;
        private int count;
        private long prevTs;
        private long prevLine;
        // a direct-mapped identity cache in front of the map: the parsers intern comms, names and
        // memcg paths, so a repeated string is usually the same instance (String caches its hash)
        private static final int CACHE = 1024; // 2-way: slots (2k, 2k+1)
        private final String[] cacheStr = new String[CACHE];
        private final int[] cacheRef = new int[CACHE];
        private final int[] argRefs = new int[Event.MAX_ARGS];
        private final long[] fields = new long[FIXED_FIELDS];

        Encoder() {
            payload.pos = HEADER_ROOM;
        }

        /** Starts a new source: its first block carries RESET and string ids restart at 0. */
        void startSource(int sourceIndex) {
            source = sourceIndex;
            ids.clear();
            java.util.Arrays.fill(cacheStr, null);
            reset = true;
            payload.pos = HEADER_ROOM;
            count = 0;
            prevTs = 0;
            prevLine = 0;
        }

        int count() {
            return count;
        }

        boolean full() {
            return payload.pos >= HEADER_ROOM + BLOCK_BYTES || count >= MAX_EVENTS;
        }

        void encode(Event e) {
            // 1. resolve strings first: a new string's definition must precede the record using it
            int commRef = stringRef(e.comm);
            int nameRef = stringRef(e.name);
            int memcgRef = e.memcgPath == null ? 0 : stringRef(e.memcgPath);
            int textRef = e.text == null ? 0 : stringRef(e.text);
            int nargs = e.nargs;
            for (int i = 0; i < nargs; i++) {
                argRefs[i] = stringRef(e.argNames[i]);
            }
            int mask = 0;
            if (e.mm != 0) mask |= F_MM;
            if (e.memcgId != Event.UNKNOWN) mask |= F_MEMCG_ID;
            if (e.memcgPath != null) mask |= F_MEMCG_PATH;
            if (e.address != 0) mask |= F_ADDRESS;
            if (e.ip != 0) mask |= F_IP;
            if (e.errorCode != 0) mask |= F_ERROR_CODE;
            if (e.lockAddr != 0) mask |= F_LOCK_ADDR;
            if (e.flags != 0) mask |= F_FLAGS;
            if (e.syscall != Syscall.OTHER) mask |= F_SYSCALL;
            if (nargs != 0) mask |= F_ARGS;
            if (e.ret != 0) mask |= F_RET;
            if (e.otherPid != Event.UNKNOWN) mask |= F_OTHER_PID;
            if (e.text != null) mask |= F_TEXT;
            if (e.count != 0) mask |= F_COUNT;
            if (e.irqContext != Event.UNKNOWN) mask |= F_IRQ_CONTEXT;
            int ord = e.kind.ordinal();
            if (ord > 31) {
                throw new IllegalStateException("EventKind has more than 32 values: widen the block tag");
            }

            // 2. the fixed part: tag, the eight widths, the eight numbers (straight-line code)
            ByteBuf out = payload;
            out.ensure(MAX_FIXED_RECORD + SLACK);
            byte[] b = out.buf;
            int p = out.pos;
            b[p] = (byte) (ord | (e.write ? 0x20 : 0) | (e.success ? 0x40 : 0));
            long[] f = fields;
            f[0] = zigzag(e.ts - prevTs);
            f[1] = zigzag(e.line - prevLine - 1);
            f[2] = zigzag(e.cpu + 1L);
            f[3] = zigzag(e.tid);
            f[4] = zigzag(e.tgid + 1L);
            f[5] = commRef;
            f[6] = nameRef;
            f[7] = mask;
            int q = p + 5;
            int widths = 0;
            for (int k = 0; k < FIXED_FIELDS; k++) { // a constant trip count: unrolled, no data-dependent branch
                long v = f[k];
                int n = width(v);
                LONG_LE.set(b, q, v);
                q += n;
                widths |= n << (4 * k);
            }
            INT_LE.set(b, p + 1, widths);
            prevTs = e.ts;
            prevLine = e.line;
            out.pos = q;
            count++;
            if (commRef == 1) out.putUtf8(e.comm);
            if (nameRef == 1) out.putUtf8(e.name);
            if (mask == 0) {
                return;
            }

            // 3. the optional fields (inline strings, rare, go through the buffer with their own check)
            out.ensure(MAX_OPTIONAL + nargs * 18 + SLACK);
            b = out.buf;
            p = out.pos;
            if ((mask & F_MM) != 0) p = fixed(b, p, e.mm);
            if ((mask & F_MEMCG_ID) != 0) p = num(b, p, zigzag(e.memcgId));
            if ((mask & F_MEMCG_PATH) != 0) {
                p = num(b, p, memcgRef);
                if (memcgRef == 1) {
                    out.pos = p;
                    out.putUtf8(e.memcgPath);
                    out.ensure(MAX_OPTIONAL + nargs * 18 + SLACK);
                    b = out.buf;
                    p = out.pos;
                }
            }
            if ((mask & F_ADDRESS) != 0) p = fixed(b, p, e.address);
            if ((mask & F_IP) != 0) p = fixed(b, p, e.ip);
            if ((mask & F_ERROR_CODE) != 0) p = num(b, p, zigzag(e.errorCode));
            if ((mask & F_LOCK_ADDR) != 0) p = fixed(b, p, e.lockAddr);
            if ((mask & F_FLAGS) != 0) p = num(b, p, zigzag(e.flags));
            if ((mask & F_SYSCALL) != 0) p = num(b, p, e.syscall.ordinal());
            if ((mask & F_ARGS) != 0) {
                p = num(b, p, nargs);
                for (int i = 0; i < nargs; i++) {
                    p = num(b, p, argRefs[i]);
                    if (argRefs[i] == 1) {
                        out.pos = p;
                        out.putUtf8(e.argNames[i]);
                        out.ensure(MAX_OPTIONAL + nargs * 18 + SLACK);
                        b = out.buf;
                        p = out.pos;
                    }
                    p = num(b, p, zigzag(e.args[i]));
                }
            }
            if ((mask & F_RET) != 0) p = num(b, p, zigzag(e.ret));
            if ((mask & F_OTHER_PID) != 0) p = num(b, p, zigzag(e.otherPid));
            if ((mask & F_TEXT) != 0) {
                p = num(b, p, textRef);
                if (textRef == 1) {
                    out.pos = p;
                    out.putUtf8(e.text);
                    out.ensure(2 * 9 + SLACK); // count, irq context
                    b = out.buf;
                    p = out.pos;
                }
            }
            if ((mask & F_COUNT) != 0) p = num(b, p, zigzag(e.count));
            if ((mask & F_IRQ_CONTEXT) != 0) p = num(b, p, zigzag(e.irqContext));
            out.pos = p;
        }

        /** Upper bound of the fixed part: tag, widths, eight numbers of at most 8 bytes. */
        private static final int MAX_FIXED_RECORD = 1 + 4 + 8 * 8;
        /** Upper bound of the optional fields besides inline strings and arguments. */
        private static final int MAX_OPTIONAL = 4 * 8 + 10 * 9;

        /** A num: its width byte, then its significant bytes (one 8-byte store; needs SLACK room). */
        private static int num(byte[] b, int p, long v) {
            int n = width(v);
            b[p] = (byte) n;
            LONG_LE.set(b, p + 1, v);
            return p + 1 + n;
        }

        private static int fixed(byte[] b, int p, long v) {
            LONG_LE.set(b, p, v);
            return p + 8;
        }

        /**
         * Interns s (emitting its definition into the payload) or returns 0 (null) / 1 (inline). The
         * identity-cache probe is kept small so the JIT inlines it; misses go to {@link #stringRefSlow}.
         */
        private int stringRef(String s) {
            if (s == null) {
                return 0;
            }
            int slot = ((s.hashCode() * 0x9E3779B9) >>> 23) & ~1; // Fibonacci hashing, even slot of a pair
            if (cacheStr[slot] == s) {
                return cacheRef[slot];
            }
            if (cacheStr[slot + 1] == s) {
                return cacheRef[slot + 1];
            }
            return stringRefSlow(s, slot);
        }

        private int stringRefSlow(String s, int slot) {
            Integer id = ids.get(s);
            if (id == null) {
                if (s.length() > MAX_INTERNED_LENGTH || ids.size() >= MAX_INTERNED) {
                    return 1;
                }
                id = ids.size();
                ids.put(s, id);
                payload.putByte(STRING_DEF);
                payload.putUtf8(s);
            }
            // keep the pair's most recent entry first
            cacheStr[slot + 1] = cacheStr[slot];
            cacheRef[slot + 1] = cacheRef[slot];
            cacheStr[slot] = s;
            cacheRef[slot] = id + 2;
            return id + 2;
        }

        /**
         * Puts the header of the current block in front of its records; returns the offset where the
         * block starts in {@link #payload}'s buffer (it ends at {@code payload.pos}): the caller hands
         * Chronicle the whole block with one write.
         */
        int finishBlock() {
            ByteBuf hb = header;
            hb.reset();
            hb.putByte(MAGIC);
            hb.putByte(VERSION);
            hb.putByte(reset ? FLAG_RESET : 0);
            hb.putVarLong(source);
            hb.putVarLong(count);
            int start = HEADER_ROOM - hb.pos;
            System.arraycopy(hb.buf, 0, payload.buf, start, hb.pos);
            ByteBuf out = payload;
            out.ensure(CRC_BYTES + SLACK);
            crc.reset();
            crc.update(out.buf, start, out.pos - start);
            INT_LE.set(out.buf, out.pos, (int) crc.getValue());
            out.pos += CRC_BYTES;
            return start;
        }

        /** Clears the payload after the block was written; string ids carry on within the source. */
        void blockWritten() {
            reset = false;
            payload.pos = HEADER_ROOM;
            count = 0;
            prevTs = 0;
            prevLine = 0;
        }
    }

    /** Decodes blocks one event at a time into a reused {@link Event}. Not thread-safe. */
    static final class Decoder {
        /** Filled by the caller with one block: buf (with {@link #SLACK} spare bytes after limit), pos=0, limit. */
        final ByteBuf in = new ByteBuf(HEADER_ROOM + BLOCK_BYTES + 4096);
        private final ArrayList<String> strings = new ArrayList<>();
        private final long[] fields = new long[FIXED_FIELDS];
        private final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        private int source = -1;
        private int remaining;
        private long prevTs;
        private long prevLine;

        /** Call after filling {@link #in} (buf, pos=0, limit) with one block; parses its header. */
        void startBlock() {
            if (in.buf.length < in.limit + SLACK) {
                throw new IllegalStateException("block buffer without slack");
            }
            if (in.limit < 3 + CRC_BYTES || in.buf[0] != MAGIC) {
                throw new StoreException("not a vmalock event block");
            }
            int version = in.buf[1];
            if (version != VERSION) {
                throw new StoreException("event block version " + version
                        + " is not supported by this vmalock (expects " + VERSION + "); ingest the trace again");
            }
            int end = in.limit - CRC_BYTES;
            crc.reset();
            crc.update(in.buf, 0, end);
            int stored = (int) INT_LE.get(in.buf, end);
            if (stored != (int) crc.getValue()) {
                throw new StoreException(String.format("checksum mismatch (stored CRC32C %08x, computed %08x)",
                        stored, (int) crc.getValue()));
            }
            in.limit = end;
            in.pos = 2;
            int flags = in.getByte();
            int src = in.getVarInt();
            if ((flags & FLAG_RESET) != 0 || src != source) {
                strings.clear();
            }
            source = src;
            remaining = in.getVarInt();
            prevTs = 0;
            prevLine = 0;
        }

        int source() {
            return source;
        }

        boolean hasNext() {
            return remaining > 0;
        }

        void next(Event e) {
            ByteBuf in = this.in;
            int tag = in.getByte();
            while (tag == STRING_DEF) {
                strings.add(in.getUtf8());
                tag = in.getByte();
            }
            if ((tag & 0x80) != 0 || (tag & 0x1F) >= KINDS) {
                throw new StoreException("damaged event block: bad record tag " + tag);
            }
            byte[] b = in.buf;
            int p = in.pos;
            int lim = in.limit;
            if (p + 4 > lim) {
                throw in.truncated();
            }
            int w = (int) INT_LE.get(b, p);
            p += 4;
            // every width is 0..8 (a nibble above 8 has bit 3 and one of bits 0-2 set) and all fit
            if ((w & 0x88888888 & ((w << 1) | (w << 2) | (w << 3))) != 0) {
                throw new StoreException("damaged event block: bad field widths " + Integer.toHexString(w));
            }
            int bytes = (w & 0x0F0F0F0F) + ((w >>> 4) & 0x0F0F0F0F);
            if (p + ((bytes * 0x01010101) >>> 24) > lim) {
                throw in.truncated();
            }
            long[] f = fields;
            for (int k = 0; k < FIXED_FIELDS; k++) {
                int n = (w >>> (4 * k)) & 15;
                f[k] = (long) LONG_LE.get(b, p) & MASKS[n];
                p += n;
            }
            long mask = f[7];
            in.pos = p;
            if ((mask & ~F_ALL) != 0) {
                throw new StoreException("damaged event block: bad field mask " + Long.toHexString(mask));
            }
            e.kind = EventKind.of(tag & 0x1F);
            e.write = (tag & 0x20) != 0;
            e.success = (tag & 0x40) != 0;
            e.source = source;
            e.ts = prevTs += unzigzag(f[0]);
            e.line = prevLine += unzigzag(f[1]) + 1;
            e.cpu = (int) (unzigzag(f[2]) - 1);
            e.tid = (int) unzigzag(f[3]);
            e.tgid = (int) (unzigzag(f[4]) - 1);
            e.comm = ref(f[5]);
            e.name = ref(f[6]);
            int m = (int) mask;
            if (m == 0) {
                clearOptional(e);
                remaining--;
                return;
            }
            e.mm = (m & F_MM) != 0 ? fixed() : 0;
            e.memcgId = (m & F_MEMCG_ID) != 0 ? unzigzag(num()) : Event.UNKNOWN;
            e.memcgPath = (m & F_MEMCG_PATH) != 0 ? ref(num()) : null;
            e.address = (m & F_ADDRESS) != 0 ? fixed() : 0;
            e.ip = (m & F_IP) != 0 ? fixed() : 0;
            e.errorCode = (m & F_ERROR_CODE) != 0 ? unzigzag(num()) : 0;
            e.lockAddr = (m & F_LOCK_ADDR) != 0 ? fixed() : 0;
            e.flags = (m & F_FLAGS) != 0 ? (int) unzigzag(num()) : 0;
            e.syscall = (m & F_SYSCALL) != 0 ? syscall(num()) : Syscall.OTHER;
            int oldArgs = e.nargs;
            int nargs = 0;
            if ((m & F_ARGS) != 0) {
                long na = num();
                if (na < 0 || na > Event.MAX_ARGS) {
                    throw new StoreException("damaged event block: " + na + " arguments");
                }
                nargs = (int) na;
                for (int i = 0; i < nargs; i++) {
                    e.argNames[i] = ref(num());
                    e.args[i] = unzigzag(num());
                }
            }
            for (int i = nargs; i < oldArgs; i++) {
                e.argNames[i] = null;
                e.args[i] = 0;
            }
            e.nargs = nargs;
            e.ret = (m & F_RET) != 0 ? unzigzag(num()) : 0;
            e.otherPid = (m & F_OTHER_PID) != 0 ? (int) unzigzag(num()) : Event.UNKNOWN;
            e.text = (m & F_TEXT) != 0 ? ref(num()) : null;
            e.count = (m & F_COUNT) != 0 ? unzigzag(num()) : 0;
            e.irqContext = (m & F_IRQ_CONTEXT) != 0 ? (int) unzigzag(num()) : Event.UNKNOWN;
            remaining--;
        }

        private static void clearOptional(Event e) {
            e.mm = 0;
            e.memcgId = Event.UNKNOWN;
            e.memcgPath = null;
            e.address = 0;
            e.ip = 0;
            e.errorCode = 0;
            e.lockAddr = 0;
            e.flags = 0;
            e.syscall = Syscall.OTHER;
            for (int i = 0; i < e.nargs; i++) {
                e.argNames[i] = null;
                e.args[i] = 0;
            }
            e.nargs = 0;
            e.ret = 0;
            e.otherPid = Event.UNKNOWN;
            e.text = null;
            e.count = 0;
            e.irqContext = Event.UNKNOWN;
        }

        /** A num: width byte (0..8), then that many bytes. */
        private long num() {
            ByteBuf in = this.in;
            int p = in.pos;
            if (p >= in.limit) {
                throw in.truncated();
            }
            int n = in.buf[p];
            if (n < 0 || n > 8) {
                throw new StoreException("damaged event block: bad number width " + n);
            }
            if (p + 1 + n > in.limit) {
                throw in.truncated();
            }
            in.pos = p + 1 + n;
            return (long) LONG_LE.get(in.buf, p + 1) & MASKS[n];
        }

        private long fixed() {
            ByteBuf in = this.in;
            int p = in.pos;
            if (p + 8 > in.limit) {
                throw in.truncated();
            }
            in.pos = p + 8;
            return (long) LONG_LE.get(in.buf, p);
        }

        private static Syscall syscall(long ordinal) {
            if (ordinal < 0 || ordinal >= SYSCALLS) {
                throw new StoreException("damaged event block: bad syscall " + ordinal);
            }
            return Syscall.of((int) ordinal);
        }

        private String ref(long ref) {
            if (ref == 0) {
                return null;
            }
            if (ref == 1) {
                return in.getUtf8();
            }
            long id = ref - 2;
            if (id < 0 || id >= strings.size()) {
                throw new StoreException("damaged event block: string id " + id + " not defined");
            }
            return strings.get((int) id);
        }

        private static final int KINDS = EventKind.values().length;
        private static final int SYSCALLS = Syscall.values().length;
    }
}
