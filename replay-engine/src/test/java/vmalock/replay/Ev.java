package vmalock.replay;

import java.util.ArrayList;
import java.util.List;
import vmalock.event.Event;
import vmalock.event.EventKind;
import vmalock.event.Syscall;

/** Hand-built canonical events for tests (µs timestamps, like the real traces). */
final class Ev {
    final List<Event> list = new ArrayList<>();

    private Event base(EventKind k, String name, long us, int tid, String comm) {
        Event e = new Event();
        e.kind = k;
        e.name = name;
        e.ts = us * 1000;
        e.tid = tid;
        e.comm = comm;
        e.line = list.size() + 1;
        list.add(e);
        return e;
    }

    Ev fault(long us, int tid, long addr, long err) {
        Event e = base(EventKind.PAGE_FAULT_USER, "page_fault_user", us, tid, "t" + tid);
        e.address = addr;
        e.errorCode = err;
        return this;
    }

    Ev start(long us, int tid, long mm, boolean w) {
        Event e = base(EventKind.MMAP_LOCK_START_LOCKING, "mmap_lock_start_locking", us, tid, "t" + tid);
        e.mm = mm;
        e.write = w;
        return this;
    }

    Ev acq(long us, int tid, long mm, boolean w, boolean ok) {
        Event e = base(EventKind.MMAP_LOCK_ACQUIRE_RETURNED, "mmap_lock_acquire_returned", us, tid, "t" + tid);
        e.mm = mm;
        e.write = w;
        e.success = ok;
        return this;
    }

    Ev rel(long us, int tid, long mm, boolean w) {
        Event e = base(EventKind.MMAP_LOCK_RELEASED, "mmap_lock_released", us, tid, "t" + tid);
        e.mm = mm;
        e.write = w;
        return this;
    }

    Ev enter(long us, int tid, Syscall sc, long... args) {
        Event e = base(EventKind.SYS_ENTER, "sys_enter_" + sc.kernelName(), us, tid, "t" + tid);
        e.syscall = sc;
        for (int i = 0; i < args.length; i++) {
            e.argNames[i] = "a" + i;
            e.args[i] = args[i];
        }
        e.nargs = args.length;
        return this;
    }

    Ev exit(long us, int tid, Syscall sc, long ret) {
        Event e = base(EventKind.SYS_EXIT, "sys_exit_" + sc.kernelName(), us, tid, "t" + tid);
        e.syscall = sc;
        e.ret = ret;
        return this;
    }

    Ev exec(long us, int tid) {
        Event e = base(EventKind.SCHED_PROCESS_EXEC, "sched_process_exec", us, tid, "t" + tid);
        e.otherPid = tid;
        e.text = "/bin/x";
        return this;
    }

    /** sched_switch from {@code prev} (in state {@code prevState}) to {@code next} (0: the idle task). */
    Ev sw(long us, int prev, String prevState, int next) {
        Event e = base(EventKind.GENERIC, "sched_switch", us, prev, "t" + prev);
        e.text = "prev_comm=t" + prev + " prev_pid=" + prev + " prev_prio=120 prev_state=" + prevState
                + " ==> next_comm=" + (next == 0 ? "swapper/0" : "t" + next) + " next_pid=" + next + " next_prio=120";
        return this;
    }

    /** sched_waking of {@code pid} by {@code by}. */
    Ev waking(long us, int by, int pid) {
        Event e = base(EventKind.GENERIC, "sched_waking", us, by, "t" + by);
        e.text = "comm=t" + pid + " pid=" + pid + " prio=120 target_cpu=000";
        return this;
    }

    /** sched_wakeup of {@code pid} emitted by {@code by} (0: the idle task, as for a remote wake-up's IPI). */
    Ev wakeup(long us, int by, int pid) {
        Event e = base(EventKind.GENERIC, "sched_wakeup", us, by, "t" + by);
        e.text = "comm=t" + pid + " pid=" + pid + " prio=120 target_cpu=000";
        return this;
    }

    /** sched_waking of {@code pid} by {@code by}, onto CPU {@code target}. */
    Ev waking(long us, int by, int pid, int target) {
        waking(us, by, pid);
        list.get(list.size() - 1).text = "comm=t" + pid + " pid=" + pid + " prio=120 target_cpu=00" + target;
        return this;
    }

    /** sched_wakeup of {@code pid} emitted by {@code by}, onto CPU {@code target} (the CPU the kernel picked). */
    Ev wakeup(long us, int by, int pid, int target) {
        wakeup(us, by, pid);
        list.get(list.size() - 1).text = "comm=t" + pid + " pid=" + pid + " prio=120 target_cpu=00" + target;
        return this;
    }

