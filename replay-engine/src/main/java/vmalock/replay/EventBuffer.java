package vmalock.replay;

import java.util.Arrays;
import vmalock.event.Event;
import vmalock.event.EventKind;

/**
 * A compact, append-only buffer of the canonical events one mm's replay emitted in one time window
 * (primitive columns, no object per event), replayed into a flyweight {@link Event} at merge time.
 * Only the fields the modelled tracepoints fill are kept.
 */
final class EventBuffer {
    private static final EventKind[] KINDS = EventKind.values();
    int n;
    private int pos;
    private byte[] kind = new byte[16];
    private byte[] bits = new byte[16];
    long[] ts = new long[16];
    private int[] tid = new int[16];
    private short[] cpu = new short[16]; // the modelled CPU, -1 unknown
    private long[] a = new long[16];   // mm / address / lockAddr
    private long[] b = new long[16];   // memcgId / errorCode / flags / ret
    private long[] c = new long[16];   // ip
    private String[] comm = new String[16];

    void add(Event e) {
        if (n == kind.length) grow();
        int i = n++;
        kind[i] = (byte) e.kind.ordinal();
        ts[i] = e.ts;
        tid[i] = e.tid;
        cpu[i] = (short) Math.max(-1, Math.min(Short.MAX_VALUE, e.cpu));
        comm[i] = e.comm;
        switch (e.kind) {
            case MMAP_LOCK_START_LOCKING:
            case MMAP_LOCK_ACQUIRE_RETURNED:
            case MMAP_LOCK_RELEASED:
                a[i] = e.mm;
                b[i] = e.memcgId;
                bits[i] = (byte) ((e.write ? 1 : 0) | (e.success ? 2 : 0));
                break;
            case PAGE_FAULT_USER:
            case PAGE_FAULT_KERNEL:
                a[i] = e.address;
                b[i] = e.errorCode;
                c[i] = e.ip;
                break;
            case CONTENTION_BEGIN:
                a[i] = e.lockAddr;
                b[i] = e.flags;
                break;
            case CONTENTION_END:
                a[i] = e.lockAddr;
                b[i] = e.ret;
                break;
            default:
                throw new IllegalArgumentException("the replay does not emit " + e.kind);
        }
    }

    private void grow() {
        int cap = kind.length * 2;
        kind = Arrays.copyOf(kind, cap);
        bits = Arrays.copyOf(bits, cap);
        ts = Arrays.copyOf(ts, cap);
        tid = Arrays.copyOf(tid, cap);
        cpu = Arrays.copyOf(cpu, cap);
        a = Arrays.copyOf(a, cap);
        b = Arrays.copyOf(b, cap);
        c = Arrays.copyOf(c, cap);
        comm = Arrays.copyOf(comm, cap);
    }

    boolean hasNext() {
        return pos < n;
    }

    long peekTs() {
        return ts[pos];
    }

    /** Fills {@code e} with the next event. {@code tsShift} rounds timestamps to the output resolution. */
    void next(Event e, long resolution) {
        int i = pos++;
        EventKind k = KINDS[kind[i]];
        e.clear();
        e.kind = k;
        e.ts = resolution > 1 ? ts[i] - Math.floorMod(ts[i], resolution) : ts[i];
        e.tid = tid[i];
        if (cpu[i] >= 0) e.cpu = cpu[i];
        e.comm = comm[i];
        switch (k) {
            case MMAP_LOCK_START_LOCKING:
                e.name = "mmap_lock_start_locking";
                fillMm(e, i);
                break;
            case MMAP_LOCK_ACQUIRE_RETURNED:
                e.name = "mmap_lock_acquire_returned";
                fillMm(e, i);
                e.success = (bits[i] & 2) != 0;
                break;
            case MMAP_LOCK_RELEASED:
                e.name = "mmap_lock_released";
                fillMm(e, i);
                break;
            case PAGE_FAULT_USER:
            case PAGE_FAULT_KERNEL:
                e.name = k == EventKind.PAGE_FAULT_USER ? "page_fault_user" : "page_fault_kernel";
                e.address = a[i];
                e.errorCode = b[i];
                e.ip = c[i];
                break;
            case CONTENTION_BEGIN:
                e.name = "contention_begin";
                e.lockAddr = a[i];
                e.flags = (int) b[i];
                break;
            default:
                e.name = "contention_end";
                e.lockAddr = a[i];
                e.ret = b[i];
        }
    }

    private void fillMm(Event e, int i) {
        e.mm = a[i];
        e.memcgId = b[i];
        e.write = (bits[i] & 1) != 0;
    }

    void reset() {
        if (n > 0) Arrays.fill(comm, 0, n, null);
        n = 0;
        pos = 0;
    }
}
