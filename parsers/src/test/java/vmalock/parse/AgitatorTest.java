package vmalock.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import vmalock.event.Event;
import vmalock.event.EventSink;

/**
 * Agitators (in the spirit of Chronicle-Queue-Demo's): take a real trace, truncate, garble,
 * duplicate, drop lines and insert lines of another format at seeded random positions, then prove
 * that exactly the damaged lines are reported, each with its line number, and that every other line
 * parses to the same event (or the same non-event kind) as in the clean file.
 */
class AgitatorTest {
    @TempDir
    Path dir;

    enum Op { TRUNCATE, GARBLE, DUPLICATE, DROP, FOREIGN }

    /** What one line of a file turned into: an event, a non-event kind, or a problem reason. */
    static final class PerLine implements EventSink {
        final Map<Long, Object> byLine = new TreeMap<>();

        @Override
        public void event(Event e) {
            byLine.put(e.line, e.copy());
        }

        @Override
        public void nonEventLine(NonEventKind kind, long line) {
            byLine.put(line, kind);
        }

        @Override
        public void problem(long line, String reason) {
            byLine.put(line, "PROBLEM: " + reason);
        }
    }

    static final String FTRACE_LINE = "      capture.sh-16869   [001] d....  1216.415952: page_fault_user: address=0x7ffe04f81080 ip=0x55c68066d35e error_code=0x7";
    static final String PERF_LINE = "            perf 20190 [001]  1294.467111:           exceptions:page_fault_user: address=0x7f810b7c6408 ip=0x55d48e4a752d error_code=0x7";

    @ParameterizedTest
    @CsvSource({
        SharedTraces.FTRACE + ", ftrace, 1",
        SharedTraces.FTRACE + ", ftrace, 2",
        SharedTraces.PERF + ", perf, 3",
        SharedTraces.PERF + ", perf, 4",
        SharedTraces.TRACE_CMD + ", trace-cmd, 5",
        SharedTraces.TRACE_CMD + ", trace-cmd, 6",
    })
    void damagedLinesAreReportedAndTheRestParses(String file, String formatName, long seed) throws Exception {
        TraceFormat format = TraceFormat.fromCliName(formatName);
        Path original = SharedTraces.trace(file);
        List<String> lines = Files.readAllLines(original, StandardCharsets.UTF_8);
        PerLine clean = new PerLine();
        SourceResult cr = TraceParsers.parse(original, format, 0, clean, true);
        assertEquals(lines.size(), cr.linesTotal());

        Random rnd = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Integer> origin = new ArrayList<>(); // new line (index) -> original line number, or -1 when damaged
        Map<Integer, Op> damage = new HashMap<>();
        String foreign = format == TraceFormat.PERF_SCRIPT ? FTRACE_LINE : PERF_LINE;
        int[] applied = new int[Op.values().length];
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            boolean isEvent = clean.byLine.get((long) (i + 1)) instanceof Event;
            Op op = rnd.nextInt(100) < 2 ? Op.values()[rnd.nextInt(Op.values().length)] : null;
            if (op == Op.TRUNCATE && !isEvent) op = Op.GARBLE;
            if (op == null) {
                emit(out, l.getBytes(StandardCharsets.UTF_8));
                origin.add(i + 1);
                continue;
            }
            applied[op.ordinal()]++;
            switch (op) {
                case TRUNCATE: {
                    int first = 0;
                    while (l.charAt(first) == ' ') first++;
                    int tsColon = l.indexOf(": ");
                    int cut = first + 1 + rnd.nextInt(tsColon - first);
                    emit(out, l.substring(0, cut).getBytes(StandardCharsets.UTF_8));
                    damage.put(origin.size(), op);
                    origin.add(-1);
                    break;
                }
                case GARBLE: {
                    byte[] g = new byte[1 + rnd.nextInt(300)];
                    rnd.nextBytes(g);
                    g[0] = (byte) 0xff; // never blank, a '#' header, a tab line or a CPU: marker
                    for (int k = 0; k < g.length; k++) {
                        if (g[k] == '\n' || g[k] == '\r') g[k] = '?';
                    }
                    emit(out, g);
                    damage.put(origin.size(), op);
                    origin.add(-1);
                    break;
                }
                case DUPLICATE:
                    emit(out, l.getBytes(StandardCharsets.UTF_8));
                    origin.add(i + 1);
                    emit(out, l.getBytes(StandardCharsets.UTF_8));
                    origin.add(i + 1);
                    break;
                case DROP:
                    break;
                case FOREIGN:
                    emit(out, l.getBytes(StandardCharsets.UTF_8));
                    origin.add(i + 1);
                    emit(out, foreign.getBytes(StandardCharsets.UTF_8));
                    damage.put(origin.size(), op);
                    origin.add(-1);
                    break;
                default:
                    throw new AssertionError(op);
            }
        }
        for (int n : applied) assertTrue(n > 0, "every kind of damage applied at least once");

        Path agitated = dir.resolve("agitated-" + seed + ".txt");
        Files.write(agitated, out.toByteArray());
        PerLine got = new PerLine();
        SourceResult r = TraceParsers.parse(agitated, format, 0, got, false);
        assertEquals(origin.size(), r.linesTotal());
        assertEquals(damage.size(), r.problems());
        assertEquals(origin.size(), got.byLine.size(), "every line accounted for exactly once");
        for (int j = 0; j < origin.size(); j++) {
            long lineNo = j + 1;
            Object actual = got.byLine.get(lineNo);
            int from = origin.get(j);
            if (from < 0) {
                Op op = damage.get(j);
                assertTrue(actual instanceof String, "line " + lineNo + " (" + op + ") should be a problem, got " + actual);
                String reason = (String) actual;
                if (op == Op.FOREIGN) assertTrue(reason.contains("mixed formats"), reason);
                if (op == Op.TRUNCATE) assertTrue(reason.contains("truncated"), "line " + lineNo + ": " + reason);
                continue;
            }
            Object expected = clean.byLine.get((long) from);
            if (expected instanceof Event) {
                Event e = ((Event) expected).copy();
                e.line = lineNo;
                assertEquals(e, actual, "line " + lineNo + " (was " + from + ")");
            } else {
                assertEquals(expected, actual, "line " + lineNo + " (was " + from + ")");
            }
        }
    }

    private static void emit(ByteArrayOutputStream out, byte[] line) {
        out.writeBytes(line);
        out.write('\n');
    }
}
