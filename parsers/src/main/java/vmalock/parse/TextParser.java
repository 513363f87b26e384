package vmalock.parse;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import vmalock.event.Event;
import vmalock.event.EventKind;
import vmalock.event.EventSink;
import vmalock.event.EventSink.NonEventKind;

/**
 * The line engine every format shares: reads a stream in large byte chunks, splits it into physical
 * lines without building Strings (SWAR newline search), hands each line to {@link #parseLine}, and
 * keeps the accounting of {@link SourceResult}: every line ends up as exactly one event, lost
 * marker, non-event line or problem.
 *
 * <p>It works line by line as bytes arrive, so it can follow a {@code trace_pipe} that never ends.
 * Lines longer than {@link #MAX_LINE} are reported as problems and skipped without being buffered,
 * CRLF line ends are accepted, and a final line without a newline is parsed like any other.
 */
abstract class TextParser {
    static final int CHUNK = 1 << 22;
    /** Longer lines are problems: no tracer prints more than a few KiB per event (trace_seq is one page). */
    static final int MAX_LINE = 1 << 16;

    static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    protected final EventSink sink;
    protected final SourceResult result;
    protected final boolean strict;
    protected final int sourceIndex;
    protected final Event ev = new Event();
    /** 1-based number of the line being parsed. */
    protected long lineNo;

    /** Cursor over the current line: bytes {@code b[p, end)}. */
    protected byte[] b;
    protected int p;
    protected int end;

    /** Timestamp style seen first in this source: 0 none yet, 1 secs.fraction, 2 bare integer. */
    private int tsStyle;

    TextParser(EventSink sink, SourceResult result, boolean strict, int sourceIndex) {
        this.sink = sink;
        this.result = result;
        this.strict = strict;
        this.sourceIndex = sourceIndex;
    }

    /**
     * Parses the current line {@code b[lineStart, end)} (no line terminator; the cursor {@code p} is at
     * its start). Throw {@link LineProblem} for a bad line.
     */
    protected abstract void parseLine();

    /** Called once at the end of the input. */
    protected void finish() {
    }

    // ---------------------------------------------------------------------------------------------
    // the line loop

    /** Reads {@code in} to its end, line by line. Problems in strict mode escape as {@link StrictStop}. */
    void run(InputStream in) throws IOException {
        byte[] buf = new byte[CHUNK];
        int start = 0;
        int lim = 0;
        long skipping = -1; // >= 0 while skipping an overlong line: bytes skipped so far
        while (true) {
            if (start > 0 && (start == lim || buf.length - lim < MAX_LINE + 2)) {
                System.arraycopy(buf, start, buf, 0, lim - start);
                lim -= start;
                start = 0;
            }
            int n = in.read(buf, lim, buf.length - lim);
            if (n < 0) break;
            if (n == 0) continue;
            result.bytes += n;
            int scan = lim;
            lim += n;
            if (skipping >= 0) {
                int nl = indexOfNewline(buf, scan, lim);
                if (nl < 0) {
                    skipping += lim - start;
                    start = lim;
                    continue;
                }
                skipping += nl - start;
                lineTooLong(skipping);
                skipping = -1;
                start = nl + 1;
                scan = start;
            }
            start = lines(buf, start, scan, lim);
            if (lim - start > MAX_LINE) {
                skipping = lim - start;
                start = lim;
            }
        }
        if (skipping >= 0) {
            lineTooLong(skipping);
        } else if (lim > start) {
            line(buf, start, lim); // last line without a newline
        }
        finish();
    }

    // ---------------------------------------------------------------------------------------------
    // one chunk of a file parsed on its own (ChunkedParse): line numbers count from the chunk's start

    /**
     * Parses the whole lines {@code buf[from, to)} (each ends with a newline, but for the file's last line)
     * exactly as {@link #run} parses them inside a stream.
     */
    void runChunk(byte[] buf, int from, int to) throws IOException {
        int start = lines(buf, from, from, to);
        if (start < to) {
            line(buf, start, to); // the file's last line, without a newline
        }
    }

    /** One line longer than any buffer (its bytes were skipped by the reader), as {@link #run} reports it. */
    void longLineChunk(long bytes) {
        lineTooLong(bytes);
    }

    /** Numbers lines from {@code base + 1} (a parse that starts in the middle of a file). */
    void startAtLine(long base) {
        lineNo = base;
        lineBase = base;
    }

    /** Lines before the first one this parser reads ({@link #startAtLine}). */
    protected long lineBase;

