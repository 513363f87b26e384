package vmalock.db;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import vmalock.event.Event;
import vmalock.event.EventKind;

/**
 * {@code syscalls}: sys_enter_X / sys_exit_X pairs of one task (syscalls do not nest within a task).
 * Each row has the entry's named arguments, the return value, and the address range the call acts on
 * ({@code range_start}, {@code range_len}): mmap → [ret, len) when it succeeded; munmap, mprotect,
 * madvise → their start and length; mremap → [ret, new_len). An enter without exit or an exit without
 * enter is a row with the other side NULL.
 */
final class SyscallPairs implements RunHandler {
    private static final class Open {
        String name;
        long ts;
        long seq;
        int nargs;
        String argNames;
        // filled only when the rows load (the counting pass needs the name alone)
        String[] names;
        long[] args;
    }

    private final RowSink rows;
    private final String run;
    private final IntMap<Open> open = new IntMap<>();
    private final UnpairedCounts unpaired = new UnpairedCounts("sys_exit_without_enter", "sys_enter_without_exit");
    /** Enter-to-exit of the paired VMA-changing syscalls (mmap, munmap, mprotect, madvise, mremap, brk), in the run's unit. */
    private final vmalock.stats.Samples vmaLatency = new vmalock.stats.Samples();

    /** @param rows the syscalls appender, or null to count the unpaired events only (the rows load lazily) */
    SyscallPairs(RowSink rows, String run) {
        this.rows = rows;
        this.run = run;
    }

    @Override
    public void event(long seq, Event e) throws SQLException {
        if (e.kind == EventKind.SYS_ENTER) {
            Open o = new Open();
            o.name = Names.syscall(e);
            o.ts = e.ts;
            o.seq = seq;
            o.nargs = Math.min(e.nargs, Schema.SYSCALL_ARGS);
            if (o.nargs > 0 && rows != null) {
                o.names = new String[Schema.SYSCALL_ARGS];
                o.args = new long[Schema.SYSCALL_ARGS];
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < o.nargs; i++) {
                    o.names[i] = e.argNames[i] == null ? "arg" + i : e.argNames[i];
                    b.append(i == 0 ? "" : ",").append(o.names[i]);
                    o.args[i] = e.args[i];
                }
                o.argNames = b.toString();
            }
            Open prev = open.put(e.tid, o);
            if (prev != null) {
                row(e.tid, prev, false, 0, 0, -1);
            }
        } else if (e.kind == EventKind.SYS_EXIT) {
            String name = Names.syscall(e);
            Open o = open.get(e.tid);
            if (o != null && o.name.equals(name)) {
                open.put(e.tid, null);
                row(e.tid, o, true, e.ts, e.ret, seq);
            } else {
                Open none = new Open();
                none.name = name;
                none.seq = -1;
                row(e.tid, none, true, e.ts, e.ret, seq);
            }
        }
    }

    private void row(int tid, Open o, boolean hasExit, long exitTs, long ret, long exitSeq) throws SQLException {
        boolean hasEnter = o.seq >= 0;
        unpaired.row(hasEnter, hasExit);
        if (hasEnter && hasExit && vmalock.event.Syscall.ofKernelName(o.name) != vmalock.event.Syscall.OTHER) {
            vmaLatency.add(exitTs - o.ts);
        }
        if (rows == null) {
            return;
        }
        long start = 0;
        long len = 0;
        boolean range = false;
        if (o.nargs > 0) {
            Long len0 = first(o, "len", "len_in");
            switch (o.name) {
                case "mmap":
                    range = hasExit && !isError(ret) && len0 != null;
                    start = ret;
                    len = range ? len0 : 0;
                    break;
                case "munmap":
                case "mprotect":
                case "madvise": {
                    Long s = first(o, "addr", "start");
                    range = s != null && len0 != null;
                    if (range) {
                        start = s;
                        len = len0;
                    }
                    break;
                }
                case "mremap": {
                    Long nl = first(o, "new_len", "new_len");
                    range = hasExit && !isError(ret) && nl != null;
                    start = ret;
                    len = range ? nl : 0;
                    break;
                }
                default:
                    break;
            }
        }
        rows.begin().str(run).i32(tid).str(o.name).i64(o.ts, hasEnter).i64(exitTs, hasExit)
                .i64(exitTs - o.ts, hasEnter && hasExit).nul().i64(ret, hasExit).i64(start, range).i64(len, range)
                .i64(o.seq, hasEnter).i64(exitSeq, hasExit).str(o.argNames);
        for (int i = 0; i < Schema.SYSCALL_ARGS; i++) {
            rows.i64(i < o.nargs ? o.args[i] : 0, i < o.nargs);
        }
        rows.end();
    }

    private static Long first(Open o, String n1, String n2) {
        for (int i = 0; i < o.nargs; i++) {
            if (o.names[i].equals(n1) || o.names[i].equals(n2)) {
                return o.args[i];
            }
        }
        return null;
    }

    /** A syscall's error return (-4095..-1). */
    private static boolean isError(long ret) {
        return ret < 0 && ret >= -4095;
    }

    /** The unpaired events, as {@code counters}: {@code unpaired.sys_exit_without_enter}, {@code unpaired.sys_enter_without_exit}. */
    Map<String, Long> unpaired() {
        return unpaired.asMap();
    }

    /**
     * The VMA-changing syscalls' enter-to-exit summary, as {@code counters} ({@code syscall_latency.count}, {@code .sum},
     * {@code .min}, {@code .p50}, {@code .p90}, {@code .p99}, {@code .max}, in the run's unit): what {@code stats} shows as
     * {@code syscall_latency_us} without the per-row table.
     */
    Map<String, Long> latency() {
        Map<String, Long> m = new java.util.TreeMap<>();
        m.put("syscall_latency.count", (long) vmaLatency.count());
        if (vmaLatency.count() > 0) {
            m.put("syscall_latency.sum", vmaLatency.sum());
            m.put("syscall_latency.min", vmaLatency.min());
            m.put("syscall_latency.p50", vmaLatency.percentile(50));
            m.put("syscall_latency.p90", vmaLatency.percentile(90));
            m.put("syscall_latency.p99", vmaLatency.percentile(99));
            m.put("syscall_latency.max", vmaLatency.max());
        }
        return m;
    }

    @Override
    public void finish() throws SQLException {
        List<Map.Entry<Integer, Open>> left = new ArrayList<>();
        open.forEachSorted((tid, o) -> left.add(Map.entry(tid, o)));
        left.sort((x, y) -> Long.compare(x.getValue().seq, y.getValue().seq));
        for (Map.Entry<Integer, Open> en : left) {
            row(en.getKey(), en.getValue(), false, 0, 0, -1);
        }
    }
}
