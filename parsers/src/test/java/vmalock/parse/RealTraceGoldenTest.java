package vmalock.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import vmalock.event.EventSink.NonEventKind;

/**
 * Golden tests on real captures: the three shared traces (truth JSON computed by Python + awk) and
 * every bundled sample in sample-traces/ (expected JSON computed by sample-traces/expected.awk) —
 * never by this tool. Every figure the parser is responsible for must equal them.
 */
class RealTraceGoldenTest {

    @ParameterizedTest
    @CsvSource({
        SharedTraces.FTRACE + ", ftrace",
        SharedTraces.PERF + ", perf",
        SharedTraces.TRACE_CMD + ", trace-cmd",
    })
    void sharedTraceParsesLikeItsTruth(String file, String format) throws Exception {
        JsonNode t = SharedTraces.truth(file);
        assertEquals(format, t.get("format").asText());
        CountingSink sink = assertLikeTruth(t, SharedTraces.trace(file), TraceFormat.fromCliName(format));
        // comm parsing: per-comm event counts of the truth's top comms
        JsonNode perComm = t.get("per_comm_top40");
        assertTrue(perComm.size() > 3);
        for (Iterator<Map.Entry<String, JsonNode>> it = perComm.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> c = it.next();
            assertEquals(c.getValue().get("events").asLong(), sink.byComm.getOrDefault(c.getKey(), 0L), "comm " + c.getKey());
        }
    }

    static Stream<String> samples() throws IOException {
        try (Stream<Path> s = Files.list(SharedTraces.sample(""))) {
            List<String> names = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".expected.json"))
                    .map(n -> n.substring(0, n.length() - ".expected.json".length())).sorted().collect(Collectors.toList());
            assertTrue(names.size() >= 10, "sample-traces/*.expected.json: " + names);
            return names.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("samples")
    void sampleTraceParsesLikeItsAwkFigures(String base) throws Exception {
        JsonNode t = new ObjectMapper().readTree(SharedTraces.sample(base + ".expected.json").toFile());
        Path trace = SharedTraces.sample(base + ".txt");
        TraceFormat f = base.startsWith("perf") ? TraceFormat.PERF_SCRIPT
                : base.startsWith("tc-") ? TraceFormat.TRACE_CMD : TraceFormat.FTRACE;
        assertLikeTruth(t, trace, f);
    }

    /** Parses {@code trace} (format detected, strict) and checks every parser-level field present in {@code t}. */
    static CountingSink assertLikeTruth(JsonNode t, Path trace, TraceFormat expectedFormat) throws Exception {
        CountingSink sink = new CountingSink(false);
        SourceResult r = TraceParsers.parse(trace, null, 0, sink, true);

        assertEquals(0, r.problems(), () -> "problems: " + r.firstProblems());
        assertEquals(expectedFormat, r.format());
        // the truth names the clock the capture was set to; the text of a secs.fraction trace does not say it
        if (t.has("trace_clock")) {
            boolean ticksClock = t.get("trace_clock").asText().equals("counter") || t.get("trace_clock").asText().equals("x86-tsc");
            assertEquals(ticksClock ? "counter" : "unknown", r.clock());
        }
        boolean ticks = t.has("time_unit") && t.get("time_unit").asText().equals("ticks");
        assertEquals(ticks, r.isCounterClock(), "counter clock");
        assertEquals(t.get("lines_total").asLong(), r.linesTotal());
        assertEquals(t.get("total_events").asLong(), r.events());
        assertEquals(t.get("total_events").asLong(), sink.total);
        assertEquals(t.get("non_event_lines").asLong(), r.nonEventLines() + r.lostMarkers());
        assertEquals(t.get("non_event_lines").asLong(), sink.nonEventTotal());
        assertEquals(longs(t.get("non_event_lines_by_kind")), r.nonEventLinesByKind());
        assertEquals(longs(t.get("non_event_lines_by_kind")), sink.nonEvent);
        assertEquals(longs(t.get("events_by_type")), sink.byType);
        assertEquals(t.get("page_faults").asLong(), sink.byType.getOrDefault("page_fault_user", 0L));
        assertEquals(t.get("first_ts").asText(), r.formatTs(r.firstTs()));
        assertEquals(t.get("last_ts").asText(), r.formatTs(r.lastTs()));
        assertEquals(t.get("lost_events").asLong(), r.lostEvents());
        assertEquals(t.get("lost_events").asLong(), sink.lostEvents);
        assertEquals(t.get("lost_event_markers").asLong(), r.lostMarkers());
        assertEquals(t.get("lost_event_markers_without_count").asLong(), r.lostMarkersWithoutCount());
        assertEquals(r.lostEvents(), r.lostEventsByCpu().values().stream().mapToLong(Long::longValue).sum());
        if (t.has("lost_events_by_cpu") && r.format() != TraceFormat.PERF_SCRIPT) {
            // (expected.awk does not attribute perf's PERF_RECORD_LOST lines to the [cpu] column they print; we do)
            Map<String, Long> byCpu = new TreeMap<>();
            r.lostEventsByCpu().forEach((cpu, n) -> byCpu.put(String.valueOf(cpu), n));
            assertEquals(longs(t.get("lost_events_by_cpu")), byCpu);
        }
        JsonNode mm = t.get("mmap_lock");
        assertEquals(mm.get("read_acquisitions").asLong(), sink.readAcq);
        assertEquals(mm.get("write_acquisitions").asLong(), sink.writeAcq);
        assertEquals(mm.get("failed_acquisitions").asLong(), sink.failedAcq);
        assertEquals(t.get("distinct_mm").asLong(), sink.mms.size());
        if (t.has("header_entries_in_buffer")) {
            assertEquals(t.get("header_entries_in_buffer").asLong(), r.headerEntriesInBuffer());
            assertEquals(t.get("header_entries_written").asLong(), r.headerEntriesWritten());
            assertEquals(t.get("header_entries_overwritten").asLong(), r.headerEntriesOverwritten());
        } else {
            assertEquals(-1, r.headerEntriesInBuffer());
        }
        if (r.format() == TraceFormat.TRACE_CMD) assertEquals(2, r.cpus());
        assertEquals(r.nonEventLines(NonEventKind.HEADER), sink.nonEvent.getOrDefault("header", 0L));
        return sink;
    }

    static Map<String, Long> longs(JsonNode obj) {
        Map<String, Long> m = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> en = it.next();
            m.put(en.getKey(), en.getValue().asLong());
        }
        return m;
    }
}
