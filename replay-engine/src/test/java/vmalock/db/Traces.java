package vmalock.db;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import vmalock.event.Event;
import vmalock.event.EventSink;
import vmalock.parse.SourceResult;
import vmalock.parse.TraceParsers;

/** Test helpers: the shared real traces and bundled sample traces, parsed into memory. */
final class Traces {
    private Traces() {
    }

    static Path shared(String name) {
        return vmalock.replay.Traces.shared(name);
    }

    static Path sample(String name) {
        return Paths.get(System.getProperty("vmalock.root"), "sample-traces", name);
    }

    /** A parsed trace: its events and its source row. */
    record Parsed(List<Event> events, SourceRow source, SourceResult result) {
    }

    static Parsed parse(Path file) throws Exception {
        List<Event> events = new ArrayList<>();
        SourceResult r = TraceParsers.parse(file, null, 0, new EventSink() {
            @Override
            public void event(Event e) {
                events.add(e.copy());
            }

            @Override
            public void nonEventLine(NonEventKind kind, long line) {
            }

            @Override
            public void problem(long line, String reason) {
            }
        }, false);
        return new Parsed(events, SourceRow.of(0, file.toString(), Files.size(file), null, r), r);
    }
}
