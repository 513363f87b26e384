package vmalock.parse;

import vmalock.event.Event;
import vmalock.event.EventKind;
import vmalock.event.EventSink;
import vmalock.event.EventSink.NonEventKind;

/**
 * {@code perf script} text (tools/perf/builtin-script.c). Default tracepoint fields are comm, tid, cpu,
 * time, event, trace:
 * <pre>
 *             perf 20190 [001]  1294.467120:    mmap_lock:mmap_lock_start_locking: mm=0xffff888102a48000 memcg_id=5859 write=false
 *         disjoint 20191 [000]  1294.468057:               syscalls:sys_exit_mmap: 0x7f9a9244c000
 *            a.out    4242 [003] 12345.678905: probe:lock_vma_under_rcu__return: (ffffffff81234560 &lt;- ffffffff8108a1f3) arg1=0x…
 * </pre>
 * comm right-aligned in 16 columns (may contain spaces; {@code :TID} when perf lost it → null comm), tid
 * {@code %5d} or {@code %7d} ({@code PID/TID} with {@code -F comm,pid,tid,…}), optional {@code [CPU]},
 * {@code secs.usecs} or {@code --ns} {@code secs.nsecs}, the {@code system:event:} name right-aligned to
 * the longest. {@code --show-lost-events} adds {@code … PERF_RECORD_LOST lost N} lines (LOST markers);
 * other side-band records ({@code PERF_RECORD_COMM}, …) and call-chain lines (starting with a tab) are
 * counted as {@code other} non-event lines.
 */
final class PerfScriptParser extends EventLineParser {
    private static final byte[] PERF_RECORD = ascii("PERF_RECORD_");
    private static final byte[] PERF_RECORD_LOST = ascii("PERF_RECORD_LOST");
    private static final byte[] LOST_SP = ascii(" lost ");

    PerfScriptParser(EventSink sink, SourceResult result, boolean strict, int sourceIndex) {
        super(sink, result, strict, sourceIndex);
        result.format = TraceFormat.PERF_SCRIPT;
    }

    @Override
    protected void parseLine() {
        if (p == end) {
            nonEvent(NonEventKind.BLANK);
            return;
        }
        if (b[p] == '\t') {
            nonEvent(NonEventKind.OTHER); // call-chain / -F ip,sym continuation lines
            return;
        }
        int br = cpuBracket();
        int tsStart = -1;
        if (br < 0) {
            if (isBlank(b, p, end)) {
                nonEvent(NonEventKind.BLANK);
                return;
            }
            tsStart = timestampToken();
            if (tsStart < 0) {
                if (sideBand()) return;
                throw fail(mixedOrBad());
            }
        }
        Event e = begin();
        try {
            prefix(e, br, tsStart);
        } catch (LineProblem lp) {
            p = lineStart;
            if (sideBand()) return;
            throw lp;
        }
        if (p < end && b[p] == 'P' && startsWith(PERF_RECORD)) {
            sideBandAfterPrefix(e);
            return;
        }
        int s = p;
        while (p < end && b[p] != ' ') p++;
        if (p == s || b[p - 1] != ':') throw fail(p >= end ? "truncated line: incomplete event name" : "expected 'system:event:' at column " + (s - lineStart + 1));
        EventName n = name(s, p - 1);
        fields(n);
    }

    /** {@code COMM TID [CPU] TIME:} up to the event name. */
    private void prefix(Event e, int br, int tsStart) {
        task(e, br >= 0 ? br : tsStart);
        if (br >= 0) {
            int k = br + 1;
            int cpu = 0;
            while (b[k] != ']') cpu = cpu * 10 + (b[k++] - '0');
            e.cpu = cpu;
            p = k + 1;
            skipSpaces();
        } else {
            p = tsStart;
        }
        e.ts = timestamp();
        skipSpaces();
    }

    /** {@code COMM TID} or {@code COMM PID/TID} before index {@code at} (the cpu bracket or the timestamp). */
    private void task(Event e, int at) {
        int j = at - 1;
        while (j > p && b[j] == ' ') j--;
        int idEnd = j + 1;
        while (j > p && ((b[j] >= '0' && b[j] <= '9') || b[j] == '/' || b[j] == '-')) j--;
        if (b[j] != ' ' || j + 1 == idEnd) throw fail(mixedOrBad());
        int s = j + 1;
        int slash = -1;
        for (int i = s; i < idEnd; i++) {
            if (b[i] == '/') slash = i;
        }
        int save = p;
        if (slash >= 0) {
            p = s;
            e.tgid = pidNumber();
            p = slash + 1;
        } else {
            p = s;
        }
        e.tid = pidNumber();
        if (p != idEnd) throw fail(mixedOrBad());
        p = save;
        int ce = j;
        while (ce > p && b[ce - 1] == ' ') ce--;
        int cs = p;
        while (cs < ce && b[cs] == ' ') cs++;
        if (cs < ce && b[cs] == ':' && allDigits(cs + 1, ce)) {
            e.comm = null; // perf lost the comm and printed :TID
        } else {
            e.comm = comms.get(b, cs, ce);
        }
    }

    private boolean allDigits(int s, int t) {
        if (s >= t) return false;
        for (int i = s; i < t; i++) {
            if (b[i] < '0' || b[i] > '9') return false;
        }
        return true;
    }

    /** Without a {@code [cpu]} column: the start of the first {@code digits.digits:} token. */
    private int timestampToken() {
        for (int i = p + 1; i + 1 < end; i++) {
            if (b[i] == ':' && b[i + 1] == ' ' && b[i - 1] >= '0' && b[i - 1] <= '9') {
                int s = i - 1;
                boolean dot = false;
                while (s > p && ((b[s - 1] >= '0' && b[s - 1] <= '9') || b[s - 1] == '.')) {
                    if (b[s - 1] == '.') dot = true;
                    s--;
                }
                if (dot && s > p && b[s - 1] == ' ') return s;
            }
        }
        return -1;
    }

    /** A PERF_RECORD_ line whose prefix we could not read: LOST still counts, anything else is "other". */
    private boolean sideBand() {
        int i = indexOf(PERF_RECORD, p);
        if (i < 0) return false;
        Event e = begin();
        p = i;
        sideBandAfterPrefix(e);
        return true;
    }

    private void sideBandAfterPrefix(Event e) {
        if (startsWith(PERF_RECORD_LOST) && (p + PERF_RECORD_LOST.length == end || b[p + PERF_RECORD_LOST.length] == ' '
                || startsWithAt(p + PERF_RECORD_LOST.length, ascii("_SAMPLES")))) {
            int l = indexOf(LOST_SP, p);
            e.kind = EventKind.LOST;
            e.name = "lost";
            e.count = -1;
            if (l >= 0) {
                p = l + LOST_SP.length;
                e.count = lostCount();
            }
            emit();
            return;
        }
        nonEvent(NonEventKind.OTHER);
    }

    private boolean startsWithAt(int at, byte[] lit) {
        if (end - at < lit.length) return false;
        for (int i = 0; i < lit.length; i++) {
            if (b[at + i] != lit[i]) return false;
        }
        return true;
    }

    private String mixedOrBad() {
        TraceFormat f = FormatDetector.lineShape(b, lineStart, end);
        if (f != null && f != TraceFormat.PERF_SCRIPT) return "mixed formats: " + f.cliName() + " line in a perf file";
        if (end - lineStart < 40) return "truncated line: no COMM TID [CPU] TIME prefix";
        return "not a perf script event line: no COMM TID [CPU] TIME prefix";
    }
}
