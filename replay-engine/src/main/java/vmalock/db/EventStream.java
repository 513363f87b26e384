package vmalock.db;

import vmalock.event.Event;

/**
 * A run's events in order, filled into one reused {@link Event} — the shape of the workspace's
 * {@code EventReader::next}, and of a replay's output.
 */
@FunctionalInterface
public interface EventStream {
    /** Fills {@code e} with the next event; false at the end. */
    boolean next(Event e);

    /** A stream over a list (tests, small replays). */
    static EventStream of(Iterable<Event> events) {
        java.util.Iterator<Event> it = events.iterator();
        return e -> {
            if (!it.hasNext()) {
                return false;
            }
            e.copyFrom(it.next());
            return true;
        };
    }
}