    /** The last event (a wake-up) was emitted in context {@code irq} (Event.IRQ_TASK …: the flags column). */
    Ev ctx(int irq) {
        list.get(list.size() - 1).irqContext = irq;
        return this;
    }

    /** tlb:tlb_flush by {@code tid} with reason {@code reason} (4: remote IPI send, 3: local MM shootdown, 0: task switch). */
    Ev tlbFlush(long us, int tid, int reason) {
        Event e = base(EventKind.GENERIC, "tlb_flush", us, tid, "t" + tid);
        String[] names = {"flush on task switch", "remote shootdown", "local shootdown", "local MM shootdown", "remote IPI send"};
        e.text = "pages:16 reason:" + names[reason] + " (" + reason + ")";
        return this;
    }

    /** The last event was recorded on CPU {@code c}. */
    Ev cpu(int c) {
        list.get(list.size() - 1).cpu = c;
        return this;
    }

    /** A fault taken in kernel mode on a user address (x86: always handled under mmap_lock). */
    Ev kfault(long us, int tid, long addr) {
        Event e = base(EventKind.PAGE_FAULT_KERNEL, "page_fault_kernel", us, tid, "t" + tid);
        e.address = addr;
        e.errorCode = 2;
        return this;
    }

    /** read section: start, acquire, release. */
    Ev read(long us, int tid, long mm, long hold) {
        return start(us, tid, mm, false).acq(us, tid, mm, false, true).rel(us + hold, tid, mm, false);
    }

    /** write section of a syscall. */
    Ev write(long us, int tid, long mm, long hold, Syscall sc, long ret, long... args) {
        enter(us, tid, sc, args).start(us, tid, mm, true).acq(us + 1, tid, mm, true, true).rel(us + 1 + hold, tid, mm, true);
        return exit(us + 2 + hold, tid, sc, ret);
    }

    /** A pread64 of {@code len} bytes at {@code pos} (on /proc/PID/mem of mm {@code mm}: one read section per page). */
    Ev pread(long us, int tid, long mm, long pos, long len, long hold) {
        Event e = base(EventKind.SYS_ENTER, "sys_enter_pread64", us, tid, "t" + tid);
        e.syscall = Syscall.OTHER;
        long[] a = {3, 0x1000, len, pos};
        for (int i = 0; i < a.length; i++) {
            e.argNames[i] = "a" + i;
            e.args[i] = a[i];
        }
        e.nargs = a.length;
        read(us + 1, tid, mm, hold);
        Event x = base(EventKind.SYS_EXIT, "sys_exit_pread64", us + 2 + hold, tid, "t" + tid);
        x.syscall = Syscall.OTHER;
        x.ret = len;
        return this;
    }

    /** An open-path probe for {@code path} and the open's return {@code fd} (tid's process). */
    Ev open(long us, int tid, String path, long fd) {
        Event o = base(EventKind.OPEN_PATH, "open64", us, tid, "t" + tid);
        o.text = path;
        Event x = base(EventKind.SYS_EXIT, "sys_exit_openat", us + 1, tid, "t" + tid);
        x.ret = fd;
        return this;
    }

    /** A read() of {@code fd} from {@code us} to {@code us + dur}. */
    Ev readFd(long us, int tid, long fd, long dur) {
        Event e = base(EventKind.SYS_ENTER, "sys_enter_read", us, tid, "t" + tid);
        e.argNames[0] = "fd";
        e.args[0] = fd;
        e.nargs = 1;
        Event x = base(EventKind.SYS_EXIT, "sys_exit_read", us + dur, tid, "t" + tid);
        x.ret = 100;
        return this;
    }

    /** A read() of {@code fd} from {@code us} to {@code us + dur} holding mmap_lock of {@code mm} for {@code hold} µs from {@code us + 1}. */
    Ev readFdLocking(long us, int tid, long fd, long dur, long mm, long hold) {
        Event e = base(EventKind.SYS_ENTER, "sys_enter_read", us, tid, "t" + tid);
        e.argNames[0] = "fd";
        e.args[0] = fd;
        e.nargs = 1;
        read(us + 1, tid, mm, hold);
        Event x = base(EventKind.SYS_EXIT, "sys_exit_read", us + dur, tid, "t" + tid);
        x.ret = 100;
        return this;
    }

    Workload build(long faultCost) {
        WorkBuilder b = new WorkBuilder(faultCost);
        for (Event e : list) b.accept(e);
        return b.finish();
    }
}
