package vmalock.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import vmalock.event.Event;
import vmalock.event.EventKind;

/** CSV (Commons CSV) round trip: parse a real trace → CsvEventWriter → parse the CSV → identical events. */
class CsvRoundTripTest {
    @TempDir
    Path dir;

    static Path fixture(String where) {
        if (where.startsWith("shared:")) return SharedTraces.trace(where.substring(7));
        if (where.startsWith("sample:")) return SharedTraces.sample(where.substring(7));
        return FormatVariantsTest.variant(where.substring(8));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "shared:" + SharedTraces.FTRACE, "shared:" + SharedTraces.PERF, "shared:" + SharedTraces.TRACE_CMD,
        "sample:ftrace-remote.txt", "sample:ftrace-pipe-lost.txt", "sample:ftrace-counter.txt", "sample:perf-lost.perf.txt",
        "variant:ftrace-pre59-4flags-memcg-path.txt", "variant:ftrace-probes.txt", "variant:perf-probes.perf.txt",
        "variant:ftrace-pipe-lost-nocount.txt", "variant:perf-nocpu-lostcomm.perf.txt",
    })
    void exportThenIngestGivesTheSameEvents(String where) throws Exception {
        Path trace = fixture(where);
        CountingSink original = new CountingSink(true);
        SourceResult r0 = TraceParsers.parse(trace, null, 2, original, true);

        StringWriter csv = new StringWriter();
        try (CsvEventWriter w = new CsvEventWriter(csv, r0.clock())) {
            for (Event e : original.events) w.write(e);
        }
        Path file = dir.resolve("events.csv");
        Files.write(file, csv.toString().getBytes(StandardCharsets.UTF_8));

        CountingSink again = new CountingSink(true);
        again.csv = true;
        SourceResult r1 = TraceParsers.parse(file, null, 7, again, true);
        assertEquals(TraceFormat.CSV, r1.format());
        assertEquals(r0.clock(), r1.clock());
        assertEquals(original.events.size() + 2, r1.linesTotal()); // comment + header row
        assertEquals(r0.events(), r1.events());
        assertEquals(r0.lostMarkers(), r1.lostMarkers());
        assertEquals(r0.lostEvents(), r1.lostEvents());
        assertEquals(r0.firstTs(), r1.firstTs());
        assertEquals(r0.lastTs(), r1.lastTs());
        assertEquals(original.events.size(), again.events.size());
        for (int i = 0; i < original.events.size(); i++) {
            assertEquals(original.events.get(i), again.events.get(i), "event " + i); // source and line included
        }
    }

    @Test
    void nullAndEmptyStringsStayApart() throws Exception {
        Event e = new Event();
        e.kind = EventKind.MMAP_LOCK_RELEASED;
        e.name = "mmap_lock_released";
        e.comm = null;
        e.memcgPath = "";
        e.text = "a, \"quoted\" text";
        e.mm = -1;
        StringWriter csv = new StringWriter();
        try (CsvEventWriter w = new CsvEventWriter(csv, null)) {
            w.write(e);
        }
        Path file = dir.resolve("one.csv");
        Files.writeString(file, csv.toString());
        CountingSink s = new CountingSink(true);
        s.csv = true;
        SourceResult r = TraceParsers.parse(file, TraceFormat.CSV, 0, s, true);
        assertEquals("unknown", r.clock(), "no clock= comment");
        Event back = s.events.get(0);
        assertNull(back.comm);
        assertEquals("", back.memcgPath);
        assertEquals(e.text, back.text);
        assertEquals(e, back);
    }

    /**
     * One Commons CSV parser streams over the file, yet every physical line is accounted for and
     * problems name the right line: a text with a newline (quoted by the writer) spans two lines, blank
     * lines stay blank, a record Commons CSV rejects is a problem on its first line and parsing resumes on
     * the next one, a bare carriage return inside an unquoted field is a problem, an unterminated quote
     * at the end swallows the rest as one bad record.
     */
    @Test
    void streamingKeepsPhysicalLineNumbers() throws Exception {
        Event e = new Event();
        e.kind = EventKind.GENERIC;
        e.name = "foo";
        e.ts = 7;
        e.text = "first line\nsecond line, with \"quotes\"\r\nthird";
        StringWriter w = new StringWriter();
        try (CsvEventWriter cw = new CsvEventWriter(w, "mono")) {
            cw.write(e);
        }
        String[] written = w.toString().split("\n", -1);
        assertEquals(6, written.length, w.toString()); // comment, header, a record over 3 lines, ""
        String multi = written[2] + "\n" + written[3] + "\n" + written[4];
        e.text = "plain";
        StringWriter w2 = new StringWriter();
        try (CsvEventWriter cw = new CsvEventWriter(w2, null)) {
            cw.write(e);
        }
        String plain = w2.toString().split("\n")[1];
        String file = written[0] + "\n"          // 1 comment (clock)
                + written[1] + "\n"              // 2 header
                + multi + "\n"                   // 3-5 one event over three lines
                + "\n"                           // 6 blank
                + plain + "\n"                   // 7 event
                + "\"bad\"x," + plain + "\n"     // 8 text after a closing quote
                + plain + "\r\n"                 // 9 event (CRLF)
                + plain.replace("plain", "a\rb") + "\n" // 10 bare CR in an unquoted field
                + plain + "\n"                   // 11 event
                + "\"never closed," + plain + "\n" + plain + "\n"; // 12-13 unterminated quote to the end
        Path f = dir.resolve("multi.csv");
        Files.writeString(f, file);
        CountingSink s = new CountingSink(true);
        s.csv = true;
        SourceResult r = TraceParsers.parse(f, null, 0, s, false);
        assertEquals("mono", r.clock());
        assertEquals(13, r.linesTotal());
        assertEquals(4, r.events());
        assertEquals(List.of(8L, 10L, 12L), List.copyOf(s.problems.keySet()), s.problems.toString());
        assertEquals(13, r.events() + r.nonEventLines() + r.problems());
        assertEquals("first line\nsecond line, with \"quotes\"\r\nthird", s.events.get(0).text);
        assertEquals("plain", s.events.get(1).text);
        assertTrue(s.problems.get(10L).contains("carriage return"), s.problems.toString());
    }

    @Test
    void badCsvLinesAreProblems() throws Exception {
        String header = CsvEventWriter.HEADER_LINE;
        StringWriter csv = new StringWriter();
        Event e = new Event();
        e.kind = EventKind.PAGE_FAULT_USER;
        e.name = "page_fault_user";
        e.ts = 5;
        try (CsvEventWriter w = new CsvEventWriter(csv, null)) {
            w.write(e);
        }
        String row = csv.toString().split("\n")[1];
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, header + "\n" + row + "\n" + row.substring(0, 10) + "\n" + row.replace("PAGE_FAULT_USER", "NOPE") + "\n" + row + "\n");
        CountingSink s = new CountingSink(true);
        s.csv = true;
        SourceResult r = TraceParsers.parse(file, null, 0, s, false);
        assertEquals(2, r.events());
        assertEquals(2, r.problems());
        assertEquals(List.of(3L, 4L), List.copyOf(s.problems.keySet()));
        assertTrue(s.problems.get(3L).contains("fields"), s.problems.toString());
        assertTrue(s.problems.get(4L).contains("NOPE"), s.problems.toString());
    }
}
