package vmalock.parse;

import vmalock.event.Event;
import vmalock.event.EventSink;
import vmalock.event.EventSink.NonEventKind;

/**
 * Raw tracefs text: the {@code trace} file and {@code trace_pipe} (kernel/trace/trace_output.c).
 * <pre>
 *       COMM-PID     [(TGID)] [CPU] [FLAGS] SECS.USECS: name: fields
 *       capture.sh-16869   [001] d....  1216.415952: page_fault_user: address=0x… ip=0x… error_code=0x7
 *       a.out-4242    (   4242) [003] .... 12345.678990: mmap_lock_released: mm=… memcg_path=/user.slice write=false
 *       date-16917   [001] .....  1216.422343: sys_mmap(addr: 0, len: 0x2000, …)     (= sys_enter_mmap)
 *       date-16917   [001] .....  1216.422352: sys_mmap -> 0x7f185251e000            (= sys_exit_mmap)
 * </pre>
 * The tgid column ({@code (-------)} when unknown) and the 4- or 5-character flags column are optional
 * (options/record-tgid, options/irq-info); the pid is padded to 5 (before v5.9) or 7; timestamps are
 * {@code secs.usecs}, {@code secs.nsecs} or bare integers (counter / x86-tsc clocks). The comm may contain
 * spaces, dashes, digits, colons and slashes: the pid is the last {@code -digits} before the optional
 * {@code (tgid)} and the {@code [cpu]} column. {@code <...>} (comm not recorded) gives a null comm.
 */
class FtraceParser extends EventLineParser {
    private static final byte[] ENTRIES = ascii("# entries-in-buffer/entries-written: ");
    private static final byte[] ARROW_SP = ascii(" -> ");
    private static final byte[] UNKNOWN_COMM = ascii("<...>");

    FtraceParser(EventSink sink, SourceResult result, boolean strict, int sourceIndex) {
        super(sink, result, strict, sourceIndex);
        result.format = vmalock.parse.TraceFormat.FTRACE;
    }

    @Override
    protected void parseLine() {
        if (p == end) {
            nonEvent(NonEventKind.BLANK);
            return;
        }
        byte c = b[p];
        if (c == '#') {
            header();
            return;
        }
        if (c == 'C' && lostMarkerLine()) return;
        if (samePrefix()) {
            Event e = begin();
            e.comm = prefixComm;
            e.tid = prefixTid;
            e.tgid = prefixTgid;
            e.cpu = prefixCpu;
            p += prefixLen;
            afterCpu(e);
            return;
        }
        int br = cpuBracket();
        if (br < 0 || !bracketIsCpu(br)) {
            noCpuColumn();
            return;
        }
        event(br);
    }

    // The previous event line's {@code COMM-PID [(TGID)] [CPU]} prefix, bytes {@code b[p, ']' + 1)}, and
    // what it gave. cpuBracket, taskBefore and cpuAt read nothing but those bytes, so a line starting
    // with the very same bytes gets the same comm, tid, tgid and cpu without scanning them again
    // (consecutive lines are mostly the same task on the same CPU: 82 % of the bench trace's lines).
    private static final int PREFIX_MAX = 64;
    private final byte[] prefix = new byte[PREFIX_MAX];
    /** 0: no prefix remembered; else at least 8 (compared 8 bytes at a time). */
    private int prefixLen;
    private String prefixComm;
    private int prefixTid;
    private int prefixTgid;
    private int prefixCpu;

    /** Test hook: never reuse the previous line's prefix (the reference the reuse is checked against). */
    boolean noPrefixReuse;

    private boolean samePrefix() {
        int n = prefixLen;
        if (n == 0 || end - p < n || noPrefixReuse) return false;
        byte[] b = this.b;
        int s = p;
        for (int i = 0; i + 8 < n; i += 8) {
            if ((long) LONGS.get(b, s + i) != (long) LONGS.get(prefix, i)) return false;
        }
        return (long) LONGS.get(b, s + n - 8) == (long) LONGS.get(prefix, n - 8); // the last 8 (may overlap)
    }

