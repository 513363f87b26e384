package vmalock.lock;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A 128-bit fingerprint of everything the explored tasks can reach — the {@link Explorer}'s visited-state
 * cache. The object graph is walked breadth-first from the roots (the tasks in spawn order, then any
 * extra roots); objects are numbered in the order they are first met, so a reference hashes as its
 * number and two states have the same fingerprint exactly when their reachable graphs are isomorphic
 * with equal field values (up to 128-bit hash collisions: with 10⁷ states the chance of any
 * collision is below 10⁻²³).
 *
 * <p>What is left out, because no step reads it to decide anything: the driver ({@link Explorer}; its
 * virtual time is mixed in by the caller), {@link Findings}, the scenario object itself, threads, a
 * task's flyweight trace event and its statistics counter {@code lockOps}, {@link ProgramRunner}'s op
 * count, and the checker's hook counter. JDK collections are hashed through their public iteration
 * order; atomics through their value; strings, boxed values and enums by value; other JDK objects by
 * class only (the lock model keeps no state in them).
 */
final class StateHasher {
    private static final long C1 = 0x9E3779B97F4A7C15L, C2 = 0xC2B2AE3D27D4EB4FL, C3 = 0x165667B19E3779F9L,
            C4 = 0xFF51AFD7ED558CCDL;
    private static final Set<String> EXCLUDED = Set.of(
            "vmalock.lock.Task.driver", "vmalock.lock.Task.thread", "vmalock.lock.Task.ev", "vmalock.lock.Task.lockOps",
            "vmalock.lock.ProgramRunner.opsDone", "vmalock.lock.InvariantChecker.checks",
            "vmalock.lock.InvariantChecker.findings");

