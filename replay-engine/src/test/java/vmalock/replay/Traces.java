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

    /**
     * A replay of {@code w} under {@code o}, as figures to compare: the SHA-256 of every emitted event's text, the
     * event count, the counters, the time span, the defects, violations and findings, the operations.
     */
    static String[] replayDigest(Workload w, ReplayOptions o) throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        long[] n = new long[1];
        ReplayResult r = ReplayEngine.run(w, o, e -> {
            md.update(e.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            n[0]++;
        });
        ReplayCounters c = r.counters;
        return new String[] {java.util.HexFormat.of().formatHex(md.digest()), Long.toString(n[0]),
            c.faults + " " + c.faultsVma + " " + c.faultsMmap + " " + c.writes + " " + c.remote + " " + c.remoteFast
                    + " " + c.otherReads + " " + c.vmaLockAbort + " " + c.steps + " " + c.cpuWaitNs,
            Long.toString(w.operations()), r.firstNs + "-" + r.lastNs,
            r.defects + " " + r.violations + " " + r.findings.size()};
    }
}
