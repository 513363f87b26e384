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
    private final byte[][] keys;
    private final int[] hashes;
    private final Object[] values;
    private final Function<String, V> factory;
    private int size;

    InternCache(int capacityPow2, Function<String, V> factory) {
        if (Integer.bitCount(capacityPow2) != 1) throw new IllegalArgumentException("not a power of two");
        this.mask = capacityPow2 - 1;
        this.maxSize = capacityPow2 / 2;
        this.keys = new byte[capacityPow2][];
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
            if (hashes[i] == h && Arrays.equals(k, 0, k.length, b, from, to)) {
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
        byte[] k = Arrays.copyOfRange(b, from, to);
        V v = factory.apply(new String(k, StandardCharsets.UTF_8));
        keys[i] = k;
        hashes[i] = h;
        values[i] = v;
        size++;
        return v;
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