    private static final ClassValue<Field[]> FIELDS = new ClassValue<>() {
        @Override
        protected Field[] computeValue(Class<?> c) {
            List<Field> l = new ArrayList<>();
            for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
                if (k.getName().startsWith("java.")) break;
                for (Field f : k.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers())) continue;
                    if (EXCLUDED.contains(k.getName() + "." + f.getName())) continue;
                    if (!f.trySetAccessible()) continue;
                    l.add(f);
                }
            }
            return l.toArray(new Field[0]);
        }
    };

    private final IdentityHashMap<Object, Integer> ids = new IdentityHashMap<>();
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private long h1, h2;
    /** Objects visited by the last {@link #hash} (the size of the state). */
    int lastObjects;

    /** Fingerprint of the state reachable from {@code roots}, plus {@code extra} (e.g. the virtual time). */
    long[] hash(List<?> roots, long extra) {
        ids.clear();
        queue.clear();
        h1 = 0x243F6A8885A308D3L;
        h2 = 0x13198A2E03707344L;
        mix(extra);
        for (Object r : roots) ref(r);
        while (!queue.isEmpty()) visit(queue.poll());
        lastObjects = ids.size();
        return new long[] {fmix(h1 ^ h2 * C1), fmix(h2 + h1 * C3)};
    }

    private void mix(long x) {
        h1 = Long.rotateLeft(h1 ^ x * C1, 31) * C2;
        h2 = (Long.rotateLeft(h2 + x * C3, 27) ^ h1) * C4;
    }

    private static long fmix(long k) {
        k ^= k >>> 33;
        k *= C4;
        k ^= k >>> 33;
        k *= 0xC4CEB9FE1A85EC53L;
        k ^= k >>> 33;
        return k;
    }

    private static boolean skipped(Object o) {
        return o instanceof Driver || o instanceof Findings || o instanceof Explorer.Scenario || o instanceof Thread;
    }

    /** Mixes a reference: null, a value-like object by value, or the object's number (new ones queued). */
    private void ref(Object o) {
        if (o == null) {
            mix(-1);
            return;
        }
        if (o instanceof String) {
            mix(7);
            mix(o.hashCode());
            return;
        }
        if (o instanceof Number && o.getClass().getName().startsWith("java.lang")) {
            mix(8);
            mix(o instanceof Double || o instanceof Float ? Double.doubleToLongBits(((Number) o).doubleValue())
                    : ((Number) o).longValue());
            return;
        }
        if (o instanceof Boolean) {
            mix((Boolean) o ? 11 : 10);
            return;
        }
        if (o instanceof Character) {
            mix(12 + (long) (Character) o * 31);
            return;
        }
        if (o instanceof Enum<?>) {
            mix(13);
            mix(o.getClass().getName().hashCode());
            mix(((Enum<?>) o).ordinal());
            return;
        }
        if (o instanceof Class<?>) {
            mix(14);
            mix(((Class<?>) o).getName().hashCode());
            return;
        }
        if (skipped(o)) {
            mix(15);
            return;
        }
        Integer id = ids.get(o);
        if (id == null) {
            id = ids.size();
            ids.put(o, id);
            queue.add(o);
        }
        mix(100 + id);
    }

    private void visit(Object o) {
        Class<?> c = o.getClass();
        mix(c.getName().hashCode());
        if (c.isArray()) {
            visitArray(o, c.getComponentType());
            return;
        }
        if (o instanceof java.util.concurrent.atomic.AtomicInteger) {
            mix(((java.util.concurrent.atomic.AtomicInteger) o).get());
            return;
        }
        if (o instanceof java.util.concurrent.atomic.AtomicLong) {
            mix(((java.util.concurrent.atomic.AtomicLong) o).get());
            return;
        }
        if (o instanceof java.util.concurrent.atomic.AtomicBoolean) {
            mix(((java.util.concurrent.atomic.AtomicBoolean) o).get() ? 1 : 0);
            return;
        }
        if (o instanceof java.util.concurrent.atomic.AtomicReference<?>) {
            ref(((java.util.concurrent.atomic.AtomicReference<?>) o).get());
            return;
        }
        if (c.getName().startsWith("java.")) {
            if (o instanceof Map<?, ?>) {
                Map<?, ?> m = (Map<?, ?>) o;
                mix(m.size());
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    ref(e.getKey());
                    ref(e.getValue());
                }
            } else if (o instanceof Collection<?>) {
                Collection<?> col = (Collection<?>) o;
                mix(col.size());
                for (Object x : col) ref(x);
            }
            return; // other JDK objects: class only
        }
        try {
            for (Field f : FIELDS.get(c)) {
                Class<?> t = f.getType();
                if (!t.isPrimitive()) {
                    ref(f.get(o));
                } else if (t == long.class) {
                    mix(f.getLong(o));
                } else if (t == int.class) {
                    mix(f.getInt(o));
                } else if (t == boolean.class) {
                    mix(f.getBoolean(o) ? 1 : 0);
                } else if (t == double.class) {
                    mix(Double.doubleToLongBits(f.getDouble(o)));
                } else if (t == float.class) {
                    mix(Float.floatToIntBits(f.getFloat(o)));
                } else if (t == short.class) {
                    mix(f.getShort(o));
                } else if (t == byte.class) {
                    mix(f.getByte(o));
                } else {
                    mix(f.getChar(o));
                }
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("state hashing cannot read " + c.getName(), e);
        }
    }

    private void visitArray(Object a, Class<?> ct) {
        if (!ct.isPrimitive()) {
            Object[] arr = (Object[]) a;
            mix(arr.length);
            for (Object x : arr) ref(x);
        } else if (ct == long.class) {
            long[] arr = (long[]) a;
            mix(arr.length);
            for (long x : arr) mix(x);
        } else if (ct == int.class) {
            int[] arr = (int[]) a;
            mix(arr.length);
            for (int x : arr) mix(x);
        } else if (ct == boolean.class) {
            boolean[] arr = (boolean[]) a;
            mix(arr.length);
            for (boolean x : arr) mix(x ? 1 : 0);
        } else {
            int n = java.lang.reflect.Array.getLength(a);
            mix(n);
            for (int i = 0; i < n; i++) mix(java.lang.reflect.Array.get(a, i).hashCode());
        }
    }

    /** An open-addressing set of 128-bit fingerprints. */
    static final class Visited {
        private long[] a = new long[1 << 16], b = new long[1 << 16];
        private boolean[] used = new boolean[1 << 16];
        private int size;

        int size() {
            return size;
        }

        /** Adds the fingerprint; false if it was already there. */
        boolean add(long[] k) {
            if (size * 2 >= a.length) grow();
            int mask = a.length - 1;
            for (int i = (int) (k[0] ^ k[0] >>> 32) & mask;; i = (i + 1) & mask) {
                if (!used[i]) {
                    used[i] = true;
                    a[i] = k[0];
                    b[i] = k[1];
                    size++;
                    return true;
                }
                if (a[i] == k[0] && b[i] == k[1]) return false;
            }
        }

        private void grow() {
            long[] oa = a, ob = b;
            boolean[] ou = used;
            a = new long[oa.length * 2];
            b = new long[oa.length * 2];
            used = new boolean[oa.length * 2];
            size = 0;
            for (int i = 0; i < oa.length; i++) if (ou[i]) add(new long[] {oa[i], ob[i]});
        }
    }
}
