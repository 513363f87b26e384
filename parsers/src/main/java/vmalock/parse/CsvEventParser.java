package vmalock.parse;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.List;

import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import vmalock.event.Event;
import vmalock.event.EventKind;
import vmalock.event.EventSink;
import vmalock.event.EventSink.NonEventKind;
import vmalock.event.Syscall;

/**
 * Reads what {@link CsvEventWriter} writes (Apache Commons CSV, one physical line per record): the
 * {@code # vmalock-events clock=…} comment and the header row are header lines, every other line
 * one event. Columns are found by their header names, so reordered columns are fine; a missing
 * column is a problem on the header line. {@code source} and {@code line} are kept from the file
 * (the event's provenance in the original trace), which makes export → ingest an identity.
 */
final class CsvEventParser extends TextParser {
    private int[] col; // column index per CsvEventWriter.COLUMNS entry, or null before the header

    CsvEventParser(EventSink sink, SourceResult result, boolean strict, int sourceIndex) {
        super(sink, result, strict, sourceIndex);
        result.format = TraceFormat.CSV;
    }

    @Override
    protected void parseLine() {
        if (isBlank(b, p, end)) {
            nonEvent(NonEventKind.BLANK);
            return;
        }
        String text = string(p, end);
        if (text.startsWith("#")) {
            int c = text.indexOf("clock=");
            if (c >= 0 && result.clock == null) {
                int t = c + 6;
                while (t < text.length() && !Character.isWhitespace(text.charAt(t))) t++;
                result.clock = text.substring(c + 6, t);
            }
            nonEvent(NonEventKind.HEADER);
            return;
        }
        List<String> r = record(text);
        if (col == null) {
            if (!r.contains("kind") || !r.contains("ts")) throw fail("csv: expected the header row (" + CsvEventWriter.HEADER_LINE + ")");
            int[] c = new int[CsvEventWriter.COLUMNS.size()];
            for (int i = 0; i < c.length; i++) {
                c[i] = r.indexOf(CsvEventWriter.COLUMNS.get(i));
                if (c[i] < 0) throw fail("csv header lacks column '" + CsvEventWriter.COLUMNS.get(i) + "'");
            }
            col = c;
            nonEvent(NonEventKind.HEADER);
            return;
        }
        if (r.size() != CsvEventWriter.COLUMNS.size() && r.size() < max(col) + 1) {
            throw fail((end - lineStart < 20 ? "truncated line: " : "") + "csv: " + r.size() + " fields, expected " + CsvEventWriter.COLUMNS.size());
        }
        Event e = ev.clear();
        try {
            e.source = Integer.parseInt(get(r, 0));
            e.line = Long.parseLong(get(r, 1));
            e.kind = EventKind.valueOf(get(r, 2));
            e.name = r.get(col[3]);
            e.ts = Long.parseLong(get(r, 4));
            e.cpu = Integer.parseInt(get(r, 5));
            e.tid = Integer.parseInt(get(r, 6));
            e.tgid = Integer.parseInt(get(r, 7));
            e.comm = r.get(col[8]);
            e.mm = hex(get(r, 9));
            e.write = bool(get(r, 10));
            e.success = bool(get(r, 11));
            e.memcgId = Long.parseLong(get(r, 12));
            e.memcgPath = r.get(col[13]);
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
        if (result.clock == null) result.clock = "local";
        emit();
    }

    private static int max(int[] a) {
        int m = 0;
        for (int v : a) m = Math.max(m, v);
        return m;
    }

    private String get(List<String> r, int column) {
        String v = r.get(col[column]);
        if (v == null) throw fail("csv: null in column '" + CsvEventWriter.COLUMNS.get(column) + "'");
        return v;
    }

    private static List<String> record(String line) {
        try (CSVParser p = CSVParser.builder().setReader(new StringReader(line)).setFormat(CsvEventWriter.FORMAT).get()) {
            List<CSVRecord> rs = p.getRecords();
            if (rs.size() != 1) throw new LineProblem("csv: not one record");
            return rs.get(0).toList();
        } catch (IOException | UncheckedIOException x) {
            throw new LineProblem("csv: " + x.getMessage());
        }
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
