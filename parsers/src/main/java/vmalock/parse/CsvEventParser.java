package vmalock.parse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import vmalock.event.Event;
import vmalock.event.EventKind;
import vmalock.event.EventSink;
import vmalock.event.EventSink.NonEventKind;
import vmalock.event.Syscall;

/**
 * Reads what {@link CsvEventWriter} writes with one Apache Commons CSV parser streaming over the whole
 * input: the {@code # vmalock-events clock=…} comment and the header row are header lines, every other
 * record one event. Columns are found by their header names, so reordered columns are fine; a missing
 * column is a problem on the header line. {@code source} and {@code line} are kept from the file (the
 * event's provenance in the original trace), which makes export → ingest an identity.
 *
 * <p>Physical lines stay exact: the CSV parser reads through a {@link Feeder} that hands it one physical
 * line, then that line's newline, per read, so after each record the newlines handed out say on which
 * lines it started and ended. A quoted field may hold a newline (the writer quotes one if an event's
 * text has it): such a record is one event on its first line, and its further lines are counted as
 * non-event lines ({@code other}). A record that Commons CSV rejects (an unterminated quote, text after
 * a closing quote) is a problem on its first line; the parser then starts afresh on the next line.
 *
 * <p>Speed: a plain event row (what {@link CsvEventWriter} writes for almost every event: no quote, no carriage
 * return, ASCII, well-formed values) is read straight from its bytes between Commons CSV's records ({@link Quick}),
 * with the same result; Commons CSV reads every other line.
 */
final class CsvEventParser extends TextParser {
    private int[] col; // column index per CsvEventWriter.COLUMNS entry, or null before the header
    private Feeder feeder;

    CsvEventParser(EventSink sink, SourceResult result, boolean strict, int sourceIndex) {
        super(sink, result, strict, sourceIndex);
        result.format = TraceFormat.CSV;
    }

    @Override
    protected void parseLine() {
        throw new IllegalStateException("the CSV parser reads records, not lines");
    }

    @Override
    void run(InputStream in) throws IOException {
        run(new Feeder(in));
    }

    private void run(Feeder f) throws IOException {
        feeder = f;
        Iterator<CSVRecord> records = null; // Commons CSV's, made when a line needs it
        while (true) {
            long first = feeder.newlines + 1;
            if (quickRows && col != null && feeder.quickRow()) {
                // a plain event row (no quote, no carriage return, ASCII, every value well-formed): read here, as
                // Commons CSV and record() read it
                openAtEnd = false;
                lineNo = lineBase + first;
                result.linesTotal++;
                if (result.clock == null) result.clock = SourceResult.UNKNOWN_CLOCK; // no clock= comment
                emit();
                continue;
            }
            if (records == null) records = records();
            CSVRecord r;
            try {
                r = records.next();
            } catch (NoSuchElementException eof) {
                break;
            } catch (UncheckedIOException | IllegalStateException x) {
                // Commons CSV cannot read the record: skip the rest of the line it stopped on, start afresh
                feeder.skipRestOfLine();
                openAtEnd = feeder.exhausted();
                String m = x.getCause() != null && x instanceof UncheckedIOException ? x.getCause().getMessage() : x.getMessage();
                lines(first, feeder.newlines, null, "csv: " + oneLine(m));
                records = records();
                continue;
            }
            if (feeder.newlines < first) {
                // a bare carriage return ended the record inside the line: the rest of the line is more records
                while (feeder.newlines < first) {
                    try {
                        records.next();
                    } catch (NoSuchElementException | UncheckedIOException | IllegalStateException x) {
                        feeder.skipRestOfLine();
                        records = records();
                    }
                }
                lines(first, feeder.newlines, null, "csv: carriage return inside an unquoted field");
                continue;
            }
            openAtEnd = false;
            lines(first, feeder.newlines, r, null);
        }
        finish();
    }

