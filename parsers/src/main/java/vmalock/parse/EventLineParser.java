package vmalock.parse;

import vmalock.event.Event;
import vmalock.event.EventKind;
import vmalock.event.EventSink;

/**
 * The part of a trace line that all three text tools print the same way: the event's fields after
 * {@code name: } (each tool renders the kernel's print format), plus lost-event markers. One handler
 * per event type; dispatch is by the interned name token, never by String comparison per line.
 */
abstract class EventLineParser extends TextParser {
    private static final byte[] MM = ascii("mm=");
    private static final byte[] MEMCG_ID = ascii(" memcg_id=");
    private static final byte[] MEMCG_PATH = ascii(" memcg_path=");
    private static final byte[] WRITE = ascii(" write=");
    private static final byte[] SUCCESS = ascii(" success=");
    private static final byte[] TRUE = ascii("true");
    private static final byte[] FALSE = ascii("false");
    private static final byte[] ADDRESS = ascii("address=");
    private static final byte[] IP = ascii(" ip=");
    private static final byte[] ERROR_CODE = ascii(" error_code=");
    private static final byte[] FLAGS = ascii(" (flags=");
    private static final byte[] RET = ascii(" (ret=");
    private static final byte[] COLON_SP = ascii(": ");
    private static final byte[] COMMA_SP = ascii(", ");
    private static final byte[] ARROW = ascii(" <- ");
    private static final byte[] SP = ascii(" ");
    private static final byte[] RPAREN = ascii(")");
    private static final byte[] CPU_COLON = ascii("CPU:");
    private static final byte[] LOST_SP = ascii("LOST ");

    /** The current line's context from its flags column ({@link Event#IRQ_TASK} …), or {@link Event#UNKNOWN}. */
    protected int lineIrqContext = Event.UNKNOWN;

    /**
     * The context of the flags column's hardirq/softirq character (kernel/trace/trace_output.c,
     * trace_print_lat_fmt): {@code Z} NMI in hardirq, {@code z} NMI, {@code H} hardirq in softirq, {@code h}
     * hardirq, {@code s} softirq, {@code b} bottom halves disabled in task context, {@code .} task.
     */
    static int irqContextOf(byte c) {
        switch (c) {
            case '.':
            case 'b':
                return Event.IRQ_TASK;
            case 's':
                return Event.IRQ_SOFTIRQ;
            case 'h':
            case 'H':
                return Event.IRQ_HARDIRQ;
            case 'z':
            case 'Z':
                return Event.IRQ_NMI;
            default:
                return Event.UNKNOWN;
        }
    }
    private static final byte[] EVENTS_BR = ascii("EVENTS]");
    private static final byte[] EVENTS_DROPPED_BR = ascii("EVENTS DROPPED]");

    protected final InternCache<String> comms = new InternCache<>(4096, s -> s);
    protected final InternCache<EventName> names = new InternCache<>(1024, EventName::new);
    private final InternCache<String> argNames = new InternCache<>(512, s -> s);
    private final InternCache<String> memcgPaths = new InternCache<>(1024, s -> s);
    /**
     * Kernel symbols of page faults' {@code ip=} (e.g. {@code read_zero}): one instance per symbol, so the store's
     * identity cache finds a repeated one without a new string (and its hash) per line (issue 13).
     */
    private final InternCache<String> symbols = new InternCache<>(1024, s -> s);

    EventLineParser(EventSink sink, SourceResult result, boolean strict, int sourceIndex) {
        super(sink, result, strict, sourceIndex);
    }

    /** The interned event-name token {@code b[from, to)}. */
    protected final EventName name(int from, int to) {
        return names.get(b, from, to);
    }

