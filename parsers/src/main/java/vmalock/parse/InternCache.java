package vmalock.parse;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Function;

/**
 * A small byte-keyed intern table: maps a byte range (a comm, an event or argument name) to one
 * shared value without building a String per line. Open addressing, power-of-two size; when it gets
 * full it is cleared (memory stays bounded even for traces with millions of distinct comms).
 *
 * @param <V> the value kept per distinct byte string
 */
final class InternCache<V> {
    private final int mask;
    private final int maxSize;
    /** Keys padded with zeros to a multiple of 8 bytes (at least 8), compared a word at a time. */
    private final byte[][] keys;
    private final int[] lengths;
    private final int[] hashes;
    private final Object[] values;
    private final Function<String, V> factory;
    private int size;

    InternCache(int capacityPow2, Function<String, V> factory) {
        if (Integer.bitCount(capacityPow2) != 1) throw new IllegalArgumentException("not a power of two");
        this.mask = capacityPow2 - 1;
        this.maxSize = capacityPow2 / 2;
        this.keys = new byte[capacityPow2][];
        this.lengths = new int[capacityPow2];
        this.hashes = new int[capacityPow2];
        this.values = new Object[capacityPow2];
        this.factory = factory;
    }

    /** The value for {@code b[from, to)}, creating it from the UTF-8 string on first sight. */
    @SuppressWarnings("unchecked")
    V get(byte[] b, int from, int to) {
        int h = hash(b, from, to);
        int i = h & mask;
        while (true) {
            byte[] k = keys[i];
            if (k == null) break;
            if (hashes[i] == h && same(k, lengths[i], b, from, to)) {
                return (V) values[i];
            }
            i = (i + 1) & mask;
        }
        return insert(b, from, to, h, i);
    }

    private V insert(byte[] b, int from, int to, int h, int i) {
        if (size >= maxSize) {
            Arrays.fill(keys, null);
            Arrays.fill(values, null);
            size = 0;
            i = h & mask;
        }
        int n = to - from;
        byte[] k = new byte[Math.max(8, (n + 7) & ~7)];
        System.arraycopy(b, from, k, 0, n);
        V v = factory.apply(new String(k, 0, n, StandardCharsets.UTF_8));
        keys[i] = k;
        lengths[i] = n;
        hashes[i] = h;
        values[i] = v;
        size++;
        return v;
    }

    private static boolean same(byte[] k, int n, byte[] b, int from, int to) {
        if (n != to - from) return false;
        if (n >= 8) {
            for (int i = 0; i + 8 < n; i += 8) {
                if ((long) LONGS.get(k, i) != (long) LONGS.get(b, from + i)) return false;
            }
            return (long) LONGS.get(k, n - 8) == (long) LONGS.get(b, to - 8); // the last 8 bytes (may overlap)
        }
        if (from + 8 <= b.length) {
            return ((long) LONGS.get(b, from) & (-1L >>> (64 - 8 * n)) & (n == 0 ? 0 : -1L)) == (long) LONGS.get(k, 0);
        }
        return Arrays.equals(k, 0, n, b, from, to);
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Cheap hash for short keys: length, first and last 8 bytes (and the middle ones for long keys). */
    private static int hash(byte[] b, int from, int to) {
        int n = to - from;
        long h;
        if (n >= 8) {
            h = (long) LONGS.get(b, from) * 0x9E3779B97F4A7C15L;
            for (int i = from + 8; i + 8 < to; i += 8) {
                h = (h ^ (long) LONGS.get(b, i)) * 0x9E3779B97F4A7C15L;
            }
            h = (h ^ (long) LONGS.get(b, to - 8)) * 0xC2B2AE3D27D4EB4FL;
        } else {
            h = 0;
            for (int i = from; i < to; i++) h = (h << 8) | (b[i] & 0xff);
            h *= 0x9E3779B97F4A7C15L;
        }
        h ^= n;
        return (int) (h ^ (h >>> 29) ^ (h >>> 41));
    }
}