    /** The last record read failed at the end of the input (e.g. a quoted field still open): it may go on after it. */
    private boolean openAtEnd;

    @Override
    boolean endsBetweenRecords() {
        return !openAtEnd;
    }

    @Override
    void runChunk(byte[] buf, int from, int to) throws IOException {
        run(new Feeder(buf, from, to));
    }

    @Override
    protected Object carried() {
        return col;
    }

    @Override
    protected void carry(Object extra) {
        col = (int[]) extra;
        colMax = col == null ? 0 : max(col);
    }

    private Iterator<CSVRecord> records() throws IOException {
        return CSVParser.builder().setReader(feeder).setFormat(FORMAT).get().iterator();
    }

    /** Empty lines are records too (blank lines are counted, and line numbers stay right). */
    private static final CSVFormat FORMAT = CsvEventWriter.FORMAT.builder().setIgnoreEmptyLines(false).get();

    /**
     * Accounts lines {@code first..last}: the record (or the problem) belongs to the first, the others
     * are the continuation lines of a record with quoted newlines. Lines the feeder found too long are
     * problems of their own.
     */
    private void lines(long first, long last, CSVRecord r, String problem) {
        for (long l = first; l <= last; l++) {
            lineNo = lineBase + l;
            result.linesTotal++;
            String tooLong = feeder.tooLong.remove(l);
            if (tooLong != null) {
                problem(tooLong);
            } else if (l > first) {
                nonEvent(NonEventKind.OTHER);
            } else if (problem != null) {
                problem(problem);
            } else {
                try {
                    record(r);
                } catch (LineProblem lp) {
                    problem(lp.getMessage());
                }
            }
        }
    }

    /**
     * Commons CSV's message, first line only, without its own {@code at line: N, position: P} and
     * {@code (startline N)} (counted from where its parser started, not in the file: the problem's line number
     * says where).
     */
    private static String oneLine(String m) {
        if (m == null) return "unreadable record";
        int nl = m.indexOf('\n');
        String first = nl < 0 ? m : m.substring(0, nl);
        return STARTLINE.matcher(POSITION.matcher(first).replaceAll("")).replaceAll("");
    }

    private static final java.util.regex.Pattern STARTLINE = java.util.regex.Pattern.compile("\\(startline \\d+\\) ");

    private static final java.util.regex.Pattern POSITION =
            java.util.regex.Pattern.compile(" at line:? \\d+(, position:? [\\d,]+)?");

