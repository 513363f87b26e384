package vmalock.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import vmalock.event.EventSink.NonEventKind;

/**
 * Golden test on the three real captures in ../shared/traces: every figure the parser is responsible
 * for must equal the independently computed truth JSON (Python + awk, not this tool).
 */
class RealTraceGoldenTest {

    @ParameterizedTest
    @CsvSource({
        SharedTraces.FTRACE + ", ftrace",
        SharedTraces.PERF + ", perf",
        SharedTraces.TRACE_CMD + ", trace-cmd",
    })
    void parsesLikeTheTruth(String file, String format) throws Exception {
        JsonNode t = SharedTraces.truth(file);
        CountingSink sink = new CountingSink(false);
        SourceResult r = TraceParsers.parse(SharedTraces.trace(file), null, 0, sink, true);

        assertEquals(0, r.problems(), () -> "problems: " + r.firstProblems());
        assertEquals(format, r.format().cliName());
        assertEquals(t.get("format").asText(), r.format().cliName());
        assertEquals(t.get("trace_clock").asText(), r.clock());
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
        assertEquals(t.get("lost_event_markers").asLong(), r.lostMarkers());
        assertEquals(t.get("lost_event_markers_without_count").asLong(), r.lostMarkersWithoutCount());
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
        // comm parsing: per-comm event counts of the truth's top comms
        JsonNode perComm = t.get("per_comm_top40");
        assertTrue(perComm.size() > 3);
        for (Iterator<Map.Entry<String, JsonNode>> it = perComm.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> c = it.next();
            assertEquals(c.getValue().get("events").asLong(), sink.byComm.getOrDefault(c.getKey(), 0L), "comm " + c.getKey());
        }
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
