package vmalock.fleet;

import java.util.function.Consumer;
import vmalock.event.Event;
import vmalock.event.EventKind;
import vmalock.event.EventSink;
import vmalock.store.Manifest;

/**
 * Counts what a workspace's manifest entry records about a source, as {@code vmalock.store.IngestSession}
 * does, and hands every event on: the fleet job's stand-in for storing a source in a workspace.
 */
final class SourceCounter implements EventSink, Consumer<Event> {
    static final int PROBLEM_SAMPLES = 10;
    final Manifest.Source entry = new Manifest.Source();
    private final Consumer<Event> next;
    private long events;
    private boolean hasTs;
    private long firstTs;
    private long lastTs;

    SourceCounter(String path, String name, Consumer<Event> next) {
        this.next = next;
        entry.index = 0;
        entry.path = path;
        entry.name = name;
    }

    @Override
    public void event(Event e) {
        accept(e);
    }

    @Override
    public void accept(Event e) {
        if (e.kind == EventKind.LOST) {
            entry.lostEventMarkers++;
            if (e.count < 0) {
                entry.lostEventMarkersWithoutCount++;
            } else {
                entry.lostEvents += e.count;
            }
            entry.nonEventLines++;
            entry.nonEventLinesByKind.merge("lost_marker", 1L, Long::sum);
        } else {
            events++;
            if (!hasTs) {
                hasTs = true;
                firstTs = e.ts;
            }
            lastTs = e.ts;
        }
        next.accept(e);
    }

    @Override
    public void nonEventLine(NonEventKind kind, long line) {
        entry.nonEventLines++;
        entry.nonEventLinesByKind.merge(kind.jsonName(), 1L, Long::sum);
    }

    @Override
    public void problem(long line, String reason) {
        entry.problems++;
        if (entry.problemSamples.size() < PROBLEM_SAMPLES) entry.problemSamples.add(line + ": " + reason);
    }

    /** The entry as {@code IngestSession.commit} completes it. */
    Manifest.Source commit(String format, String clock, boolean counterClock, boolean barePointers,
                           Long inBuffer, Long written) {
        entry.events = events;
        if (hasTs) {
            entry.firstTs = firstTs;
            entry.lastTs = lastTs;
        }
        entry.format = format;
        entry.clock = clock == null ? "unknown" : clock;
        entry.timeUnit = counterClock ? "ticks" : "ns";
        entry.barePointers = barePointers;
        entry.headerEntriesInBuffer = inBuffer;
        entry.headerEntriesWritten = written;
        entry.linesTotal = entry.events + entry.nonEventLines + entry.problems;
        entry.complete = true;
        return entry;
    }
}
