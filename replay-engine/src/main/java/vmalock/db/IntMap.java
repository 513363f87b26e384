package vmalock.db;

import java.util.Arrays;

/**
 * A map from int keys (thread ids) to values, open addressing with linear probing: the per-task state of the
 * pair tables without boxing a key per event. Insertion order is not kept (callers sort what they emit).
 */
final class IntMap<V> {
    private int[] keys = new int[64];
    private Object[] vals = new Object[64];
    private boolean[] used = new boolean[64];
    private int size;

    private int slot(int k) {
        int mask = keys.length - 1;
        int h = k * 0x9E3779B9;
        int i = (h ^ (h >>> 16)) & mask;
        while (used[i] && keys[i] != k) {
            i = (i + 1) & mask;
        }
        return i;
    }

    @SuppressWarnings("unchecked")
    V get(int k) {
        int i = slot(k);
        return used[i] ? (V) vals[i] : null;
    }

    /** Sets the value of {@code k} (null is a value; see {@link #get}); returns the previous one. */
    @SuppressWarnings("unchecked")
    V put(int k, V v) {
        int i = slot(k);
        if (used[i]) {
            V old = (V) vals[i];
            vals[i] = v;
            return old;
        }
        used[i] = true;
        keys[i] = k;
        vals[i] = v;
        if (++size * 2 > keys.length) {
            grow();
        }
        return null;
    }

    private void grow() {
        int[] ok = keys;
        Object[] ov = vals;
        boolean[] ou = used;
        keys = new int[ok.length * 2];
        vals = new Object[ok.length * 2];
        used = new boolean[ok.length * 2];
        for (int j = 0; j < ok.length; j++) {
            if (ou[j]) {
                int i = slot(ok[j]);
                used[i] = true;
                keys[i] = ok[j];
                vals[i] = ov[j];
            }
        }
    }

    /** Calls {@code f} for every key with a non-null value, in key order (deterministic output). */
    @SuppressWarnings("unchecked")
    void forEachSorted(java.util.function.BiConsumer<Integer, V> f) {
        int[] ks = new int[size];
        int n = 0;
        for (int j = 0; j < keys.length; j++) {
            if (used[j] && vals[j] != null) {
                ks[n++] = keys[j];
            }
        }
        ks = Arrays.copyOf(ks, n);
        Arrays.sort(ks);
        for (int k : ks) {
            f.accept(k, get(k));
        }
    }
}