    /**
     * What one line's parse may leave for the next lines to depend on (besides the line number): the
     * timestamp style and clock, plus the subclass's own ({@link #carried()}). Caches (interned names, the
     * previous line's prefix) are not part of it: they never change a result.
     */
    record CarriedState(int tsStyle, String clock, long headerEntriesInBuffer, long headerEntriesWritten, int cpus,
            Object extra) {
        @Override
        public boolean equals(Object o) {
            return o instanceof CarriedState c && c.tsStyle == tsStyle && java.util.Objects.equals(c.clock, clock)
                    && c.headerEntriesInBuffer == headerEntriesInBuffer && c.headerEntriesWritten == headerEntriesWritten
                    && c.cpus == cpus && java.util.Objects.deepEquals(c.extra, extra);
        }

        @Override
        public int hashCode() {
            return tsStyle * 31 + java.util.Objects.hashCode(clock);
        }

        @Override
        public String toString() {
            return "tsStyle=" + tsStyle + " clock=" + clock + " entries=" + headerEntriesInBuffer + "/" + headerEntriesWritten
                    + " cpus=" + cpus + " extra=" + (extra instanceof int[] a ? java.util.Arrays.toString(a) : extra);
        }
    }

    /**
     * The state the next line would start from: the timestamp style, and what the source's header lines
     * set (clock, {@code entries-in-buffer/entries-written}, cpus), which later lines read or add to.
     */
    final CarriedState carriedState() {
        return new CarriedState(tsStyle, result.clock, result.headerEntriesInBuffer, result.headerEntriesWritten,
                result.cpus, carried());
    }

    /** Starts from {@code s} (a fresh parser starts from its own {@link #carriedState()}). */
    final void startFrom(CarriedState s) {
        tsStyle = s.tsStyle;
        result.clock = s.clock;
        result.headerEntriesInBuffer = s.headerEntriesInBuffer;
        result.headerEntriesWritten = s.headerEntriesWritten;
        result.cpus = s.cpus;
        carry(s.extra);
    }

    /** The subclass's part of {@link #carriedState()}: an immutable value (or an array, compared by content). */
    protected Object carried() {
        return null;
    }

    /** Restores what {@link #carried()} returned. */
    protected void carry(Object extra) {
    }

    /**
     * Whether the chunk parsed last ended between two records. Only CSV can end inside one (a quoted
     * field holding a newline); a line-based parser always can be cut at a line end.
     */
    boolean endsBetweenRecords() {
        return true;
    }

    /** Processes every complete line in {@code buf[start, lim)}; returns the start of the incomplete rest. */
    private int lines(byte[] buf, int start, int scan, int lim) {
        while (true) {
            int nl = indexOfNewline(buf, scan, lim);
            if (nl < 0) return start;
            line(buf, start, nl);
            start = nl + 1;
            scan = start;
        }
    }

    private void line(byte[] buf, int start, int nl) {
        if (nl - start > MAX_LINE) {
            lineTooLong(nl - start);
            return;
        }
        lineNo++;
        result.linesTotal++;
        int e = nl;
        if (e > start && buf[e - 1] == '\r') e--;
        b = buf;
        p = start;
        lineStart = start;
        end = e;
        try {
            parseLine();
        } catch (LineProblem lp) {
            dirty = true;
            problem(lp.getMessage());
        } catch (RuntimeException ex) {
            if (ex instanceof StrictStop || ex instanceof SinkFailure) throw ex;
            dirty = true;
            // a parser bug must not lose the rest of the file: report the line, keep going
            problem("internal parser error: " + ex);
        }
    }

    private void lineTooLong(long bytes) {
        lineNo++;
        result.linesTotal++;
        problem("line too long (" + bytes + " bytes, limit " + MAX_LINE + ")");
    }

    static int indexOfNewline(byte[] b, int from, int to) {
        return indexOfByte(b, from, to, (byte) '\n');
    }

    // ---------------------------------------------------------------------------------------------
    // accounting

    protected final void nonEvent(NonEventKind kind) {
        result.nonEvent[kind.ordinal()]++;
        try {
            sink.nonEventLine(kind, lineNo);
        } catch (RuntimeException x) {
            throw new SinkFailure(x);
        }
    }