    private void record(CSVRecord r) {
        int n = r.size();
        if (n == 1 && isBlank(r.get(0))) {
            nonEvent(NonEventKind.BLANK);
            return;
        }
        String first = r.get(0);
        if (first != null && first.startsWith("#")) {
            String text = n == 1 ? first : String.join(",", r.toList());
            int c = text.indexOf("clock=");
            if (c >= 0 && result.clock == null) {
                int t = c + 6;
                while (t < text.length() && !Character.isWhitespace(text.charAt(t))) t++;
                result.clock = text.substring(c + 6, t);
            }
            nonEvent(NonEventKind.HEADER);
            return;
        }
        if (col == null) {
            List<String> h = r.toList();
            if (!h.contains("kind") || !h.contains("ts")) throw fail("csv: expected the header row (" + CsvEventWriter.HEADER_LINE + ")");
            int[] c = new int[CsvEventWriter.COLUMNS.size()];
            for (int i = 0; i < c.length; i++) {
                c[i] = h.indexOf(CsvEventWriter.COLUMNS.get(i));
                if (c[i] < 0) throw fail("csv header lacks column '" + CsvEventWriter.COLUMNS.get(i) + "'");
            }
            col = c;
            colMax = max(c);
            nonEvent(NonEventKind.HEADER);
            return;
        }
        if (n != CsvEventWriter.COLUMNS.size() && n < colMax + 1) {
            throw fail((recordLength(r) < 20 ? "truncated line: " : "") + "csv: " + n + " fields, expected " + CsvEventWriter.COLUMNS.size());
        }
        Event e = ev.clear();
        try {
            e.source = Integer.parseInt(get(r, 0));
            e.line = Long.parseLong(get(r, 1));
            e.kind = EventKind.valueOf(get(r, 2));
            e.name = names.get(r.get(col[3]));
            e.ts = Long.parseLong(get(r, 4));
            e.cpu = Integer.parseInt(get(r, 5));
            e.tid = Integer.parseInt(get(r, 6));
            e.tgid = Integer.parseInt(get(r, 7));
            e.comm = names.get(r.get(col[8]));
            e.mm = hex(get(r, 9));
            e.write = bool(get(r, 10));
            e.success = bool(get(r, 11));
            e.memcgId = Long.parseLong(get(r, 12));
            e.memcgPath = names.get(r.get(col[13]));
            e.address = hex(get(r, 14));
            e.ip = hex(get(r, 15));
            e.errorCode = hex(get(r, 16));
            e.lockAddr = hex(get(r, 17));
            e.flags = Integer.parseInt(get(r, 18));
            e.syscall = Syscall.valueOf(get(r, 19));
            args(e, get(r, 20));
            e.ret = Long.parseLong(get(r, 21));
            e.otherPid = Integer.parseInt(get(r, 22));
            e.text = r.get(col[23]);
            e.count = Long.parseLong(get(r, 24));
        } catch (IllegalArgumentException x) { // NumberFormatException too
            throw fail("csv: bad value (" + x.getMessage() + ")");
        }
        if (result.clock == null) result.clock = SourceResult.UNKNOWN_CLOCK; // no clock= comment
        emit();
    }

    private int colMax;

    private final Quick quick = new Quick();

    /** Off: every record through Commons CSV (the tests compare the two). */
    static boolean quickRows = true;

    /**
     * The common row read straight from the line's bytes: no quote, no carriage return, only ASCII, not a comment,
     * at most one field per column and every value of the form {@link CsvEventWriter} writes (decimal numbers of at
     * most 18 digits, {@code 0x} and 1–16 hex digits, {@code true}/{@code false}, a kind and syscall by name,
     * {@code name=0x…} arguments one space apart). For such a line Commons CSV's fields are the text between the
     * commas ({@code \N} a null), so {@link #parse} fills {@link #ev} exactly as {@link #record} does; any other line
     * (or value) is left to Commons CSV and {@link #record}, which also word its problems.
     */
    private final class Quick {
        private final int[] at = new int[CsvEventWriter.COLUMNS.size() + 1]; // field k: bytes [at[k], at[k + 1] - 1)
        private byte[] b;
        private boolean bad;
        /** Names, comms and memcg paths; argument names (interned, as {@link CsvEventParser#args} makes them). */
        private final InternCache<String> strings = new InternCache<>(4096, v -> v);
        private final InternCache<String> argNames = new InternCache<>(256, String::intern);
        /**
         * Texts: one instance per value too, so the store's identity cache finds a repeated one (e.g. {@code read_zero}
         * on 8 % of the rows of a fault trace) without hashing a new string per row; a table of their own, so that
         * many distinct texts (it is cleared when half full) do not push the names out.
         */
        private final InternCache<String> texts = new InternCache<>(1024, v -> v);

        /** The number of fields {@link #split} found. */
        private int n;

        /** Whether the line {@code line[s, e)} (no newline in it) is a plain event row: then {@link #ev} holds it. */
        boolean parse(byte[] line, int s, int e) {
            return split(line, s, e) == e && fields(line);
        }

