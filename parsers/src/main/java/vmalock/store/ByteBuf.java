package vmalock.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte array with the few encodings the block codec needs: LEB128 varints, zig-zag
 * varints for signed values, little-endian fixed longs and UTF-8 strings. Used both to build a block
 * before it is copied into one Chronicle document and to decode a block read back from one.
 */
final class ByteBuf {
    byte[] buf;
    int pos;
    int limit;

    ByteBuf(int capacity) {
        buf = new byte[capacity];
    }

    void reset() {
        pos = 0;
        limit = 0;
    }

    /** Makes room for {@code n} more bytes at {@link #pos}. */
    void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    // ---- writing (callers ensure() capacity first for the fixed-size parts) -----------------

    void putByte(int b) {
        ensure(1);
        buf[pos++] = (byte) b;
    }

    void putVarLong(long v) {
        ensure(10);
        byte[] b = buf;
        int p = pos;
        while ((v & ~0x7FL) != 0) {
            b[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        pos = p;
    }

    void putZigZag(long v) {
        putVarLong((v << 1) ^ (v >> 63));
    }

    void putLongLE(long v) {
        ensure(8);
        byte[] b = buf;
        int p = pos;
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >>> 8);
        b[p + 2] = (byte) (v >>> 16);
        b[p + 3] = (byte) (v >>> 24);
        b[p + 4] = (byte) (v >>> 32);
        b[p + 5] = (byte) (v >>> 40);
        b[p + 6] = (byte) (v >>> 48);
        b[p + 7] = (byte) (v >>> 56);
        pos = p + 8;
    }

    void putUtf8(String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        putVarLong(u.length);
        ensure(u.length);
        System.arraycopy(u, 0, buf, pos, u.length);
        pos += u.length;
    }

    // ---- reading (bounds are checked: a damaged block gives a StoreException, not garbage) ---

    int getByte() {
        if (pos >= limit) {
            throw truncated();
        }
        return buf[pos++] & 0xFF;
    }

    long getVarLong() {
        long v = 0;
        int shift = 0;
        while (true) {
            if (pos >= limit) {
                throw truncated();
            }
            byte b = buf[pos++];
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
            shift += 7;
            if (shift > 63) {
                throw new StoreException("damaged event block: varint too long");
            }
        }
    }

    long getZigZag() {
        long v = getVarLong();
        return (v >>> 1) ^ -(v & 1);
    }

    int getVarInt() {
        long v = getVarLong();
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new StoreException("damaged event block: value " + v + " out of range");
        }
        return (int) v;
    }

    long getLongLE() {
        if (pos + 8 > limit) {
            throw truncated();
        }
        byte[] b = buf;
        int p = pos;
        pos = p + 8;
        return (b[p] & 0xFFL) | (b[p + 1] & 0xFFL) << 8 | (b[p + 2] & 0xFFL) << 16 | (b[p + 3] & 0xFFL) << 24
                | (b[p + 4] & 0xFFL) << 32 | (b[p + 5] & 0xFFL) << 40 | (b[p + 6] & 0xFFL) << 48
                | (b[p + 7] & 0xFFL) << 56;
    }

    String getUtf8() {
        int n = getVarInt();
        if (pos + n > limit) {
            throw truncated();
        }
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    StoreException truncated() {
        return new StoreException("damaged event block: truncated at byte " + pos + " of " + limit);
    }
}
