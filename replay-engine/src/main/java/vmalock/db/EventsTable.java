package vmalock.db;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import vmalock.event.Event;
import vmalock.event.EventKind;

/** {@code events}: every canonical event of a run, one row each, fields that do not apply are NULL. */
final class EventsTable implements RunHandler {
    private final RowSink rows;
    private final String run;

    EventsTable(RowSink rows, String run) {
        this.rows = rows;
        this.run = run;
    }

    @Override
    public void event(long seq, Event e) throws SQLException {
        EventKind k = e.kind;
        boolean lock = k.isMmapLock();
        boolean fault = k == EventKind.PAGE_FAULT_USER || k == EventKind.PAGE_FAULT_KERNEL;
        boolean cont = k == EventKind.CONTENTION_BEGIN || k == EventKind.CONTENTION_END;
        boolean sys = k == EventKind.SYS_ENTER || k == EventKind.SYS_EXIT;
        boolean hasRet = k == EventKind.SYS_EXIT || k == EventKind.CONTENTION_END || k == EventKind.PROBE_RETURN;
        rows.begin().str(run).i64(seq).i32(e.source).i64(e.line).i64(e.ts)
                .i32(e.cpu, e.cpu != Event.UNKNOWN).i32(e.tid).i32(e.tgid, e.tgid != Event.UNKNOWN).str(e.comm)
                .str(Names.kind(k)).str(e.name)
                .i64(e.mm, lock).bool(e.write, lock).bool(e.success, k == EventKind.MMAP_LOCK_ACQUIRE_RETURNED)
                .i64(e.memcgId, lock && e.memcgId != Event.UNKNOWN).str(lock ? e.memcgPath : null)
                .i64(e.address, fault).i64(e.ip, fault || k == EventKind.PROBE_RETURN).i64(e.errorCode, fault)
                .i64(e.lockAddr, cont).i32(e.flags, k == EventKind.CONTENTION_BEGIN)
                .str(sys ? Names.syscall(e) : null).map(args(e)).i64(e.ret, hasRet)
                .i32(e.otherPid, e.otherPid != Event.UNKNOWN).str(e.text)
                .i64(e.count, k == EventKind.LOST && e.count >= 0);
        rows.end();
    }

    /** The named arguments, in printed order, or null when the event has none. */
    static Map<String, Long> args(Event e) {
        if (e.nargs == 0) {
            return null;
        }
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < e.nargs; i++) {
            m.put(e.argNames[i] == null ? "arg" + i : e.argNames[i], e.args[i]);
        }
        return m;
    }

    @Override
    public void finish() {
    }
}
