package vmalock.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The parsers reset only the fields the previous event's kind can have set (instead of a full
 * Event.clear() per line): on every real and fixture trace that must give exactly the events a full
 * clear gives.
 */
class EventResetTest {

    static Stream<Path> traces() throws IOException {
        Stream<Path> shared = Stream.of(SharedTraces.FTRACE, SharedTraces.PERF, SharedTraces.TRACE_CMD).map(SharedTraces::trace);
        Stream<Path> samples = Files.list(SharedTraces.sample("")).filter(p -> p.toString().endsWith(".txt")).sorted();
        Stream<Path> variants = Files.list(FormatVariantsTest.variant("")).sorted();
        return Stream.concat(shared, Stream.concat(samples, variants));
    }

    @ParameterizedTest
    @MethodSource("traces")
    void cheapResetEqualsFullClear(Path trace) throws Exception {
        SourceResult r = TraceParsers.parse(trace, null, 0, new CountingSink(false), true);
        CountingSink cheap = run(trace, r.format(), false);
        CountingSink full = run(trace, r.format(), true);
        assertEquals(full.events.size(), cheap.events.size());
        for (int i = 0; i < full.events.size(); i++) {
            assertEquals(full.events.get(i), cheap.events.get(i), trace + " event " + i);
            assertEquals(full.events.get(i).toString(), cheap.events.get(i).toString());
        }
    }

    private static CountingSink run(Path trace, TraceFormat f, boolean alwaysClear) throws IOException {
        CountingSink s = new CountingSink(true);
        TextParser p = TraceParsers.create(f, s, new SourceResult(trace.toString()), true, 0);
        p.alwaysClear = alwaysClear;
        try (InputStream in = Files.newInputStream(trace)) {
            p.run(in);
        }
        return s;
    }
}