    private void rememberPrefix(Event e, int from, int to) {
        int n = to - from;
        if (n < 8 || n > PREFIX_MAX) {
            prefixLen = 0;
            return;
        }
        System.arraycopy(b, from, prefix, 0, n);
        prefixLen = n;
        prefixComm = e.comm;
        prefixTid = e.tid;
        prefixTgid = e.tgid;
        prefixCpu = e.cpu;
    }

    /** Whether the {@code [digits]} at {@code br} is the cpu column, not a bracket in the event's fields. */
    protected boolean bracketIsCpu(int br) {
        return true;
    }

    /** A line with no {@code [cpu]} column: blank, another known shape, or a problem. */
    protected void noCpuColumn() {
        if (isBlank(b, p, end)) {
            nonEvent(NonEventKind.BLANK);
            return;
        }
        throw fail(mixedOrBad("ftrace"));
    }

    /** Reason for a line this parser cannot read: names a different format when the line has one's shape. */
    protected final String mixedOrBad(String self) {
        TraceFormat f = FormatDetector.lineShape(b, lineStart, end);
        if (f != null && !f.cliName().equals(self) && !(f == TraceFormat.FTRACE && self.equals("trace-cmd"))) {
            return "mixed formats: " + f.cliName() + " line in " + article(self) + " file";
        }
        if (end - lineStart < 40 && end > lineStart) return "truncated line: no [cpu] column";
        return "not " + article(self) + " event line: no COMM-PID [CPU] prefix";
    }

    private void header() {
        if (startsWith(TRACER_FUNCTION) && isBlank(b, p + TRACER_FUNCTION.length, end)) {
            functionTracer = true;
        }
        if (startsWith(ENTRIES)) {
            p += ENTRIES.length;
            try {
                long a = dec();
                if (p < end && b[p] == '/') {
                    p++;
                    long w = dec();
                    // several dumps in one file (trace read twice, concatenated): every header counts, so an
                    // overwritten first dump is not hidden by a clean later one
                    boolean first = result.headerEntriesInBuffer < 0;
                    result.headerEntriesInBuffer = first ? a : result.headerEntriesInBuffer + a;
                    result.headerEntriesWritten = first ? w : result.headerEntriesWritten + w;
                }
                while (p + 3 < end && !(b[p] == '#' && b[p + 1] == 'P' && b[p + 2] == ':')) p++;
                if (p + 3 < end) {
                    p += 3;
                    result.cpus = (int) dec();
                }
            } catch (LineProblem ignored) {
                // a header we cannot read fully is still a header line
            }
        }
        nonEvent(NonEventKind.HEADER);
    }

    /** {@code COMM-PID [(TGID)]} before index {@code br}; fills comm, tid, tgid. */
    protected final void taskBefore(Event e, int br) {
        int j = br - 1;
        while (j > p && b[j] == ' ') j--;
        if (b[j] == ')') { // (tgid) column
            int k = j - 1;
            while (k > p && b[k] != '(') k--;
            if (b[k] != '(') throw fail("bad (tgid) column");
            int s = k + 1;
            while (s < j && b[s] == ' ') s++;
            if (b[s] == '-') {
                e.tgid = Event.UNKNOWN;
            } else {
                int save = p;
                p = s;
                e.tgid = pidNumber();
                if (p != j) throw fail("bad (tgid) column");
                p = save;
            }
            j = k - 1;
            while (j > p && b[j] == ' ') j--;
        }
        int digitsEnd = j + 1;
        while (j > p && b[j] >= '0' && b[j] <= '9') j--;
        if (b[j] != '-' || j + 1 == digitsEnd) throw fail(mixedOrBad(result.format.cliName()));
        int nd = digitsEnd - (j + 1);
        int pid = 0;
        if (nd <= 8 && j + 9 <= b.length) {
            pid = (int) digitsValue((long) LONGS.get(b, j + 1), nd);
        } else {
            long v = 0;
            for (int i = j + 1; i < digitsEnd; i++) {
                v = v * 10 + (b[i] - '0');
                // never wrapped: a pid beyond int (Linux: at most 2^22) is a problem, not another task
                if (v > Integer.MAX_VALUE) throw fail("pid out of range at column " + (j + 2 - lineStart));
            }
            pid = (int) v;
        }
        e.tid = pid;
        int cs = skipSpaces(b, p, j);
        if (j - cs == UNKNOWN_COMM.length && b[cs] == '<' && b[cs + 1] == '.' && b[cs + 4] == '>') {
            e.comm = null;
        } else {
            e.comm = comms.get(b, cs, j);
        }
    }