    /**
     * Starts a new event for the current line. Instead of {@link Event#clear()} on every line, only the
     * fields the previous event's kind can have set are reset (a line that failed half-way gets a full
     * clear): the flyweight reaching the sink always looks freshly cleared.
     */
    protected final Event begin() {
        Event e = ev;
        if (dirty || alwaysClear) {
            e.clear();
            dirty = false;
        } else if (e.kind != null) {
            resetKindFields(e);
        }
        e.kind = null;
        e.tgid = Event.UNKNOWN;
        e.comm = null;
        e.cpu = Event.UNKNOWN;
        e.source = sourceIndex;
        e.line = lineNo;
        return e;
    }

    /** Set by the line loop when a line failed: the next {@link #begin()} clears everything. */
    private boolean dirty = true;
    /** Test hook: a full {@link Event#clear()} on every line (the reference the cheap reset is checked against). */
    boolean alwaysClear;

    private static void resetKindFields(Event e) {
        switch (e.kind) {
            case MMAP_LOCK_START_LOCKING:
            case MMAP_LOCK_ACQUIRE_RETURNED:
            case MMAP_LOCK_RELEASED:
                e.mm = 0;
                e.write = false;
                e.success = false;
                e.memcgId = Event.UNKNOWN;
                e.memcgPath = null;
                break;
            case PAGE_FAULT_USER:
            case PAGE_FAULT_KERNEL:
                e.address = 0;
                e.ip = 0;
                e.errorCode = 0;
                e.text = null;
                break;
            case CONTENTION_BEGIN:
            case CONTENTION_END:
                e.lockAddr = 0;
                e.flags = 0;
                e.ret = 0;
                break;
            case SYS_ENTER:
            case SYS_EXIT:
                for (int i = 0; i < e.nargs; i++) {
                    e.argNames[i] = null;
                    e.args[i] = 0;
                }
                e.nargs = 0;
                e.syscall = vmalock.event.Syscall.OTHER;
                e.ret = 0;
                e.text = null; // user strings
                break;
            default:
                e.clear();
                return;
        }
        e.ts = 0;
        e.tid = 0;
        e.name = null;
    }

    /** a + b for non-negative counts, stuck at Long.MAX_VALUE instead of wrapping. */
    static long saturatedAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    /** Delivers the current event. */
    protected final void emit() {
        Event e = ev;
        if (e.kind == EventKind.LOST) {
            result.lostMarkers++;
            if (e.count < 0) {
                result.lostMarkersWithoutCount++;
            } else {
                result.lostEvents = saturatedAdd(result.lostEvents, e.count);
            }
            result.lostEventsByCpu.merge(e.cpu, Math.max(0, e.count), TextParser::saturatedAdd);
        } else {
            result.events++;
            if (result.firstTs == Long.MIN_VALUE) result.firstTs = e.ts;
            result.lastTs = e.ts;
        }
        try {
            sink.event(e);
        } catch (RuntimeException x) {
            throw new SinkFailure(x);
        }
    }

    protected final void problem(String reason) {
        result.addProblem(lineNo, reason);
        try {
            sink.problem(lineNo, reason);
        } catch (RuntimeException x) {
            throw new SinkFailure(x);
        }
        if (strict) throw new StrictStop(lineNo, reason);
    }

    /** A sink's own failure (e.g. the store cannot write): never reported as a bad line; rethrown as is by the caller. */
    static final class SinkFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SinkFailure(RuntimeException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** Strict mode's stop at the first problem; turned into a {@link TraceInputException} by the caller. */
    static final class StrictStop extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final long line;

        StrictStop(long line, String reason) {
            super(reason, null, false, false);
            this.line = line;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // cursor primitives over b[p, end)

    protected static LineProblem fail(String reason) {
        return new LineProblem(reason);
    }

    protected final void skipSpaces() {
        p = skipSpaces(b, p, end);
    }

    /** First index in {@code b[i, to)} that is not a space (or {@code to}), 8 bytes at a time. */
    static int skipSpaces(byte[] b, int i, int to) {
        while (i + 8 <= to) {
            long w = (long) LONGS.get(b, i) ^ 0x2020202020202020L;
            if (w != 0) return i + (Long.numberOfTrailingZeros(w) >>> 3);
            i += 8;
        }
        while (i < to && b[i] == ' ') i++;
        return i;
    }

    // ---------------------------------------------------------------------------------------------
    // SWAR number parsing: 8 ASCII digits per 64-bit word (the first character is the word's low byte)

    /** How many of the 8 bytes of {@code w}, from the first, are ASCII digits (8 = all). */
    static int digitCount(long w) {
        long d = w - 0x3030303030303030L; // a borrow can only spoil bytes after the first non-digit
        long nonDigit = (d | (d + 0x7676767676767676L)) & 0x8080808080808080L;
        return Long.numberOfTrailingZeros(nonDigit) >>> 3;
    }

    /** The value of the first {@code k} (1..8) bytes of {@code w}, all ASCII digits. */
    static long digitsValue(long w, int k) {
        long v = (w - 0x3030303030303030L) << ((8 - k) << 3); // leading zeros in front of the k digits
        v = (v * 10 + (v >>> 8)) & 0x00FF00FF00FF00FFL;      // pairs of digits
        v = (v * 100 + (v >>> 16)) & 0x0000FFFF0000FFFFL;    // groups of four
        return (v * 10000 + (v >>> 32)) & 0xFFFFFFFFL;
    }

    static final long[] POW10 = new long[19];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) POW10[i] = POW10[i - 1] * 10;
    }

