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
        feeder = new Feeder(in);
        Iterator<CSVRecord> records = records();
        while (true) {
            long first = feeder.newlines + 1;
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
        run(new java.io.ByteArrayInputStream(buf, from, to - from));
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
        private final byte[] buf = new byte[1 << 20];
        private int start;
        private int lim;
        private boolean eof;
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
