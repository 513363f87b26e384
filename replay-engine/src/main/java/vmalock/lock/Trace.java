package vmalock.lock;

import vmalock.event.Event;
import vmalock.event.EventKind;

/** Fills a task's flyweight {@link Event} the way the kernel's tracepoints print, and hands it on. */
final class Trace {
    /** lock:contention_begin flags (include/trace/events/lock.h). */
    static final int LCB_F_SPIN = 1, LCB_F_READ = 2, LCB_F_WRITE = 4, LCB_F_RT = 8, LCB_F_PERCPU = 16, LCB_F_MUTEX = 32;
    static final int EINTR = 4;

    private Trace() {
    }

    private static Event base(Task t, EventKind kind, String name) {
        Event e = t.ev;
        e.clear();
        e.kind = kind;
        e.name = name;
        e.ts = t.driver.now();
        e.tid = t.tid;
        if (t.cpu >= 0) e.cpu = t.cpu; // the modelled CPU it runs on (none: unlimited CPUs, or not on one)
        e.tgid = t.tgid;
        e.comm = t.comm;
        return e;
    }

    static void contentionBegin(Task t, LockEventListener l, long lockAddr, int flags) {
        if (l == null) return;
        Event e = base(t, EventKind.CONTENTION_BEGIN, "contention_begin");
        e.lockAddr = lockAddr;
        e.flags = flags;
        l.event(e);
    }

    static void contentionEnd(Task t, LockEventListener l, long lockAddr, long ret) {
        if (l == null) return;
        Event e = base(t, EventKind.CONTENTION_END, "contention_end");
        e.lockAddr = lockAddr;
        e.ret = ret;
        l.event(e);
    }

    static void startLocking(Task t, Mm mm, boolean write) {
        LockEventListener l = mm.listener;
        if (l == null) return;
        Event e = base(t, EventKind.MMAP_LOCK_START_LOCKING, "mmap_lock_start_locking");
        fillMm(e, mm, write);
        l.event(e);
    }

    static void acquireReturned(Task t, Mm mm, boolean write, boolean success) {
        LockEventListener l = mm.listener;
        if (l == null) return;
        Event e = base(t, EventKind.MMAP_LOCK_ACQUIRE_RETURNED, "mmap_lock_acquire_returned");
        fillMm(e, mm, write);
        e.success = success;
        l.event(e);
    }

    static void released(Task t, Mm mm, boolean write) {
        LockEventListener l = mm.listener;
        if (l == null) return;
        Event e = base(t, EventKind.MMAP_LOCK_RELEASED, "mmap_lock_released");
        fillMm(e, mm, write);
        l.event(e);
    }

    static void pageFault(Task t, Mm mm, boolean user, long address, long ip, long errorCode) {
        LockEventListener l = mm.listener;
        if (l == null) return;
        Event e = base(t, user ? EventKind.PAGE_FAULT_USER : EventKind.PAGE_FAULT_KERNEL,
                user ? "page_fault_user" : "page_fault_kernel");
        e.address = address;
        e.ip = ip;
        e.errorCode = errorCode;
        l.event(e);
    }

    private static void fillMm(Event e, Mm mm, boolean write) {
        e.mm = mm.id;
        e.write = write;
        if (mm.memcgPath != null) e.memcgPath = mm.memcgPath;
        else e.memcgId = mm.memcgId;
    }
}