    /**
     * Index of the {@code [} of the {@code [NNN]} cpu column: the first {@code [} preceded by a space
     * and followed by digits and {@code ]}; -1 if none.
     */
    protected final int cpuBracket() {
        int i = p + 1;
        while (true) {
            i = indexOfByte(b, i, end, (byte) '[');
            if (i < 0) return -1;
            if (b[i - 1] == ' ' && i + 2 < end) {
                int k = i + 1;
                while (k < end && b[k] >= '0' && b[k] <= '9') k++;
                if (k > i + 1 && k < end && b[k] == ']') return i;
            }
            i++;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // lost markers

    /**
     * Tries the lost-event markers that stand on a line of their own: ftrace's {@code CPU:N [LOST M EVENTS]}
     * and {@code CPU:N [LOST EVENTS]}, trace-cmd's {@code CPU:N [M EVENTS DROPPED]} and
     * {@code CPU:N [EVENTS DROPPED]}. Returns false (cursor unchanged) when the line is not one.
     */
    protected final boolean lostMarkerLine() {
        if (!startsWith(CPU_COLON)) return false;
        int save = p;
        p += CPU_COLON.length;
        long cpu = dec();
        if (p >= end || b[p] != ' ') {
            p = save;
            return false;
        }
        p++;
        if (p >= end || b[p] != '[') {
            p = save;
            return false;
        }
        p++;
        long count = -1;
        if (startsWith(LOST_SP)) { // ftrace
            p += LOST_SP.length;
            if (p < end && b[p] >= '0' && b[p] <= '9') {
                count = lostCount();
                expect(SP);
            }
            expect(EVENTS_BR);
        } else { // trace-cmd
            if (p < end && b[p] >= '0' && b[p] <= '9') {
                count = lostCount();
                expect(SP);
            }
            expect(EVENTS_DROPPED_BR);
        }
        atEnd();
        Event e = begin();
        e.kind = EventKind.LOST;
        e.name = "lost";
        e.cpu = (int) cpu;
        e.count = count;
        emit();
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // event fields

    /**
     * Parses the fields of {@code n} at the cursor (just after {@code name:}; padding is skipped) and
     * delivers the event. The caller has filled the common fields (ts, cpu, tid, tgid, comm).
     */
    protected final void fields(EventName n) {
        Event e = ev;
        e.kind = n.kind;
        e.name = n.name;
        e.syscall = n.syscall;
        skipSpaces();
        switch (n.kind) {
            case MMAP_LOCK_START_LOCKING:
            case MMAP_LOCK_RELEASED:
            case MMAP_LOCK_ACQUIRE_RETURNED:
                mmapLock(e);
                break;
            case PAGE_FAULT_USER:
            case PAGE_FAULT_KERNEL:
                pageFault(e);
                break;
            case CONTENTION_BEGIN:
                contentionBegin(e);
                break;
            case CONTENTION_END:
                contentionEnd(e);
                break;
            case SYS_ENTER:
                sysArgs(e, false);
                break;
            case SYS_EXIT:
                e.ret = number();
                atEnd();
                break;
            case SCHED_PROCESS_EXEC:
            case SCHED_PROCESS_EXIT:
            case SCHED_PROCESS_FORK:
                sched(e);
                break;
            case PROBE:
            case PROBE_RETURN:
                if (!probe(e, n)) throw fail("bad probe location: expected '(' at column " + col());
                break;
            default:
                if (p < end && b[p] == '(' && probe(e, n)) break;
                e.kind = EventKind.GENERIC;
                e.text = string(p, end);
                if (n.wakeup) e.irqContext = lineIrqContext;
                break;
        }
        emit();
    }

    /** ftrace's syscall entry {@code sys_mmap(addr: 0, len: 0x2000, …)}; the cursor is after {@code (}. */
    protected final void ftraceSysEnter(EventName n) {
        Event e = ev;
        e.kind = EventKind.SYS_ENTER;
        e.name = n.enterName;
        e.syscall = n.syscall;
        sysArgs(e, true);
        emit();
    }

    /** ftrace's syscall exit {@code sys_mmap -> 0x7f…}; the cursor is after {@code -> }. */
    protected final void ftraceSysExit(EventName n) {
        Event e = ev;
        e.kind = EventKind.SYS_EXIT;
        e.name = n.exitName;
        e.syscall = n.syscall;
        e.ret = number();
        atEnd();
        emit();
    }

    protected final void atEnd() {
        if (p != end) {
            int i = p;
            while (i < end && b[i] == ' ') i++;
            if (i != end) throw fail("unexpected text at column " + (p - lineStart + 1));
            p = end;
        }
    }

    private boolean bool() {
        if (startsWith(TRUE)) {
            p += TRUE.length;
            return true;
        }
        if (startsWith(FALSE)) {
            p += FALSE.length;
            return false;
        }
        throw fail(p >= end ? "truncated line: missing true/false" : "expected true/false at column " + col());
    }

    private void mmapLock(Event e) {
        expect(MM);
        e.mm = hex();
        if (startsWith(MEMCG_ID)) {
            p += MEMCG_ID.length;
            e.memcgId = dec();
        } else if (startsWith(MEMCG_PATH)) {
            p += MEMCG_PATH.length;
            int s = p;
            int w = indexOf(WRITE, p);
            if (w < 0) throw fail("truncated line: missing ' write='");
            e.memcgPath = memcgPaths.get(b, s, w);
            p = w;
        }
        expect(WRITE);
        e.write = bool();
        if (e.kind == EventKind.MMAP_LOCK_ACQUIRE_RETURNED) {
            expect(SUCCESS);
            e.success = bool();
        }
        atEnd();
    }

    protected final int indexOf(byte[] lit, int from) {
        int n = lit.length;
        byte first = lit[0];
        outer:
        for (int i = from; i + n <= end; i++) {
            if (b[i] != first) continue;
            for (int k = 1; k < n; k++) {
                if (b[i + k] != lit[k]) continue outer;
            }
            return i;
        }
        return -1;
    }

    private void pageFault(Event e) {
        expect(ADDRESS);
        e.address = addressOrSymbol(e);
        expect(IP);
        e.ip = addressOrSymbol(e);
        expect(ERROR_CODE);
        e.errorCode = hex();
        atEnd();
    }

    /** {@code %ps}: user addresses print as {@code 0x…}; a kernel symbol is kept in {@code text} (value 0). */
    private long addressOrSymbol(Event e) {
        if (p + 1 < end && b[p] == '0' && b[p + 1] == 'x') return hex();
        int s = p;
        while (p < end && b[p] != ' ') p++;
        if (p == s) throw fail(p >= end ? "truncated line: missing address" : "missing address at column " + col());
        String sym = symbols.get(b, s, p);
        e.text = e.text == null ? sym : e.text + " " + sym;
        return 0;
    }

    private void contentionBegin(Event e) {
        e.lockAddr = hex();
        expect(FLAGS);
        int flags = 0;
        while (p < end && b[p] != ')') {
            if (b[p] == '|') {
                p++;
                continue;
            }
            if (b[p] == '0' && p + 1 < end && b[p + 1] == 'x') {
                flags |= (int) hex();
                continue;
            }
            int s = p;
            while (p < end && b[p] != '|' && b[p] != ')') p++;
            flags |= contentionFlag(s, p);
        }
        expect(RPAREN);
        e.flags = flags;
        atEnd();
    }

    private int contentionFlag(int s, int t) {
        switch (string(s, t)) {
            case "SPIN": return 1;
            case "READ": return 2;
            case "WRITE": return 4;
            case "RT": return 8;
            case "PERCPU": return 16;
            case "MUTEX": return 32;
            default:
                throw fail(t >= end ? "truncated line: missing ')'" : "unknown contention flag '" + string(s, t) + "'");
        }
    }

    private void contentionEnd(Event e) {
        e.lockAddr = hex();
        expect(RET);
        e.ret = dec();
        expect(RPAREN);
        atEnd();
    }

    /** {@code name: value, name: value} up to the end (or to {@code )} for ftrace's form). */
    private void sysArgs(Event e, boolean paren) {
        int n = 0;
        if (paren && p < end && b[p] == ')') {
            p++;
            atEnd();
            return;
        }
        while (true) {
            int s = p;
            while (p < end && b[p] != ':' && b[p] != ' ') p++;
            if (p == s || p >= end) throw fail(p >= end ? "truncated line: incomplete syscall arguments" : "bad syscall argument at column " + col());
            if (n == Event.MAX_ARGS) throw fail("more than " + Event.MAX_ARGS + " syscall arguments");
            e.argNames[n] = argNames.get(b, s, p);
            expect(COLON_SP);
            e.args[n] = number();
            if (p + 1 < end && b[p] == ' ' && b[p + 1] == '"') userString(e, n);
            n++;
            e.nargs = n;
            if (paren) {
                if (p < end && b[p] == ')') {
                    p++;
                    break;
                }
            } else if (p >= end) {
                break;
            }
            expect(COMMA_SP);
        }
        atEnd();
    }

    /**
     * Newer kernels print the user string a pointer argument points to after its value:
     * {@code filename: 0x7ffd5a042af0 "/etc/passwd"}. Kept in {@code text} as {@code name="…"}.
     */
    private void userString(Event e, int arg) {
        int s = p + 1;
        int i = s + 1;
        while (i < end && !(b[i] == '"' && (i + 1 == end || b[i + 1] == ',' || b[i + 1] == ')'))) i++;
        if (i >= end) throw fail("truncated line: unterminated string argument");
        String v = e.argNames[arg] + "=" + string(s, i + 1);
        e.text = e.text == null ? v : e.text + " " + v;
        p = i + 1;
    }

    private void sched(Event e) {
        String body = string(p, end);
        switch (e.kind) {
            case SCHED_PROCESS_EXEC:
                // filename=%s pid=%d old_pid=%d
                e.text = between(body, "filename=", " pid=");
                e.otherPid = intField(body, " old_pid=");
                break;
            case SCHED_PROCESS_EXIT:
                // comm=%s pid=%d prio=%d[ group_dead=%s]
                e.text = between(body, "comm=", " pid=");
                e.otherPid = intField(body, " pid=");
                break;
            default:
                // comm=%s pid=%d child_comm=%s child_pid=%d
                e.text = between(body, " child_comm=", " child_pid=");
                e.otherPid = intField(body, " child_pid=");
                break;
        }
        p = end;
    }

    private static String between(String body, String from, String to) {
        int s = from.charAt(0) == ' ' ? body.indexOf(from) : (body.startsWith(from) ? 0 : -1);
        if (s < 0) throw new LineProblem("truncated line: missing '" + from.trim() + "'");
        s += from.length();
        int t = body.lastIndexOf(to);
        if (t < s) throw new LineProblem("truncated line: missing '" + to.trim() + "'");
        return body.substring(s, t);
    }

    private static int intField(String body, String key) {
        int s = body.lastIndexOf(key);
        if (s < 0) throw new LineProblem("truncated line: missing '" + key.trim() + "'");
        s += key.length();
        int t = s;
        if (t < body.length() && body.charAt(t) == '-') t++;
        while (t < body.length() && Character.isDigit(body.charAt(t))) t++;
        if (t == s) throw new LineProblem("bad number after '" + key.trim() + "'");
        try {
            return Integer.parseInt(body.substring(s, t));
        } catch (NumberFormatException x) {
            throw new LineProblem("bad number after '" + key.trim() + "'");
        }
    }

    /**
     * A kprobe / perf-probe event: {@code (location) name=value …}. Locations: {@code sym+0xoff/0xsize}
     * (tracefs entry: {@code __probe_ip} symbolised), {@code ret_site+0x…/0x… <- func} (tracefs return),
     * {@code ffffffff81234560} (perf entry, {@code __probe_ip}), {@code ffffffff81234560 <- ffffffff8108a1f3}
     * (perf return: the print format is {@code "(%lx <- %lx)", __probe_func, __probe_ret_ip} — the
     * reverse order of tracefs'). Fills {@code text} with the function the location names (for probes
     * on inlined code: the containing function; in the hex forms the probe name without
     * {@code __return}), {@code ip} with the probe or return address when printed in hex, the named
     * arguments, and for returns {@code ret} = {@code arg1} ({@code $retval}). Returns false (cursor
     * unchanged) when the text after the name is not a probe location.
     */
    private boolean probe(Event e, EventName n) {
        int save = p;
        if (p >= end || b[p] != '(') return false;
        int close = -1;
        for (int i = p + 1; i < end; i++) {
            if (b[i] == ')') {
                close = i;
                break;
            }
        }
        if (close < 0) {
            if (n.kind == EventKind.PROBE || n.kind == EventKind.PROBE_RETURN) throw fail("truncated line: missing ')'");
            return false;
        }
        int arrow = -1;
        for (int i = p + 1; i + ARROW.length <= close; i++) {
            if (b[i] == ' ' && b[i + 1] == '<' && b[i + 2] == '-' && b[i + 3] == ' ') {
                arrow = i;
                break;
            }
        }
        int locEnd = arrow < 0 ? close : arrow;
        if (!isLocation(p + 1, locEnd) || (arrow >= 0 && !isLocation(arrow + ARROW.length, close))) {
            p = save;
            if (n.kind == EventKind.PROBE || n.kind == EventKind.PROBE_RETURN) throw fail("bad probe location at column " + col());
            return false;
        }
        boolean ret = arrow >= 0 || n.name.endsWith("__return");
        e.kind = ret ? EventKind.PROBE_RETURN : EventKind.PROBE;
        String base = n.name.endsWith("__return") ? n.name.substring(0, n.name.length() - 8) : n.name;
        if (arrow >= 0) {
            int rs = arrow + ARROW.length;
            if (isHex(p + 1, locEnd) && isHex(rs, close)) {
                // perf / libtraceevent print fmt "(%lx <- %lx)", __probe_func, __probe_ret_ip
                e.ip = locationAddress(rs, close);
                e.text = base;
            } else {
                // tracefs: "(ret_ip_sym+off/size <- func_sym)"
                e.ip = locationAddress(p + 1, locEnd);
                e.text = locationFunction(rs, close, base);
            }
        } else {
            e.ip = locationAddress(p + 1, locEnd);
            e.text = locationFunction(p + 1, locEnd, base);
        }
        p = close + 1;
        int k = 0;
        String str = null;
        while (p < end) {
            if (b[p] != ' ') throw fail("unexpected text at column " + col());
            p++;
            if (p >= end) break;
            int s = p;
            while (p < end && b[p] != '=' && b[p] != ' ') p++;
            if (p >= end || b[p] != '=' || p == s) throw fail(p >= end ? "truncated line: incomplete probe argument" : "bad probe argument at column " + col());
            if (k == Event.MAX_ARGS) throw fail("more than " + Event.MAX_ARGS + " probe arguments");
            String an = argNames.get(b, s, p);
            p++;
            if (p < end && b[p] == '"') {
                // a string fetch (uprobe/kprobe ':string' / ':ustring'): "…" up to the quote that ends the line
                // or precedes the next ' name='
                int q = closingQuote(p + 1);
                str = string(p + 1, q);
                p = q + 1;
                continue;
            }
            e.argNames[k] = an;
            e.args[k] = number();
            k++;
            e.nargs = k;
        }
        if (ret && k > 0) e.ret = e.arg("arg1", e.arg("$retval", e.args[0]));
        if (str != null && !ret && base.contains("open")) {
            // a probe on an open function with the path it opens: the canonical open-with-path event
            e.kind = EventKind.OPEN_PATH;
            e.text = str;
        } else if (str != null) {
            e.text = e.text + " " + str;
        }
        return true;
    }

    /** The quote ending a string that starts at {@code from}: followed by the line's end or {@code " name="}. */
    private int closingQuote(int from) {
        int last = -1;
        for (int i = from; i < end; i++) {
            if (b[i] != '"') continue;
            if (i + 1 == end) return i;
            if (b[i + 1] == ' ') {
                int j = i + 2;
                while (j < end && b[j] != '=' && b[j] != ' ' && b[j] != '"') j++;
                if (j < end && b[j] == '=' && j > i + 2) return i;
            }
            last = i;
        }
        if (last < 0) throw fail("truncated line: unterminated string argument");
        return last;
    }

    /** {@code sym+0xoff/0xsize}, {@code sym}, or a bare hex address. */
    private boolean isLocation(int s, int t) {
        if (s >= t) return false;
        if (t - s > 2 && b[s] == '0' && b[s + 1] == 'x') s += 2; // uprobes: (0x7f…)
        boolean allHex = true;
        for (int i = s; i < t; i++) {
            byte c = b[i];
            if (c == ' ' || c == '(' || c == ')' || c == '=') return false;
            if (hexDigit(c) < 0) allHex = false;
        }
        if (allHex) return true;
        byte c0 = b[s];
        return (c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || c0 == '_';
    }

    private boolean isHex(int s, int t) {
        if (t - s > 2 && b[s] == '0' && b[s + 1] == 'x') s += 2;
        if (s >= t) return false;
        for (int i = s; i < t; i++) {
            if (hexDigit(b[i]) < 0) return false;
        }
        return true;
    }

    private long locationAddress(int s, int t) {
        if (t - s > 2 && b[s] == '0' && b[s + 1] == 'x') s += 2;
        long v = 0;
        for (int i = s; i < t; i++) {
            int d = hexDigit(b[i]);
            if (d < 0) return 0; // symbolised: no address
            v = (v << 4) | d;
        }
        return v;
    }

    private String locationFunction(int s, int t, String fallback) {
        if (t - s > 2 && b[s] == '0' && b[s + 1] == 'x') s += 2;
        boolean allHex = true;
        int plus = t;
        for (int i = s; i < t; i++) {
            if (hexDigit(b[i]) < 0) allHex = false;
            if (b[i] == '+' && plus == t) plus = i;
        }
        if (allHex) return fallback;
        return comms.get(b, s, plus);
    }
}