        /**
         * Finds the fields of the line that starts at {@code s}, up to its newline or {@code lim}, in one pass over
         * its bytes (the newline is found in the same words as the commas): the line's end (the newline's index, or
         * {@code lim} when there is none before it), or -1 when the line is not for this path (a comment, a quote,
         * a carriage return, a non-ASCII byte, more fields than columns).
         */
        int split(byte[] line, int s, int lim) {
            if (s < lim && line[s] == '#') return -1;
            int n = 0;
            at[0] = s;
            int i = s;
            int e = -1;
            for (; i + 8 <= lim; i += 8) { // 8 bytes at a time: refuse a quote, a carriage return, a non-ASCII byte
                long w = (long) LONGS.get(line, i);
                // zeros() is exact below the word's first non-ASCII byte: so is the first newline found, and any
                // byte of the line at or above a non-ASCII one is refused by the HIGH test
                long nl = zeros(w ^ NEWLINES);
                long mine = nl == 0 ? -1L : (nl & -nl) - 1; // the bits of the bytes before the newline
                if ((((w & HIGH) | zeros(w ^ QUOTES) | zeros(w ^ CRS)) & mine) != 0) return -1;
                for (long m = zeros(w ^ COMMAS) & mine; m != 0; m &= m - 1) {
                    if (++n == CsvEventWriter.COLUMNS.size()) return -1;
                    at[n] = i + (Long.numberOfTrailingZeros(m) >>> 3) + 1;
                }
                if (nl != 0) {
                    e = i + (Long.numberOfTrailingZeros(nl) >>> 3);
                    break;
                }
            }
            if (e < 0) {
                for (; i < lim; i++) {
                    byte c = line[i];
                    if (c == '\n') break;
                    if (c == ',') {
                        if (++n == CsvEventWriter.COLUMNS.size()) return -1;
                        at[n] = i + 1;
                    } else if (c == '"' || c == '\r' || c < 0) {
                        return -1;
                    }
                }
                e = i;
            }
            at[++n] = e + 1;
            this.n = n;
            return e;
        }

        /** After {@link #split}: whether the fields are those of a plain event row, read into {@link #ev}. */
        private boolean fields(byte[] line) {
            int n = this.n;
            if (n == 1 || n != CsvEventWriter.COLUMNS.size() && n < colMax + 1 || colMax >= n) return false;
            b = line;
            bad = false;
            Event ev = CsvEventParser.this.ev.clear();
            ev.source = (int) integer(0);
            ev.line = number(1);
            ev.kind = kind(2);
            ev.name = name(3);
            ev.ts = number(4);
            ev.cpu = (int) integer(5);
            ev.tid = (int) integer(6);
            ev.tgid = (int) integer(7);
            ev.comm = name(8);
            ev.mm = hex(9);
            ev.write = bool(10);
            ev.success = bool(11);
            ev.memcgId = number(12);
            ev.memcgPath = name(13);
            ev.address = hex(14);
            ev.ip = hex(15);
            ev.errorCode = hex(16);
            ev.lockAddr = hex(17);
            ev.flags = (int) integer(18);
            ev.syscall = syscall(19);
            args(ev, 20);
            ev.ret = number(21);
            ev.otherPid = (int) integer(22);
            ev.text = text(23);
            ev.count = number(24);
            return !bad;
        }

        private int from(int column) {
            return at[col[column]];
        }

        private int to(int column) {
            return at[col[column] + 1] - 1;
        }

        private boolean isNull(int f, int t) {
            return t - f == 2 && b[f] == '\\' && b[f + 1] == 'N';
        }

