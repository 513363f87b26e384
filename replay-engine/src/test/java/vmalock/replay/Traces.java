package vmalock.replay;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import vmalock.event.Event;
import vmalock.event.EventSink;
import vmalock.parse.TraceParsers;

/** Test helper: parse a real trace (shared/traces or sample-traces) into events. */
public final class Traces {
    private Traces() {}

    /**
     * A real trace of ../shared/traces; a checkout without ../shared beside it (a clone elsewhere, CI on a
     * new machine) uses the byte-identical copies in sample-traces/shared.
     */
    public static Path shared(String name) {
        Path root = Paths.get(System.getProperty("vmalock.root"));
        Path beside = root.resolve("..").resolve("shared").resolve("traces").normalize();
        return (Files.isDirectory(beside) ? beside : root.resolve("sample-traces/shared/traces")).resolve(name);
    }

    static Path sample(String name) {
        return Paths.get(System.getProperty("vmalock.root"), "sample-traces", name);
    }

    static List<Event> events(Path file) throws Exception {
        List<Event> out = new ArrayList<>();
        TraceParsers.parse(file, null, 0, new EventSink() {
            @Override
            public void event(Event e) {
                out.add(e.copy());
            }

            @Override
            public void nonEventLine(NonEventKind kind, long line) {}

            @Override
            public void problem(long line, String reason) {}
        }, false);
        return out;
    }

    static Workload workload(List<Event> events, long faultCost) {
        WorkBuilder b = new WorkBuilder(faultCost);
        for (Event e : events) b.accept(e);
        return b.finish();
    }
}
