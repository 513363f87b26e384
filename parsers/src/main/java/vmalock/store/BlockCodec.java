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
 * block   := MAGIC(0x56 'V') VERSION(1) flags:u8 source:varint count:varint payload
 *            flags bit0 RESET: first block of a source — the reader clears its string table
 * payload := ( STRING_DEF(0xFF) utf8:str          -- defines the next string id of this source
 *            | tag:u8 record )*                    -- one event, count of them per block
 * tag     := kind ordinal (bits 0-4) | write (bit 5) | success (bit 6); bit 7 is 0
 * record  := zz(ts - prevTs) zz(line - prevLine) varint(cpu+1) zz(tid) zz(tgid) sref(comm) sref(name)
 *            varint(mask) [mask-selected fields, in bit order, see F_*]
 * sref    := varint 0 = null | 1 = inline utf8:str | n>=2 = string id n-2
 * str     := varint(byteLength) bytes
 * </pre>
 * prevTs / prevLine restart at 0 in every block, so each block decodes on its own given the source's
 * string table. Strings (comm, event name, memcg path, argument names, text) are interned per source:
 * hot records carry one or two bytes per string. Long or too many distinct strings (a generic event's
 * raw text) are written inline instead, so the table stays bounded on both sides.
 */
final class BlockCodec {
    private static final java.lang.invoke.VarHandle LONG_LE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    static final int MAGIC = 0x56;
    static final int VERSION = 1;
    static final int FLAG_RESET = 1;
    static final int STRING_DEF = 0xFF;
    /** A block is closed when its payload passes this many bytes (or {@link #MAX_EVENTS} events). */
    static final int BLOCK_BYTES = 32 * 1024;
    static final int MAX_EVENTS = 4096;
    static final int MAX_INTERNED = 1 << 16;
    static final int MAX_INTERNED_LENGTH = 64;

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

    private BlockCodec() {
    }

    /** Encodes events of one source into blocks. Not thread-safe. */
    static final class Encoder {
        final ByteBuf payload = new ByteBuf(BLOCK_BYTES + 4096);
        final ByteBuf header = new ByteBuf(32);
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

        /** Starts a new source: its first block carries RESET and string ids restart at 0. */
        void startSource(int sourceIndex) {
            source = sourceIndex;
            ids.clear();
            java.util.Arrays.fill(cacheStr, null);
            reset = true;
            payload.reset();
            count = 0;
            prevTs = 0;
            prevLine = 0;
        }

        int count() {
            return count;
        }

        boolean full() {
            return payload.pos >= BLOCK_BYTES || count >= MAX_EVENTS;
        }