    /** {@code [NNN]} at {@code br}; returns the cpu and leaves the cursor after the bracket. */
    protected final int cpuAt(int br) {
        int k = br + 1;
        int cpu = 0;
        while (b[k] != ']') cpu = cpu * 10 + (b[k++] - '0');
        p = k + 1;
        return cpu;
    }

    private void event(int br) {
        Event e = begin();
        int s0 = p;
        taskBefore(e, br);
        e.cpu = cpuAt(br);
        rememberPrefix(e, s0, p);
        afterCpu(e);
    }

    /** The rest of an event line after its {@code [cpu]} column. */
    private void afterCpu(Event e) {
        skipSpaces();
        // optional flags column: a token that does not end with ':'
        int s = p;
        while (p < end && b[p] != ' ') p++;
        if (p >= end) throw fail("truncated line: no timestamp");
        lineIrqContext = Event.UNKNOWN;
        if (b[p - 1] != ':') {
            flags(s, p);
            skipSpaces();
        } else {
            p = s;
        }
        e.ts = timestamp();
        if (p >= end || b[p] != ' ') throw fail("truncated line: no event name");
        p++;
        nameAndFields();
    }

    /** Set by a {@code # tracer: function} header: a line may end with a bare function name. */
    private boolean functionTracer;

    @Override
    protected Object carried() {
        return functionTracer;
    }

    @Override
    protected void carry(Object extra) {
        functionTracer = Boolean.TRUE.equals(extra);
    }
    private static final byte[] TRACER_FUNCTION = ascii("# tracer: function");
    private final InternCache<String> calls = new InternCache<>(4096, x -> x);

    /**
     * A line of the {@code function} tracer (trace_output.c, trace_fn_trace: {@code "%ps <-%ps"}, the
     * parent only with options/print-parent): a generic event named {@code function} whose text is the
     * call as printed from {@code b[s, end)}, e.g. {@code lock_vma_under_rcu <-do_user_addr_fault}.
     */
    private void functionCall(int s) {
        Event e = ev;
        e.kind = vmalock.event.EventKind.GENERIC;
        e.name = "function";
        e.text = calls.get(b, s, end);
        emit();
    }

    /** Hook for the flags column {@code b[s, t)}. */
    protected void flags(int s, int t) {
        if (t - s > 6) throw fail("unknown timestamp at column " + (s - lineStart + 1));
        // irqs-off, need-resched, hardirq/softirq, preempt depth[, migrate-disable]
        if (t - s >= 4) lineIrqContext = irqContextOf(b[s + 2]);
    }

    /** The event name and what follows it: {@code name: fields}, {@code sys_x(args)}, {@code sys_x -> ret}. */
    protected final void nameAndFields() {
        int s = p;
        int i = nameEnd(b, p, end);
        if (i < end && b[i] == ' ' && i + 2 < end && b[i + 1] == '<' && b[i + 2] == '-' && i > s) {
            functionCall(s); // the function tracer's "func <-parent"
            return;
        }
        if (i >= end && i > s && functionTracer) {
            functionCall(s); // options/print-parent=0: "func" alone
            return;
        }
        if (i >= end || i == s) throw fail(i >= end ? "truncated line: incomplete event name" : "missing event name at column " + col());
        EventName n = name(s, i);
        byte c = b[i];
        if (c == ':') {
            p = i + 1;
            fields(n);
            return;
        }
        if (n.enterName != null) {
            if (c == '(') {
                p = i + 1;
                ftraceSysEnter(n);
                return;
            }
            p = i;
            if (startsWith(ARROW_SP)) {
                p += ARROW_SP.length;
                ftraceSysExit(n);
                return;
            }
        }
        p = i;
        throw fail("expected ':' after event name at column " + col());
    }
}
