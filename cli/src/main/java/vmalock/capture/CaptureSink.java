package vmalock.capture;

import java.util.Map;
import java.util.TreeMap;
import vmalock.event.Event;
import vmalock.event.EventKind;
import vmalock.event.EventSink;

/**
 * Between the parser and the workspace: passes every line on to the store unchanged, counts events
 * by name for the report, and turns process events into maps-snapshot requests (exec, fork, exit;
 * in whole-machine mode the first event of each process).
 */
final class CaptureSink implements EventSink {
    private final EventSink store;
    private final MapsSnapshotter maps;
    private final boolean follow;
    private final int rootPid;
    private boolean rootExeced;
    private final Map<String, long[]> byName = new TreeMap<>();
    private long events;
    private long lostMarkers;
    private long lostEvents;
    private long problems;
    private String firstProblem;

    /**
     * @param rootPid the traced command's pid (its first exec, by the launcher shell, has a "start" snapshot of its own), or -1
     */
    CaptureSink(EventSink store, MapsSnapshotter maps, boolean follow, int rootPid) {
        this.store = store;
        this.maps = maps;
        this.follow = follow;
        this.rootPid = rootPid;
    }

    @Override
    public void event(Event e) {
        store.event(e);
        if (e.kind == EventKind.LOST) {
            lostMarkers++;
            if (e.count > 0) lostEvents += e.count;
            return;
        }
        events++;
        byName.computeIfAbsent(e.name, k -> new long[1])[0]++;
        switch (e.kind) {
            case SCHED_PROCESS_EXEC:
                if (e.tid == rootPid && !rootExeced) {
                    rootExeced = true; // the launcher's exec of the command: its start snapshot is already taken
                } else {
                    maps.exec(e.tid);
                }
                break;
            case SCHED_PROCESS_FORK:
                maps.fork(e.otherPid);
                break;
            case SCHED_PROCESS_EXIT:
                maps.exit(e.otherPid != Event.UNKNOWN ? e.otherPid : e.tid, e.ts);
                break;
            default:
                if (!follow) maps.seen(e.tgid);
                break;
        }
    }

    @Override
    public void nonEventLine(NonEventKind kind, long line) {
        store.nonEventLine(kind, line);
    }

    @Override
    public void problem(long line, String reason) {
        store.problem(line, reason);
        if (problems++ == 0) firstProblem = "line " + line + ": " + reason;
    }

    Map<String, Long> eventsByName() {
        Map<String, Long> m = new TreeMap<>();
        byName.forEach((k, v) -> m.put(k, v[0]));
        return m;
    }

    long events() {
        return events;
    }

    long lostMarkers() {
        return lostMarkers;
    }

    long lostEvents() {
        return lostEvents;
    }

    long problems() {
        return problems;
    }

    String firstProblem() {
        return firstProblem;
    }
}