    /** End of the digit run parsed by the last {@link #digitRun}. */
    private int runEnd;

    /**
     * The run of ASCII digits at {@code b[i, end)}: its value (exact up to 18 digits; the caller rejects
     * longer runs, see {@link #runEnd}). Up to 16 digits take two word loads and no per-digit loop.
     */
    private long digitRun(int i) {
        byte[] b = this.b;
        if (i + 16 <= b.length) {
            long w = (long) LONGS.get(b, i);
            int k = Math.min(digitCount(w), end - i);
            if (k < 8) {
                runEnd = i + k;
                return k == 0 ? 0 : digitsValue(w, k);
            }
            int j = i + 8;
            long w2 = (long) LONGS.get(b, j);
            int k2 = Math.min(digitCount(w2), end - j);
            if (k2 < 8) {
                runEnd = j + k2;
                long hi = digitsValue(w, 8);
                return k2 == 0 ? hi : hi * POW10[k2] + digitsValue(w2, k2);
            }
        }
        long v = 0;
        int j = i;
        while (j < end) {
            int d = b[j] - '0';
            if (d < 0 || d > 9) break;
            v = v * 10 + d;
            j++;
        }
        runEnd = j;
        return v;
    }

    protected final boolean startsWith(byte[] lit) {
        int n = lit.length;
        if (end - p < n) return false;
        int i = 0;
        for (; i + 8 <= n; i += 8) { // 8 bytes at a time (end <= b.length, so p + i + 8 is in bounds)
            if ((long) LONGS.get(b, p + i) != (long) LONGS.get(lit, i)) return false;
        }
        for (; i < n; i++) {
            if (b[p + i] != lit[i]) return false;
        }
        return true;
    }

    /** First index of byte {@code c} in {@code b[from, to)}, 8 bytes at a time; -1 if none. */
    static int indexOfByte(byte[] b, int from, int to, byte c) {
        long pattern = (c & 0xffL) * 0x0101010101010101L;
        int i = from;
        while (i + 16 <= to) { // two words per step: one branch per 16 bytes
            long w = (long) LONGS.get(b, i) ^ pattern;
            long x = (long) LONGS.get(b, i + 8) ^ pattern;
            long t = (w - 0x0101010101010101L) & ~w & 0x8080808080808080L;
            long u = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
            if ((t | u) != 0) {
                return t != 0 ? i + (Long.numberOfTrailingZeros(t) >>> 3) : i + 8 + (Long.numberOfTrailingZeros(u) >>> 3);
            }
            i += 16;
        }
        while (i + 8 <= to) {
            long w = (long) LONGS.get(b, i) ^ pattern;
            long t = (w - 0x0101010101010101L) & ~w & 0x8080808080808080L;
            if (t != 0) return i + (Long.numberOfTrailingZeros(t) >>> 3);
            i += 8;
        }
        for (; i < to; i++) {
            if (b[i] == c) return i;
        }
        return -1;
    }

    /**
     * First index in {@code b[i, to)} of a byte that ends an event-name token — {@code ':'}, {@code '('}
     * or {@code ' '} — or {@code to}; 8 bytes at a time.
     */
    static int nameEnd(byte[] b, int i, int to) {
        while (i + 8 <= to) {
            long w = (long) LONGS.get(b, i);
            long c = w ^ 0x3A3A3A3A3A3A3A3AL; // ':'
            long o = w ^ 0x2828282828282828L; // '('
            long s = w ^ 0x2020202020202020L; // ' '
            long t = ((c - ONES) & ~c | (o - ONES) & ~o | (s - ONES) & ~s) & HIGH;
            if (t != 0) return i + (Long.numberOfTrailingZeros(t) >>> 3);
            i += 8;
        }
        while (i < to) {
            byte c = b[i];
            if (c == ':' || c == '(' || c == ' ') return i;
            i++;
        }
        return to;
    }