        /**
         * A decimal of at most 18 digits (Long.parseLong's value); else bad. Up to 16 digits take one or two word
         * loads ({@link TextParser#digitCount}, {@link TextParser#digitsValue}) and no loop over the digits.
         */
        private long number(int column) {
            int f = from(column), t = to(column);
            boolean neg = f < t && b[f] == '-';
            if (neg) f++;
            int n = t - f;
            if (n == 0 || n > 18) {
                bad = true;
                return 0;
            }
            long v;
            if (n <= 16 && f + 16 <= b.length) { // (the words may read past the field: only its n bytes count)
                long w = (long) LONGS.get(b, f);
                if (n <= 8) {
                    if (digitCount(w) < n) {
                        bad = true;
                        return 0;
                    }
                    v = digitsValue(w, n);
                } else {
                    long w2 = (long) LONGS.get(b, f + 8);
                    if (digitCount(w) < 8 || digitCount(w2) < n - 8) {
                        bad = true;
                        return 0;
                    }
                    v = digitsValue(w, 8) * POW10[n - 8] + digitsValue(w2, n - 8);
                }
            } else {
                v = 0;
                for (int i = f; i < t; i++) {
                    int d = b[i] - '0';
                    if (d < 0 || d > 9) {
                        bad = true;
                        return 0;
                    }
                    v = v * 10 + d;
                }
            }
            return neg ? -v : v;
        }

        /** As {@link #number}, within an int's range (Integer.parseInt's value). */
        private long integer(int column) {
            long v = number(column);
            if (v != (int) v) bad = true;
            return v;
        }

        private long hex(int column) {
            return hex(from(column), to(column));
        }

        /** {@code 0x} and 1–16 hex digits (CsvEventParser.hex's value); else bad. */
        private long hex(int f, int t) {
            if (t - f < 3 || t - f > 18 || b[f] != '0' || b[f + 1] != 'x') {
                bad = true;
                return 0;
            }
            long v = 0;
            for (int i = f + 2; i < t; i++) {
                int d = HEX[b[i] & 0xff]; // Character.digit(b[i], 16) of an ASCII byte: 0-9, a-f, A-F
                if (d < 0) {
                    bad = true;
                    return 0;
                }
                v = v << 4 | d;
            }
            return v;
        }

        /** {@code true} or {@code false} (one int load and compare: f + 4 <= t <= b.length); else bad. */
        private boolean bool(int column) {
            int f = from(column), t = to(column);
            if (t - f == 4 && (int) INTS.get(b, f) == TRUE) return true;
            if (t - f != 5 || (int) INTS.get(b, f) != FALS || b[f + 4] != 'e') bad = true;
            return false;
        }

        /** Whether bytes {@code [f, t)} are {@code word}: 8 bytes at a time (a call to Arrays.equals costs more). */
        private boolean is(int f, int t, byte[] word) {
            int n = word.length;
            if (t - f != n) return false;
            int i = 0;
            for (; i + 8 <= n; i += 8) {
                if ((long) LONGS.get(b, f + i) != (long) LONGS.get(word, i)) return false;
            }
            for (; i < n; i++) {
                if (b[f + i] != word[i]) return false;
            }
            return true;
        }

        private EventKind kind(int column) {
            int k = named(from(column), to(column), KIND_NAMES, KIND_KEYS);
            if (k >= 0) return KINDS[k];
            bad = true;
            return null;
        }

        private Syscall syscall(int column) {
            int k = named(from(column), to(column), SYSCALL_NAMES, SYSCALL_KEYS);
            if (k >= 0) return SYSCALLS[k];
            bad = true;
            return null;
        }

        /**
         * The index of the name equal to bytes {@code [f, t)}, or -1: the one name of the bytes' {@link #key}
         * checked, or every name when two share it (a comparison or two per field instead of one per name).
         */
        private int named(int f, int t, byte[][] names, int[] keys) {
            if (f >= t) return -1; // no name is empty
            int c = keys[key(b, f, t)];
            if (c >= 0) return is(f, t, names[c]) ? c : -1;
            if (c == -1) return -1; // no name has these bytes' key, so none has these bytes
            for (int k = 0; k < names.length; k++) if (is(f, t, names[k])) return k;
            return -1;
        }

        /** A repeating string (name, comm, memcg path): one instance per distinct value, as {@link #names} gives. */
        private String name(int column) {
            int f = from(column), t = to(column);
            return isNull(f, t) ? null : strings.get(b, f, t);
        }

        private String text(int column) {
            int f = from(column), t = to(column);
            return isNull(f, t) ? null : texts.get(b, f, t);
        }

