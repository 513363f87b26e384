package vmalock.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vmalock.event.Event;

/**
 * The CSV parser reads a plain event row from its bytes, and leaves every other line to Commons CSV: every sink
 * call (events with every field, non-event lines, problems and their wording) and the source's result must be those
 * of Commons CSV reading every line, on rows with each column set to the values at the edges of what the quick
 * path takes (signs, lengths, overflow, hex forms, nulls, case, spaces, non-ASCII bytes, quotes, arguments), lines
 * that are not rows, and a header with the columns in another order — on one thread and in chunks.
 */
class CsvQuickRowsTest {
    @TempDir
    Path tmp;

    private static final String[] VALUES = {"", "\\N", "\\n", "N", "0", "+5", "-0", "007", "-", "--1", "1-", "12a",
        "2147483647", "2147483648", "-2147483648", "-2147483649", "999999999999999999", "-999999999999999999",
        "9999999999999999999", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "0x", "0x0",
        "0X10", "0x00ff", "0xFFFFFFFFFFFFFFFF", "0xffffffffffffffff", "0x1ffffffffffffffff", "0x0000000000000000001",
        "0xg", "0x-1", "0x+1", "x1", " 1", "1 ", "true", "false", "TRUE", "True", " true", "page_fault_user",
        "PAGE_FAULT_USER", "SYS_ENTER", "GENERIC", "LOST", "MMAP", "mmap", "OTHER", "MUNMAP ", "é", "caf\u00e9",
        "a b", "x=0x1", "x=0x1 y=0x2", "x=0x1  y=0x2", " x=0x1", "x=0x1 ", "=0x1", "x=", "x=0x1=2", "x=1", "x=0xZ",
        "a=0x1 b=0x2 c=0x3 d=0x4 e=0x5 f=0x6 g=0x7 h=0x8", "a=0x1 b=0x2 c=0x3 d=0x4 e=0x5 f=0x6 g=0x7 h=0x8 i=0x9",
        "x==0x1", "#", "a\\Nb", "\"q\"", "a\"b", "a\rb", "\\N\\N",
        // digit counts at the word edges of the quick path's number (8, 16 digits), a non-digit in either word
        "12345678", "-12345678", "123456789", "1234567a", "12345678a", "1234567890123456", "-1234567890123456",
        "12345678901234567", "123456789012345a", "1234567890123456789", "0x123456789abcdeF", "tru", "fals", "falsE",
        "falsee", "truee", "fal\u00e9"};

    @Test
    void quickRowsAreReadAsCommonsCsvReadsThem() throws Exception {
        List<String> rows = rows();
        StringBuilder sb = new StringBuilder("# vmalock-events clock=local\n").append(CsvEventWriter.HEADER_LINE).append('\n');
        for (String r : rows) {
            sb.append(r).append('\n');
            String[] f = r.split(",", -1);
            for (int c = 0; c < f.length; c++) {
                for (String v : VALUES) {
                    String[] g = f.clone();
                    g[c] = v;
                    sb.append(String.join(",", g)).append('\n');
                }
            }
        }
        String good = rows.get(0);
        sb.append('\n').append("   \n").append("#a comment\n").append("# vmalock-events clock=other\n")
                .append(good, 0, good.lastIndexOf(',')).append('\n')          // 24 fields
                .append(good).append(",\n")                                     // 26 fields
                .append(good).append(",extra\n")
                .append(CsvEventWriter.HEADER_LINE).append('\n')               // the header again: a bad row
                .append(good).append("\r\n").append(good).append('\r').append('\n')
                .append(good.replace(",", ", ")).append('\n')
                .append(good);                                                  // last line, no newline
        int[] seen = same("rows.csv", sb.toString());
        assertTrue(seen[0] > 3 * rows.size() && seen[1] > 1000, "events " + seen[0] + ", problems " + seen[1]);
    }

    /**
     * Issue 13: the kind and syscall columns are looked up by a hash of their bytes, not compared with every name:
     * every name of both enums, and strings that share a name's length, last or middle byte, case or all but one byte,
     * read as Commons CSV reads them.
     */
    @Test
    void everyKindAndSyscallNameAndTheirNearMissesAreReadAsCommonsCsvReadsThem() throws Exception {
        List<String> values = new ArrayList<>();
        List<Enum<?>> all = new ArrayList<>(List.of(vmalock.event.EventKind.values()));
        all.addAll(List.of(vmalock.event.Syscall.values()));
        for (Enum<?> v : all) {
            String n = v.name();
            values.add(n);
            values.add(n.toLowerCase(java.util.Locale.ROOT));
            values.add(n.substring(1));
            values.add(n.substring(0, n.length() - 1));
            values.add(n + "_");
            values.add("X" + n.substring(1));                                            // same length and last byte
            values.add(n.substring(0, n.length() - 1) + (n.endsWith("Z") ? "Y" : "Z"));   // same length, another last
            char[] c = n.toCharArray();
            c[c.length / 2] = c[c.length / 2] == 'Q' ? 'R' : 'Q';                           // another middle byte
            values.add(new String(c));
        }
        values.add("A");
        values.add("_");
        int kindCol = CsvEventWriter.COLUMNS.indexOf("kind");
        int syscallCol = CsvEventWriter.COLUMNS.indexOf("syscall");
        StringBuilder sb = new StringBuilder("# vmalock-events clock=local\n").append(CsvEventWriter.HEADER_LINE).append('\n');
        for (String r : rows()) {
            String[] f = r.split(",", -1);
            for (String v : values) {
                for (int col : new int[] {kindCol, syscallCol}) {
                    String[] g = f.clone();
                    g[col] = v;
                    sb.append(String.join(",", g)).append('\n');
                }
            }
        }
        int[] seen = same("names.csv", sb.toString());
        assertTrue(seen[0] > 0 && seen[1] > 0, "events " + seen[0] + ", problems " + seen[1]);
    }