    /** Requires the literal at the cursor and steps over it. */
    protected final void expect(byte[] lit) {
        if (!startsWith(lit)) {
            throw fail(isPrefixOf(lit) ? "truncated line: expected '" + str(lit).trim() + "'"
                    : "expected '" + str(lit).trim() + "' at column " + col());
        }
        p += lit.length;
    }

    /** Whether the rest of the line is a (possibly empty) proper prefix of {@code lit}: the line was cut. */
    private boolean isPrefixOf(byte[] lit) {
        int n = end - p;
        if (n >= lit.length) return false;
        for (int i = 0; i < n; i++) {
            if (b[p + i] != lit[i]) return false;
        }
        return true;
    }

    /** "an ftrace", "a perf", … for messages. */
    protected static String article(String formatName) {
        return (formatName.startsWith("f") ? "an " : "a ") + formatName;
    }

    protected final int col() {
        return p - lineStart + 1;
    }

    protected int lineStart;

    /** A hex number with or without {@code 0x}: 1–16 digits. Stops at the first non-hex byte. */
    protected final long hex() {
        int i = p;
        if (i + 1 < end && b[i] == '0' && (b[i + 1] == 'x' || b[i + 1] == 'X')) i += 2;
        int s = i;
        if (s + 16 <= b.length) {
            int k = hexCount((long) LONGS.get(b, s));
            if (k == 8) k += hexCount((long) LONGS.get(b, s + 8));
            i = Math.min(s + k, end);
        }
        while (i < end && HEX[b[i] & 0xff] >= 0) i++; // more than 16 digits, or near the buffer's end
        int k = i - s;
        if (k == 0) throw fail(i >= end ? "truncated line: missing number" : "bad hex number at column " + (i - lineStart + 1));
        if (k > 16) throw fail("hex number too long at column " + (s - lineStart + 1));
        p = i;
        if (s + 16 <= b.length) {
            long w = (long) LONGS.get(b, s);
            if (k <= 8) return hexValue(w, k);
            return hexValue(w, 8) << ((k - 8) << 2) | hexValue((long) LONGS.get(b, s + 8), k - 8);
        }
        long v = 0;
        for (int j = s; j < i; j++) v = (v << 4) | hexDigit(b[j]);
        return v;
    }

    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;
    private static final long HIGH = 0x8080808080808080L;
    private static final long ONES = 0x0101010101010101L;

    /** Bit 7 of each byte of {@code w} set iff the byte is in {@code [lo, hi]} (lo, hi < 128; exact, no carries between bytes). */
    static long inRange(long w, int lo, int hi) {
        long t = w & LOW7;
        long ge = t + ONES * (0x80 - lo); // bit 7 set iff low 7 bits >= lo
        long gt = t + ONES * (0x7F - hi); // bit 7 set iff low 7 bits > hi
        return ge & ~gt & ~w & HIGH;
    }

    /** How many of the 8 bytes of {@code w}, from the first, are hex digits ({@code 0-9a-fA-F}; 8 = all). */
    static int hexCount(long w) {
        long hex = inRange(w, '0', '9') | inRange(w | 0x2020202020202020L, 'a', 'f');
        return Long.numberOfTrailingZeros(~hex & HIGH) >>> 3;
    }

    /** The value of the first {@code k} (1..8) bytes of {@code w}, all hex digits (either case). */
    static long hexValue(long w, int k) {
        w <<= (8 - k) << 3; // leading zero bytes, which count as 0 digits
        long nib = (w & 0x0F0F0F0F0F0F0F0FL) + ((w >>> 6) & 0x0101010101010101L) * 9; // 'a'/'A' (bit 6) + 9
        long v = ((nib << 4) | (nib >>> 8)) & 0x00FF00FF00FF00FFL;
        v = ((v << 8) | (v >>> 16)) & 0x0000FFFF0000FFFFL;
        return ((v << 16) | (v >>> 32)) & 0xFFFFFFFFL;
    }

