package vmalock.capture;

import java.util.List;
import java.util.Map;

/**
 * What a capture did, for the text summary, {@code --json} and the workspace's {@value #FILE}.
 * Times are in ns of the trace clock; sizes in KiB; counts are exact.
 *
 * @param wallNanos         the whole command, set-up and clean-up included
 * @param tracedNanos       from tracing on to tracing off
 * @param mode              {@code command}, {@code pids} or {@code machine}
 * @param eventsEnabled     the tracepoints enabled ({@code sys:event})
 * @param eventsSkipped     requested but not available on this kernel: entry → reason
 * @param eventsByName      captured events per bare event name
 * @param lostEvents        from {@code CPU:N [LOST M EVENTS]} markers in the stream
 * @param overrunEvents     the ring buffer's own count of overwritten/dropped events (per_cpu stats)
 * @param commandExitStatus the traced command's exit status, or null (no command / still running)
 */
public record CaptureReport(
        String workspace,
        String mode,
        List<String> command,
        List<Integer> pids,
        String instance,
        String clock,
        int bufferKbPerCpu,
        List<String> eventsEnabled,
        Map<String, String> eventsSkipped,
        long wallNanos,
        long tracedNanos,
        long bytesRead,
        long linesTotal,
        long events,
        Map<String, Long> eventsByName,
        long problems,
        String firstProblem,
        long lostEventMarkers,
        long lostEvents,
        long overrunEvents,
        List<Long> overrunByCpu,
        int mapsSnapshots,
        int mapsSnapshotsMissed,
        Integer commandExitStatus,
        boolean stoppedBySignal,
        List<String> notes) {

    public static final String FILE = "capture.json";

    /** Events lost to buffer overruns, by the larger of the two counts (markers may miss a final overrun). */
    public long lost() {
        return Math.max(lostEvents, overrunEvents);
    }
}