    /** Columns in another order, one more column: rows are read by the header's names. */
    @Test
    void reorderedColumnsAreReadByName() throws Exception {
        List<String> cols = new ArrayList<>(CsvEventWriter.COLUMNS);
        java.util.Collections.reverse(cols);
        cols.add(3, "extra");
        StringBuilder sb = new StringBuilder(CsvEventWriter.COMMENT_PREFIX).append(" clock=mono\n").append(String.join(",", cols)).append('\n');
        for (String r : rows()) {
            String[] f = r.split(",", -1);
            List<String> g = new ArrayList<>();
            for (String c : cols) g.add(c.equals("extra") ? "zz" : f[CsvEventWriter.COLUMNS.indexOf(c)]);
            sb.append(String.join(",", g)).append('\n');
            g.set(0, "0x5"); // count: not a decimal
            sb.append(String.join(",", g)).append('\n');
        }
        int[] seen = same("reordered.csv", sb.toString());
        assertTrue(seen[0] > 10 && seen[1] > 10, "events " + seen[0] + ", problems " + seen[1]);
    }

    /** Rows of a real trace's events (every kind it has, arguments, nulls), as vmalock export writes them. */
    private static List<String> rows() throws Exception {
        CountingSink keep = new CountingSink(true);
        TraceParsers.parse(SharedTraces.sample("ftrace-remote.txt"), null, 0, keep, false);
        StringWriter w = new StringWriter();
        try (CsvEventWriter csv = new CsvEventWriter(w, null)) {
            java.util.Set<String> kinds = new java.util.HashSet<>();
            for (Event e : keep.events) {
                if (kinds.add(e.kind + "/" + e.nargs + "/" + (e.comm == null))) csv.write(e);
            }
        }
        List<String> out = new ArrayList<>(List.of(w.toString().split("\n")));
        out.remove(0); // the header
        return out;
    }

    /** A stream that hands out 1 to 13 bytes per read. */
    private static final class Trickle extends java.io.FilterInputStream {
        private int reads;

        Trickle(java.io.InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws java.io.IOException {
            return super.read(b, off, Math.min(len, 1 + reads++ % 13));
        }

        @Override
        public int available() {
            return 0;
        }
    }

    /** The file parsed with and without the quick rows (one thread, and in chunks): returns {events, problems}. */
    private int[] same(String name, String text) throws Exception {
        Path f = tmp.resolve(name);
        Files.write(f, text.getBytes(StandardCharsets.UTF_8));
        ChunkedParseTest.Transcript commons = new ChunkedParseTest.Transcript();
        String expected;
        CsvEventParser.quickRows = false;
        try {
            expected = ChunkedParseTest.describe(TraceParsers.parse(f, f.toString(), TraceFormat.CSV, 0, commons, false, null,
                    Parallelism.ONE));
        } finally {
            CsvEventParser.quickRows = true;
        }
        for (Parallelism p : new Parallelism[] {Parallelism.ONE, new Parallelism(2, 4096), new Parallelism(3, 777)}) {
            ChunkedParseTest.Transcript quick = new ChunkedParseTest.Transcript();
            String got = ChunkedParseTest.describe(TraceParsers.parse(f, f.toString(), TraceFormat.CSV, 0, quick, false, null, p));
            for (int i = 0; i < Math.min(commons.calls.size(), quick.calls.size()); i++) {
                assertEquals(commons.calls.get(i), quick.calls.get(i), name + ": sink call " + i);
            }
            assertEquals(commons.calls.size(), quick.calls.size(), name + ": sink calls");
            assertEquals(expected, got, name);
        }
        // read a few bytes at a time: lines reach past the end of what the parser has buffered
        ChunkedParseTest.Transcript trickled = new ChunkedParseTest.Transcript();
        try (java.io.InputStream in = new Trickle(Files.newInputStream(f))) {
            String got = ChunkedParseTest.describe(TraceParsers.parse(in, f.toString(), TraceFormat.CSV, 0, trickled, false));
            assertEquals(commons.calls, trickled.calls, name + ": read a few bytes at a time");
            assertEquals(expected, got, name + ": read a few bytes at a time");
        }
        int events = 0, problems = 0;
        for (String c : commons.calls) {
            if (c.startsWith("E ")) events++;
            if (c.startsWith("P ")) problems++;
        }
        return new int[] {events, problems};
    }
}
