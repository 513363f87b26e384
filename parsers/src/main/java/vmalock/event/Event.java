package vmalock.event;

import java.util.Arrays;
import java.util.Objects;

/**
 * The canonical event: one record type for everything the parsers understand (Trace Compass's
 * "event layout" idea — every format and kernel version maps its names and fields onto this).
 *
 * <p>It is a mutable flyweight: a parser fills one instance per line and hands it to an
 * {@link EventSink}; a sink that keeps events must {@link #copy()} them. Fields not meaningful for
 * the {@link #kind} keep their {@link #clear() cleared} values.
 *
 * <p>Timestamps are exact integers: nanoseconds for time clocks ({@code local}, {@code global},
 * {@code mono}, {@code boot}, perf), raw ticks for counter clocks ({@code counter}, {@code x86-tsc}) —
 * never floating point. The source's clock is recorded per source in the workspace manifest.
 */
public final class Event {
    public static final int MAX_ARGS = 8;
    public static final int UNKNOWN = -1;

    // ---- common --------------------------------------------------------------------------
    public EventKind kind;
    /** Bare tracepoint name, e.g. {@code mmap_lock_start_locking}, {@code sys_enter_mmap}, {@code sched_switch}. */
    public String name;
    /** ns (time clocks) or ticks (counter clocks). */
    public long ts;
    /** CPU number, or -1 if the format does not say. */
    public int cpu = UNKNOWN;
    /** Thread id (ftrace/trace-cmd: the number after {@code COMM-}; perf: the tid). */
    public int tid;
    /** Thread-group id when the format shows it, else -1. */
    public int tgid = UNKNOWN;
    /** Task comm (≤15 chars, may contain spaces); {@code null} when the tool lost it. */
    public String comm;
    /** Index of the source file in the workspace manifest (0-based). */
    public int source;
    /** 1-based physical line number in the source file. */
    public long line;

    // ---- mmap_lock ------------------------------------------------------------------------
    /** mm address (raw ftrace prints a hashed %p: still a stable 64-bit key within one boot). */
    public long mm;
    public boolean write;
    /** acquire_returned's success flag. */
    public boolean success;
    /** memcg_id (6.14+), or -1 when the line had memcg_path or no memcg field. */
    public long memcgId = UNKNOWN;
    /** memcg_path (≤6.13; may be the empty string), or {@code null} when the line had memcg_id. */
    public String memcgPath;

    // ---- page faults ------------------------------------------------------------------------
    public long address;
    public long ip;
    public long errorCode;

    // ---- lock:contention_* ----------------------------------------------------------------
    public long lockAddr;
    /** contention_begin flags (bit values as in include/trace/events/lock.h). */
    public int flags;

    // ---- syscalls, probes -------------------------------------------------------------------
    public Syscall syscall = Syscall.OTHER;
    /** Syscall / probe argument names (as printed) and values. */
    public final String[] argNames = new String[MAX_ARGS];
    public final long[] args = new long[MAX_ARGS];
    public int nargs;
    /** sys_exit return value; contention_end ret; probe return value ($retval / arg1). */
    public long ret;

    // ---- sched / probes / generic / lost ------------------------------------------------------
    /** sched_process_fork child pid; sched_process_exec old_pid; sched_process_exit pid. */
    public int otherPid = UNKNOWN;
    /**
     * Free text: sched_process_exec filename, fork child comm, the probed function of a probe,
     * or — for {@link EventKind#GENERIC} — the raw field text after {@code name: }.
     */
    public String text;
    /** LOST: the number of lost events, or -1 when the marker has no number. */
    public long count;

    // ---- sched_waking / sched_wakeup ------------------------------------------------------------
    /** The waking ran in a task's context: a task woke another (a futex, a pipe, a lock's hand-over). */
    public static final int IRQ_TASK = 0;
    public static final int IRQ_SOFTIRQ = 1;
    /** In hardirq context, whatever task it interrupted: a timer (nanosleep, usleep) or a device. */
    public static final int IRQ_HARDIRQ = 2;
    public static final int IRQ_NMI = 3;
    /**
     * For a sched_waking/sched_wakeup: the context it was emitted in ({@link #IRQ_TASK} … {@link #IRQ_NMI}), from
     * the ftrace flags column's hardirq/softirq character (raw ftrace with options/irq-info, {@code trace-cmd
     * report -l}); {@link #UNKNOWN} when the line has no flags column. Other events keep {@link #UNKNOWN}.
     */
    public int irqContext = UNKNOWN;