        void encode(Event e) {
            // 1. resolve strings first: a new string's definition must precede the record using it
            int commRef = stringRef(e.comm);
            int nameRef = stringRef(e.name);
            int memcgRef = e.memcgPath == null ? 0 : stringRef(e.memcgPath);
            int textRef = e.text == null ? 0 : stringRef(e.text);
            int nargs = e.nargs;
            if (nargs > 0) {
                for (int i = 0; i < nargs; i++) {
                    argRefs[i] = stringRef(e.argNames[i]);
                }
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

            // 2. the record, written with a local cursor after one capacity check (inline strings,
            //    rare, are written through the buffer with their own check)
            int ord = e.kind.ordinal();
            if (ord > 31) {
                throw new IllegalStateException("EventKind has more than 32 values: widen the block tag");
            }
            ByteBuf out = payload;
            out.ensure(MAX_FIXED_RECORD + nargs * 15);
            byte[] b = out.buf;
            int p = out.pos;
            b[p++] = (byte) (ord | (e.write ? 0x20 : 0) | (e.success ? 0x40 : 0));
            p = zigzag(b, p, e.ts - prevTs);
            prevTs = e.ts;
            p = zigzag(b, p, e.line - prevLine);
            prevLine = e.line;
            p = varint(b, p, e.cpu + 1L);
            p = zigzag(b, p, e.tid);
            p = zigzag(b, p, e.tgid);
            if (commRef == 1 || nameRef == 1) {
                out.pos = p;
                putRef(commRef, e.comm);
                putRef(nameRef, e.name);
                out.ensure(MAX_FIXED_RECORD);
                b = out.buf;
                p = out.pos;
            } else {
                p = varint(b, p, commRef);
                p = varint(b, p, nameRef);
            }
            p = varint(b, p, mask);
            if ((mask & F_MM) != 0) p = longLE(b, p, e.mm);
            if ((mask & F_MEMCG_ID) != 0) p = zigzag(b, p, e.memcgId);
            if ((mask & F_MEMCG_PATH) != 0) {
                if (memcgRef == 1) {
                    out.pos = p;
                    putRef(memcgRef, e.memcgPath);
                    out.ensure(MAX_FIXED_RECORD + nargs * 15);
                    b = out.buf;
                    p = out.pos;
                } else {
                    p = varint(b, p, memcgRef);
                }
            }
            if ((mask & F_ADDRESS) != 0) p = longLE(b, p, e.address);
            if ((mask & F_IP) != 0) p = longLE(b, p, e.ip);
            if ((mask & F_ERROR_CODE) != 0) p = zigzag(b, p, e.errorCode);
            if ((mask & F_LOCK_ADDR) != 0) p = longLE(b, p, e.lockAddr);
            if ((mask & F_FLAGS) != 0) p = zigzag(b, p, e.flags);
            if ((mask & F_SYSCALL) != 0) p = varint(b, p, e.syscall.ordinal());
            if ((mask & F_ARGS) != 0) {
                p = varint(b, p, nargs);
                for (int i = 0; i < nargs; i++) {
                    if (argRefs[i] == 1) {
                        out.pos = p;
                        putRef(1, e.argNames[i]);
                        out.ensure(MAX_FIXED_RECORD + nargs * 15);
                        b = out.buf;
                        p = out.pos;
                    } else {
                        p = varint(b, p, argRefs[i]);
                    }
                    p = zigzag(b, p, e.args[i]);
                }
            }
            if ((mask & F_RET) != 0) p = zigzag(b, p, e.ret);
            if ((mask & F_OTHER_PID) != 0) p = zigzag(b, p, e.otherPid);
            out.pos = p;
            if ((mask & F_TEXT) != 0) putRef(textRef, e.text);
            if ((mask & F_COUNT) != 0) out.putZigZag(e.count);
            count++;
        }

        /** Upper bound of a record's bytes besides inline strings and arguments. */
        private static final int MAX_FIXED_RECORD = 1 + 10 + 10 + 10 + 10 + 10 + 5 + 5 + 5 + 8 + 10 + 5 + 8 + 8 + 10 + 8 + 10 + 5 + 5 + 10 + 10;

        private static int varint(byte[] b, int p, long v) {
            while ((v & ~0x7FL) != 0) {
                b[p++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            b[p++] = (byte) v;
            return p;
        }

        private static int zigzag(byte[] b, int p, long v) {
            return varint(b, p, (v << 1) ^ (v >> 63));
        }

        private static int longLE(byte[] b, int p, long v) {
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

        private void putRef(int ref, String s) {
            payload.putVarLong(ref);
            if (ref == 1) {
                payload.putUtf8(s);
            }
        }

        /** Fills {@link #header} for the current block; the caller writes header then payload. */
        void finishBlock() {
            header.reset();
            header.putByte(MAGIC);
            header.putByte(VERSION);
            header.putByte(reset ? FLAG_RESET : 0);
            header.putVarLong(source);
            header.putVarLong(count);
        }

        /** Clears the payload after the block was written; string ids carry on within the source. */
        void blockWritten() {
            reset = false;
            payload.reset();
            count = 0;
            prevTs = 0;
            prevLine = 0;
        }
    }

    /** Decodes blocks one event at a time into a reused {@link Event}. Not thread-safe. */
    static final class Decoder {
        final ByteBuf in = new ByteBuf(BLOCK_BYTES + 4096);
        private final ArrayList<String> strings = new ArrayList<>();
        private int source = -1;
        private int remaining;
        private long prevTs;
        private long prevLine;

        /** Call after filling {@link #in} (buf, pos=0, limit) with one block; parses its header. */
        void startBlock() {
            if (in.getByte() != MAGIC) {
                throw new StoreException("damaged workspace: a queue document is not a vmalock event block");
            }
            int version = in.getByte();
            if (version != VERSION) {
                throw new StoreException("workspace event block version " + version
                        + " is not supported by this vmalock (expects " + VERSION + ")");
            }
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
            ByteBuf b = in;
            int tag = b.getByte();
            while (tag == STRING_DEF) {
                strings.add(b.getUtf8());
                tag = b.getByte();
            }
            if ((tag & 0x80) != 0 || (tag & 0x1F) >= KINDS) {
                throw new StoreException("damaged event block: bad record tag " + tag);
            }
            e.kind = EventKind.of(tag & 0x1F);
            e.write = (tag & 0x20) != 0;
            e.success = (tag & 0x40) != 0;
            e.source = source;
            e.ts = prevTs += b.getZigZag();
            e.line = prevLine += b.getZigZag();
            e.cpu = (int) (b.getVarLong() - 1);
            e.tid = (int) b.getZigZag();
            e.tgid = (int) b.getZigZag();
            e.comm = getRef();
            e.name = getRef();
            int mask = (int) b.getVarLong();
            e.mm = (mask & F_MM) != 0 ? b.getLongLE() : 0;
            e.memcgId = (mask & F_MEMCG_ID) != 0 ? b.getZigZag() : Event.UNKNOWN;
            e.memcgPath = (mask & F_MEMCG_PATH) != 0 ? getRef() : null;
            e.address = (mask & F_ADDRESS) != 0 ? b.getLongLE() : 0;
            e.ip = (mask & F_IP) != 0 ? b.getLongLE() : 0;
            e.errorCode = (mask & F_ERROR_CODE) != 0 ? b.getZigZag() : 0;
            e.lockAddr = (mask & F_LOCK_ADDR) != 0 ? b.getLongLE() : 0;
            e.flags = (mask & F_FLAGS) != 0 ? (int) b.getZigZag() : 0;
            e.syscall = (mask & F_SYSCALL) != 0 ? Syscall.of(b.getVarInt()) : Syscall.OTHER;
            int oldArgs = e.nargs;
            int nargs = 0;
            if ((mask & F_ARGS) != 0) {
                nargs = b.getVarInt();
                if (nargs > Event.MAX_ARGS) {
                    throw new StoreException("damaged event block: " + nargs + " arguments");
                }
                for (int i = 0; i < nargs; i++) {
                    e.argNames[i] = getRef();
                    e.args[i] = b.getZigZag();
                }
            }
            for (int i = nargs; i < oldArgs; i++) {
                e.argNames[i] = null;
                e.args[i] = 0;
            }
            e.nargs = nargs;
            e.ret = (mask & F_RET) != 0 ? b.getZigZag() : 0;
            e.otherPid = (mask & F_OTHER_PID) != 0 ? (int) b.getZigZag() : Event.UNKNOWN;
            e.text = (mask & F_TEXT) != 0 ? getRef() : null;
            e.count = (mask & F_COUNT) != 0 ? b.getZigZag() : 0;
            remaining--;
        }

        private String getRef() {
            int ref = in.getVarInt();
            if (ref == 0) {
                return null;
            }
            if (ref == 1) {
                return in.getUtf8();
            }
            int id = ref - 2;
            if (id >= strings.size()) {
                throw new StoreException("damaged event block: string id " + id + " not defined");
            }
            return strings.get(id);
        }

        private static final int KINDS = EventKind.values().length;
    }
}