    /** A decimal number, optionally negative. */
    protected final long dec() {
        int i = p;
        boolean neg = false;
        if (i < end && b[i] == '-') {
            neg = true;
            i++;
        }
        int s = i;
        long v = digitRun(s);
        i = runEnd;
        if (i - s > 18) { // may not fit: the exact, checked way
            v = 0;
            for (i = s; i < end; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) break;
                if (v > (Long.MAX_VALUE - d) / 10) throw fail("number too large at column " + (s - lineStart + 1));
                v = v * 10 + d;
            }
        }
        if (i == s) throw fail(i >= end ? "truncated line: missing number" : "bad number at column " + (i - lineStart + 1));
        p = i;
        return neg ? -v : v;
    }

    /** Largest lost-event count one marker may carry: more than any ring buffer holds (2^40). */
    public static final long MAX_LOST_COUNT = 1L << 40;

    /** A pid/tid/tgid: a decimal that fits a non-negative int, else a problem (never wrapped). */
    protected final int pidNumber() {
        int at = p;
        long v = dec();
        if (v < 0 || v > Integer.MAX_VALUE) throw fail("pid out of range (" + v + ") at column " + (at - lineStart + 1));
        return (int) v;
    }

    /** A lost-event marker's count: non-negative and at most {@link #MAX_LOST_COUNT}, else a problem. */
    protected final long lostCount() {
        int at = p;
        long v = dec();
        if (v < 0 || v > MAX_LOST_COUNT) throw fail("implausible lost-event count (" + v + ") at column " + (at - lineStart + 1));
        return v;
    }

    /** {@code 0x…} hex or (possibly negative) decimal, as syscall arguments are printed. */
    protected final long number() {
        if (p + 1 < end && b[p] == '0' && (b[p + 1] == 'x' || b[p + 1] == 'X')) return hex();
        return dec();
    }

    private static final byte[] HEX = new byte[256];

    static {
        java.util.Arrays.fill(HEX, (byte) -1);
        for (int c = '0'; c <= '9'; c++) HEX[c] = (byte) (c - '0');
        for (int c = 'a'; c <= 'f'; c++) HEX[c] = (byte) (c - 'a' + 10);
        for (int c = 'A'; c <= 'F'; c++) HEX[c] = (byte) (c - 'A' + 10);
    }

    protected static int hexDigit(byte c) {
        return HEX[c & 0xff];
    }

    /**
     * A timestamp token at the cursor ending with {@code ':'}: {@code secs.fraction} (1–9 fraction
     * digits, exact ns) or a bare integer (counter clock: ticks). The cursor ends after the colon.
     */
    protected final long timestamp() {
        int s = p;
        long secs = digitRun(s);
        int i = runEnd;
        int intDigits = i - s;
        if (intDigits == 0 || intDigits > 18) throw badTimestamp(i);
        long ts;
        int style;
        if (i < end && b[i] == '.') {
            i++;
            int fs = i;
            long frac = digitRun(fs);
            i = runEnd;
            int fd = i - fs;
            if (fd == 0 || fd > 9 || intDigits > 9) throw badTimestamp(i);
            ts = secs * 1_000_000_000L + frac * POW10[9 - fd];
            style = 1;
        } else {
            ts = secs;
            style = 2;
        }
        if (i >= end || b[i] != ':') throw badTimestamp(i);
        if (tsStyle != style) {
            if (tsStyle != 0) {
                throw fail("unknown timestamp: " + (style == 2 ? "bare integer" : "secs.fraction")
                        + " after " + (tsStyle == 2 ? "bare integers" : "secs.fraction timestamps") + " earlier in the file");
            }
            tsStyle = style;
            // a secs.fraction timestamp is any of tracefs' ns clocks (local, global, mono, boot, …): the text does not say which
            result.clock = style == 2 ? "counter" : SourceResult.UNKNOWN_CLOCK;
        }
        p = i + 1;
        return ts;
    }

    private LineProblem badTimestamp(int i) {
        if (i >= end) return fail("truncated line: incomplete timestamp");
        return fail("unknown timestamp at column " + (p - lineStart + 1));
    }

    protected static String str(byte[] lit) {
        return new String(lit, StandardCharsets.US_ASCII);
    }

    protected final String string(int from, int to) {
        return new String(b, from, to - from, StandardCharsets.UTF_8);
    }

    protected static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    protected static boolean isBlank(byte[] b, int s, int e) {
        for (int i = s; i < e; i++) {
            if (b[i] != ' ' && b[i] != '\t') return false;
        }
        return true;
    }
}
