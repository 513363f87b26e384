package vmalock.parse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import vmalock.event.Event;
import vmalock.event.EventKind;
import vmalock.event.EventSink;

/** Test sink: counts what the truth files count, and optionally keeps copies of the events. */
class CountingSink implements EventSink {
    final boolean keep;
    final List<Event> events = new ArrayList<>();
    final Map<String, Long> byType = new TreeMap<>();
    final Map<String, Long> byComm = new HashMap<>();
    final Map<String, Long> nonEvent = new TreeMap<>();
    final List<Long> nonEventLines = new ArrayList<>();
    final Map<Long, String> problems = new TreeMap<>();
    final Set<Long> mms = new HashSet<>();
    long total;
    long lostMarkers;
    long lostEvents;
    long readAcq;
    long writeAcq;
    long failedAcq;
    long lastLine;
    SourceResult result;
    /** Set for CSV input: events carry their original (trace) line numbers, not the CSV's. */
    boolean csv;

    CountingSink(boolean keep) {
        this.keep = keep;
    }

    @Override
    public void event(Event e) {
        if (!csv) check(e.line); // CSV events keep the line of the original trace

        if (keep) events.add(e.copy());
        if (e.kind == EventKind.LOST) {
            lostMarkers++;
            if (e.count > 0) lostEvents += e.count;
            nonEvent.merge("lost_marker", 1L, Long::sum);
            return;
        }
        total++;
        byType.merge(e.name, 1L, Long::sum);
        byComm.merge(String.valueOf(e.comm), 1L, Long::sum);
        if (e.kind.isMmapLock()) mms.add(e.mm);
        if (e.kind == EventKind.MMAP_LOCK_ACQUIRE_RETURNED) {
            if (!e.success) failedAcq++;
            else if (e.write) writeAcq++;
            else readAcq++;
        }
    }

    private void check(long line) {
        if (line <= lastLine) throw new AssertionError("line " + line + " reported after line " + lastLine);
        lastLine = line;
    }

    @Override
    public void nonEventLine(NonEventKind kind, long line) {
        check(line);
        nonEvent.merge(kind.jsonName(), 1L, Long::sum);
        nonEventLines.add(line);
    }

    @Override
    public void problem(long line, String reason) {
        check(line);
        problems.put(line, reason);
    }

    long nonEventTotal() {
        long n = 0;
        for (Map.Entry<String, Long> en : nonEvent.entrySet()) n += en.getValue();
        return n;
    }
}
