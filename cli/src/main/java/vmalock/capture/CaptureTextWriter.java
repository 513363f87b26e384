package vmalock.capture;

import java.io.PrintWriter;
import java.util.Map;

/** The human summary of a capture (stderr): what was traced, how much, what was skipped, what was lost. */
public final class CaptureTextWriter {
    private CaptureTextWriter() {
    }

    public static void write(CaptureReport r, PrintWriter w) {
        String what = switch (r.mode()) {
            case "command" -> "command " + String.join(" ", r.command())
                    + (r.commandExitStatus() == null ? " (still running)" : " (exit status " + r.commandExitStatus() + ")");
            case "pids" -> "pid(s) " + r.pids();
            default -> "the whole machine";
        };
        w.printf("vmalock capture: traced %s for %.3f s into %s%n", what, r.tracedNanos() / 1e9, r.workspace());
        w.printf("  %d events (%d lines, %.1f KiB of trace text), clock %s, buffer %d KiB per CPU, tracefs instance %s%n",
                r.events(), r.linesTotal(), r.bytesRead() / 1024.0, r.clock(), r.bufferKbPerCpu(), r.instance());
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Long> e : r.eventsByName().entrySet()) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(e.getKey()).append(' ').append(e.getValue());
        }
        if (sb.length() > 0) w.println("  by event: " + sb);
        w.printf("  maps snapshots: %d stored%s%n", r.mapsSnapshots(),
                r.mapsSnapshotsMissed() > 0 ? ", " + r.mapsSnapshotsMissed() + " missed (process already gone)" : "");
        for (Map.Entry<String, String> e : r.eventsSkipped().entrySet()) {
            w.println("  skipped " + e.getKey() + ": " + e.getValue());
        }
        for (String n : r.notes()) {
            w.println("  note: " + n);
        }
        if (r.problems() > 0) {
            w.println("  " + r.problems() + " line(s) could not be parsed (first: " + r.firstProblem() + ")");
        }
        if (r.lost() > 0) {
            w.println("vmalock capture: WARNING: " + r.lost() + " events LOST: the kernel ring buffer overran ("
                    + r.lostEventMarkers() + " LOST markers totalling " + r.lostEvents() + ", ring-buffer overrun count "
                    + r.overrunEvents() + " by CPU " + r.overrunByCpu() + ").");
            w.println("vmalock capture: figures from this workspace are incomplete. Re-run with a bigger buffer (--buffer-kb "
                    + Math.max(r.bufferKbPerCpu() * 4, 16384) + "; now " + r.bufferKbPerCpu()
                    + "), fewer events (--events -lock:*), or a shorter run.");
        }
        w.flush();
    }
}
