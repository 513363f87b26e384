package vmalock.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Format detection from the first bytes; --format names. */
class FormatDetectorTest {

    @ParameterizedTest
    @CsvSource({
        "shared, ftrace-overlap-default.txt, ftrace",
        "shared, perf-disjoint.perf.txt, perf",
        "shared, tc-overlap.report.txt, trace-cmd",
        "sample, ftrace-pipe-lost.txt, ftrace",
        "sample, ftrace-noirqinfo.txt, ftrace",
        "sample, tc-latency.report.txt, trace-cmd",
        "sample, perf-fields.perf.txt, perf",
        "sample, perf-ns.perf.txt, perf",
    })
    void detectsRealFiles(String where, String file, String format) throws Exception {
        byte[] all = Files.readAllBytes(where.equals("shared") ? SharedTraces.trace(file) : SharedTraces.sample(file));
        byte[] head = Arrays.copyOf(all, Math.min(all.length, TraceParsers.DETECT_BYTES));
        assertEquals(TraceFormat.fromCliName(format), FormatDetector.detect(head, head.length, false));
    }

    @Test
    void traceCmdWithoutCpusLineLooksLikeFtraceAndParsesTheSame() throws Exception {
        // trace_pipe without header and trace-cmd without its cpus= line have the same shape: either parser reads both
        byte[] line = "     overlapping-19264 [001]  1269.194780: mmap_lock_released:   mm=0xffff8881056e3200 memcg_id=5859 write=true\n"
                .getBytes(StandardCharsets.US_ASCII);
        assertEquals(TraceFormat.FTRACE, FormatDetector.detect(line, line.length, true));
    }

    @Test
    void needsMoreBytesOrFails() throws Exception {
        byte[] partial = "            perf 20190 [001]  1294.46".getBytes(StandardCharsets.US_ASCII);
        assertNull(FormatDetector.detect(partial, partial.length, false));
        FormatDetector.Undetectable x = assertThrows(FormatDetector.Undetectable.class,
                () -> FormatDetector.detect(new byte[0], 0, true));
        assertEquals("empty file", x.getMessage());
        byte[] csv = (CsvEventWriter.HEADER_LINE + "\n").getBytes(StandardCharsets.US_ASCII);
        assertEquals(TraceFormat.CSV, FormatDetector.detect(csv, csv.length, true));
    }

    @Test
    void formatNames() {
        assertEquals(TraceFormat.PERF_SCRIPT, TraceFormat.fromCliName("perf"));
        assertEquals(TraceFormat.TRACE_CMD, TraceFormat.fromCliName("Trace-Cmd"));
        assertEquals(TraceFormat.FTRACE, TraceFormat.fromCliName("trace_pipe"));
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> TraceFormat.fromCliName("json"));
        assertTrue(x.getMessage().contains("ftrace, trace-cmd, perf, csv"), x.getMessage());
    }
}