    /** Resets every field to its "absent" value (kind stays). */
    public Event clear() {
        name = null;
        ts = 0;
        cpu = UNKNOWN;
        tid = 0;
        tgid = UNKNOWN;
        comm = null;
        source = 0;
        line = 0;
        mm = 0;
        write = false;
        success = false;
        memcgId = UNKNOWN;
        memcgPath = null;
        address = 0;
        ip = 0;
        errorCode = 0;
        lockAddr = 0;
        flags = 0;
        syscall = Syscall.OTHER;
        Arrays.fill(argNames, null);
        Arrays.fill(args, 0);
        nargs = 0;
        ret = 0;
        otherPid = UNKNOWN;
        text = null;
        count = 0;
        irqContext = UNKNOWN;
        return this;
    }

    public Event copy() {
        Event e = new Event();
        e.copyFrom(this);
        return e;
    }

    public void copyFrom(Event o) {
        kind = o.kind;
        name = o.name;
        ts = o.ts;
        cpu = o.cpu;
        tid = o.tid;
        tgid = o.tgid;
        comm = o.comm;
        source = o.source;
        line = o.line;
        mm = o.mm;
        write = o.write;
        success = o.success;
        memcgId = o.memcgId;
        memcgPath = o.memcgPath;
        address = o.address;
        ip = o.ip;
        errorCode = o.errorCode;
        lockAddr = o.lockAddr;
        flags = o.flags;
        syscall = o.syscall;
        System.arraycopy(o.argNames, 0, argNames, 0, MAX_ARGS);
        System.arraycopy(o.args, 0, args, 0, MAX_ARGS);
        nargs = o.nargs;
        ret = o.ret;
        otherPid = o.otherPid;
        text = o.text;
        count = o.count;
        irqContext = o.irqContext;
    }

    /** The value of the named syscall/probe argument, or {@code dflt} if absent. */
    public long arg(String argName, long dflt) {
        for (int i = 0; i < nargs; i++) {
            if (argName.equals(argNames[i])) {
                return args[i];
            }
        }
        return dflt;
    }

    @Override
    public boolean equals(Object x) {
        if (!(x instanceof Event)) {
            return false;
        }
        Event o = (Event) x;
        return kind == o.kind && Objects.equals(name, o.name) && ts == o.ts && cpu == o.cpu && tid == o.tid
                && tgid == o.tgid && Objects.equals(comm, o.comm) && source == o.source && line == o.line
                && mm == o.mm && write == o.write && success == o.success && memcgId == o.memcgId
                && Objects.equals(memcgPath, o.memcgPath) && address == o.address && ip == o.ip
                && errorCode == o.errorCode && lockAddr == o.lockAddr && flags == o.flags
                && syscall == o.syscall && nargs == o.nargs
                && Arrays.equals(argNames, 0, nargs, o.argNames, 0, o.nargs)
                && Arrays.equals(args, 0, nargs, o.args, 0, o.nargs)
                && ret == o.ret && otherPid == o.otherPid && Objects.equals(text, o.text) && count == o.count
                && irqContext == o.irqContext;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, name, ts, tid, line, mm, address);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(kind).append(' ').append(name).append(" ts=").append(ts).append(" cpu=").append(cpu)
                .append(" tid=").append(tid);
        if (tgid != UNKNOWN) sb.append(" tgid=").append(tgid);
        sb.append(" comm=").append(comm).append(" src=").append(source).append(':').append(line);
        switch (kind) {
            case MMAP_LOCK_START_LOCKING:
            case MMAP_LOCK_RELEASED:
            case MMAP_LOCK_ACQUIRE_RETURNED:
                sb.append(" mm=0x").append(Long.toHexString(mm)).append(" write=").append(write);
                if (kind == EventKind.MMAP_LOCK_ACQUIRE_RETURNED) sb.append(" success=").append(success);
                if (memcgPath != null) sb.append(" memcg_path=").append(memcgPath);
                else sb.append(" memcg_id=").append(memcgId);
                break;
            case PAGE_FAULT_USER:
            case PAGE_FAULT_KERNEL:
                sb.append(" address=0x").append(Long.toHexString(address)).append(" ip=0x")
                        .append(Long.toHexString(ip)).append(" error_code=0x").append(Long.toHexString(errorCode));
                break;
            case CONTENTION_BEGIN:
                sb.append(" lock=0x").append(Long.toHexString(lockAddr)).append(" flags=").append(flags);
                break;
            case CONTENTION_END:
                sb.append(" lock=0x").append(Long.toHexString(lockAddr)).append(" ret=").append(ret);
                break;
            case LOST:
                sb.append(" count=").append(count);
                break;
            default:
                for (int i = 0; i < nargs; i++) sb.append(' ').append(argNames[i]).append("=0x").append(Long.toHexString(args[i]));
                if (kind == EventKind.SYS_EXIT || kind == EventKind.PROBE_RETURN) sb.append(" ret=").append(ret);
                if (otherPid != UNKNOWN) sb.append(" otherPid=").append(otherPid);
                if (text != null) sb.append(" text=").append(text);
                if (irqContext != UNKNOWN) sb.append(" irq_context=").append(irqContext);
        }
        return sb.toString();
    }
}