        /** {@code name=0x…} separated by single spaces (CsvEventParser.args' value); else bad. */
        private void args(Event e, int column) {
            int f = from(column), t = to(column);
            if (f == t) return;
            if (isNull(f, t)) {
                bad = true;
                return;
            }
            int k = 0;
            int i = f;
            while (true) {
                int sp = i;
                while (sp < t && b[sp] != ' ') sp++;
                int eq = i;
                while (eq < sp && b[eq] != '=') eq++;
                if (k == Event.MAX_ARGS || eq == i || eq == sp) {
                    bad = true;
                    return;
                }
                e.argNames[k] = argNames.get(b, i, eq);
                e.args[k] = hex(eq + 1, sp);
                k++;
                if (sp == t) break;
                i = sp + 1;
                if (i == t) { // a trailing space: String.split drops the empty last part
                    bad = true;
                    return;
                }
            }
            e.nargs = k;
        }
    }

    private static final long HIGH = 0x8080808080808080L;
    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;
    private static final long COMMAS = 0x2C2C2C2C2C2C2C2CL;
    private static final long QUOTES = 0x2222222222222222L;
    private static final long CRS = 0x0D0D0D0D0D0D0D0DL;
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;

    /** The high bit of each zero byte of {@code x}, whose bytes are all below 0x80 (exact: no carry between bytes). */
    private static long zeros(long x) {
        return ~((x + LOW7) | x) & HIGH;
    }

    /** Each byte's hex digit value (as Character.digit(c, 16) of an ASCII byte), -1 for the others. */
    private static final byte[] HEX = new byte[256];

    static {
        for (int c = 0; c < 256; c++) HEX[c] = (byte) (c < 0x80 ? Character.digit(c, 16) : -1);
    }

    private static final java.lang.invoke.VarHandle INTS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final int TRUE = 't' | 'r' << 8 | 'u' << 16 | 'e' << 24;
    private static final int FALS = 'f' | 'a' << 8 | 'l' << 16 | 's' << 24;
    private static final EventKind[] KINDS = EventKind.values();
    private static final byte[][] KIND_NAMES = names(KINDS);
    private static final Syscall[] SYSCALLS = Syscall.values();
    private static final byte[][] SYSCALL_NAMES = names(SYSCALLS);

    private static final int[] KIND_KEYS = keys(KIND_NAMES);
    private static final int[] SYSCALL_KEYS = keys(SYSCALL_NAMES);

    /** A hash of bytes {@code [f, t)} (t > f) of 8 bits: the length, the last byte and the middle one. */
    static int key(byte[] b, int f, int t) {
        int n = t - f;
        return (n * 961 + b[t - 1] * 31 + b[f + (n >>> 1)]) & 0xff;
    }

    /** For each {@link #key}: the index of the one name with that key, -1 for none, -2 for several. */
    private static int[] keys(byte[][] names) {
        int[] keys = new int[256];
        java.util.Arrays.fill(keys, -1);
        for (int k = 0; k < names.length; k++) {
            int h = key(names[k], 0, names[k].length);
            keys[h] = keys[h] == -1 ? k : -2;
        }
        return keys;
    }

    private static byte[][] names(Enum<?>[] values) {
        byte[][] n = new byte[values.length][];
        for (int k = 0; k < values.length; k++) n[k] = values[k].name().getBytes(StandardCharsets.US_ASCII);
        return n;
    }

    /**
     * Interns the strings that repeat on every row (event names, comms, memcg paths), so the store's
     * identity cache sees one instance per distinct value; bounded like the text parsers' caches.
     */
    private final Names names = new Names();

    private static final class Names extends java.util.LinkedHashMap<String, String> {
        private static final long serialVersionUID = 1L;

        Names() {
            super(1024, 0.75f, true);
        }

