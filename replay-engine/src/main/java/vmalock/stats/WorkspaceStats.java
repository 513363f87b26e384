package vmalock.stats;

import java.util.List;
import vmalock.event.Event;
import vmalock.store.EventReader;
import vmalock.store.Manifest;
import vmalock.store.StoreException;
import vmalock.store.Workspace;

/** Runs {@link ObservedStats} over the stored events of some sources of a workspace. */
public final class WorkspaceStats {
    public final List<Manifest.Source> sources;
    public final ObservedStats stats;
    /** True when every source uses a counter clock (figures in ticks), false when all use ns. */
    public final boolean ticks;

    private WorkspaceStats(List<Manifest.Source> sources, ObservedStats stats, boolean ticks) {
        this.sources = sources;
        this.stats = stats;
        this.ticks = ticks;
    }

    /** Statistics computed elsewhere (the fleet job's parse and replay tasks, from events that never were in a workspace). */
    public static WorkspaceStats of(List<Manifest.Source> sources, ObservedStats stats, boolean ticks) {
        return new WorkspaceStats(sources, stats, ticks);
    }

    /**
     * Computes the statistics of the given sources (all complete sources when {@code only} is empty).
     * Sources must share a clock unit: ns and tick figures do not add up.
     */
    public static WorkspaceStats compute(Workspace ws, List<Integer> only) {
        List<Manifest.Source> sources = ws.sources(only);
        if (sources.isEmpty()) {
            throw new StoreException(ws.dir() + ": the workspace has no ingested sources");
        }
        boolean ticks = sources.get(0).counterClock();
        for (Manifest.Source s : sources) {
            if (s.counterClock() != ticks) {
                throw new StoreException(ws.dir() + ": sources " + sources.get(0).index + " (" + sources.get(0).clock
                        + " clock) and " + s.index + " (" + s.clock + " clock) count time in different units; "
                        + "choose sources of one kind with --source");
            }
        }
        ObservedStats st = new ObservedStats();
        try (EventReader r = ws.reader(sources)) {
            Event e = new Event();
            Manifest.Source cur = null;
            while (r.next(e)) {
                if (r.source() != cur) {
                    if (cur != null) {
                        st.endSource();
                    }
                    cur = r.source();
                }
                st.accept(e);
            }
            st.endSource();
        }
        return new WorkspaceStats(sources, st, ticks);
    }
}