        String get(String s) {
            if (s == null) return null;
            String v = super.get(s);
            if (v == null) {
                put(s, s);
                v = s;
            }
            return v;
        }

        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, String> eldest) {
            return size() > 4096;
        }
    }

    private static int recordLength(CSVRecord r) {
        int n = 0;
        for (String v : r) n += (v == null ? 2 : v.length()) + 1;
        return n;
    }

    private static boolean isBlank(String s) {
        if (s == null) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t') return false;
        }
        return true;
    }

    /**
     * The CSV parser's input: the physical lines of the stream (UTF-8, a last line without newline
     * given one), one line's text per read and then its newline
     * in a read of its own, so that {@link #newlines} tells how far the parser has got at each record's
     * end. Lines over {@link TextParser#MAX_LINE} bytes are not buffered: they reach the parser as empty
     * lines and are listed in {@link #tooLong} for the accounting to report.
     */
    final class Feeder extends java.io.Reader {
        private final InputStream in;
        private final byte[] buf;
        private int start;
        private int lim;
        private boolean eof;
        /** The line {@link #peekLine} found: bytes {@code buf[lineStart, lineEnd)}. */
        int lineStart;
        int lineEnd;
        /** Newlines handed to the CSV parser so far = number of the last line it has seen complete. */
        long newlines;
        /** Physical lines read so far. */
        private long linesRead;
        final java.util.HashMap<Long, String> tooLong = new java.util.HashMap<>();
        private String text = "";
        private int textPos;
        private boolean newlinePending;

        Feeder(InputStream in) {
            this.in = in;
            this.buf = new byte[1 << 20];
        }

        /** The whole input in {@code b[from, to)} (a chunk of the file: read where it is, not copied). */
        Feeder(byte[] b, int from, int to) {
            this.in = null;
            this.buf = b;
            this.start = from;
            this.lim = to;
            this.eof = true;
            result.bytes += to - from;
        }

        /**
         * Between records (everything handed out so far read by the CSV parser), finds the next line, at most
         * {@link TextParser#MAX_LINE} bytes, without handing it out: {@code buf[lineStart, lineEnd)}. False
         * otherwise (inside a record, at the end, an overlong line): the CSV parser reads on.
         */
        boolean peekLine() throws IOException {
            if (textPos < text.length() || newlinePending) return false;
            while (true) {
                int nl = indexOfNewline(buf, start, lim);
                if (nl >= 0) {
                    lineStart = start;
                    lineEnd = nl;
                    return nl - start <= MAX_LINE;
                }
                if (lim - start > MAX_LINE) return false;
                if (eof) {
                    lineStart = start;
                    lineEnd = lim;
                    return lim > start;
                }
                fill();
            }
        }

        /**
         * Between records, reads the next line with {@link Quick} if it is a plain event row (then {@link #ev} holds
         * it and the line is passed, as if handed out, newline included); false otherwise (the CSV parser reads on).
         * The line is found and split in one pass over the buffer; a line that reaches past it is found by
         * {@link #peekLine}, which reads more input.
         */
        boolean quickRow() throws IOException {
            if (textPos < text.length() || newlinePending) return false;
            int end = quick.split(buf, start, lim);
            if (end < 0) return false;
            if (end == lim && !eof) { // no newline in the buffer yet
                if (!peekLine() || !quick.parse(buf, lineStart, lineEnd)) return false;
            } else {
                if (end - start > MAX_LINE || !quick.fields(buf)) return false;
                lineStart = start;
                lineEnd = end;
            }
            skipPeeked();
            return true;
        }

        /** The line {@link #peekLine} found was read without the CSV parser: as if handed out, newline included. */
        void skipPeeked() {
            start = lineEnd < lim ? lineEnd + 1 : lim;
            linesRead++;
            newlines++;
        }

        @Override
        public int read(char[] cbuf, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (textPos < text.length()) {
                int n = Math.min(len, text.length() - textPos);
                text.getChars(textPos, textPos + n, cbuf, off);
                textPos += n;
                return n;
            }
            if (newlinePending) {
                newlinePending = false;
                newlines++;
                cbuf[off] = '\n';
                return 1;
            }
            if (!nextLine()) return -1;
            return read(cbuf, off, len);
        }

        /** Nothing left: the input ended and every line was handed out. */
        boolean exhausted() {
            return eof && start >= lim && textPos >= text.length() && !newlinePending;
        }

        /** Drops what is left of the current line, its newline included (after a record Commons CSV rejected). */
        void skipRestOfLine() {
            textPos = text.length();
            if (newlinePending) {
                newlinePending = false;
                newlines++;
            }
        }

        /** Loads the next physical line into {@link #text}; false at the end of the input. */
        private boolean nextLine() throws IOException {
            while (true) {
                int nl = indexOfNewline(buf, start, lim);
                if (nl >= 0) {
                    take(start, nl);
                    start = nl + 1;
                    return true;
                }
                if (lim - start > MAX_LINE) {
                    skipLongLine();
                    return true;
                }
                if (eof) {
                    if (lim > start) {
                        take(start, lim); // last line without a newline
                        start = lim;
                        return true;
                    }
                    return false;
                }
                fill();
            }
        }

        private void take(int s, int e) {
            if (e - s > MAX_LINE) {
                tooLong(e - s);
                return;
            }
            // a final \r stays: Commons CSV reads \r\n as one line end, and inside quotes it is data
            text = new String(buf, s, e - s, StandardCharsets.UTF_8);
            textPos = 0;
            newlinePending = true;
            linesRead++;
        }

        private void tooLong(long bytes) {
            linesRead++;
            tooLong.put(linesRead, "line too long (" + bytes + " bytes, limit " + MAX_LINE + ")");
            text = "";
            textPos = 0;
            newlinePending = true;
        }

        /** The line in the buffer has no newline within MAX_LINE bytes: skip it without buffering it. */
        private void skipLongLine() throws IOException {
            long skipped = 0;
            while (true) {
                int nl = indexOfNewline(buf, start, lim);
                if (nl >= 0) {
                    skipped += nl - start;
                    start = nl + 1;
                    break;
                }
                skipped += lim - start;
                start = lim;
                if (eof) break;
                fill();
            }
            tooLong(skipped);
        }

        private void fill() throws IOException {
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, lim - start);
                lim -= start;
                start = 0;
            }
            int n = in.read(buf, lim, buf.length - lim);
            if (n < 0) {
                eof = true;
            } else {
                result.bytes += n;
                lim += n;
            }
        }

        @Override
        public void close() {
            // the caller closes the stream
        }
    }

    private static int max(int[] a) {
        int m = 0;
        for (int v : a) m = Math.max(m, v);
        return m;
    }

    private String get(CSVRecord r, int column) {
        String v = r.get(col[column]);
        if (v == null) throw fail("csv: null in column '" + CsvEventWriter.COLUMNS.get(column) + "'");
        return v;
    }

    private static long hex(String s) {
        if (!s.startsWith("0x")) throw new NumberFormatException("expected 0x… hex: '" + s + "'");
        return Long.parseUnsignedLong(s.substring(2), 16);
    }

    private static boolean bool(String s) {
        if (s.equals("true")) return true;
        if (s.equals("false")) return false;
        throw new IllegalArgumentException("expected true/false: '" + s + "'");
    }

    private static void args(Event e, String s) {
        if (s.isEmpty()) return;
        String[] parts = s.split(" ");
        if (parts.length > Event.MAX_ARGS) throw new IllegalArgumentException("more than " + Event.MAX_ARGS + " args");
        for (int k = 0; k < parts.length; k++) {
            int eq = parts[k].indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("bad arg '" + parts[k] + "'");
            e.argNames[k] = parts[k].substring(0, eq).intern();
            e.args[k] = hex(parts[k].substring(eq + 1));
        }
        e.nargs = parts.length;
    }
}
