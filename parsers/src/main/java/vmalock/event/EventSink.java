package vmalock.event;

/**
 * Receives what a parser finds, line by line. Every physical line of a source ends up in exactly one
 * of the three callbacks: an event (including LOST markers, which are events of kind
 * {@link EventKind#LOST}), a counted non-event line, or a problem. Nothing is silently dropped.
 */
public interface EventSink {
    /** An event; the instance is reused by the caller after this returns — copy it to keep it. */
    void event(Event e);

    /** A line that is not an event: a header, a blank line, … (LOST markers come as events). */
    void nonEventLine(NonEventKind kind, long line);

    /** A line that could not be parsed; {@code reason} says why in a few words. */
    void problem(long line, String reason);

    /** What kind of non-event line; names as in the truth files' {@code non_event_lines_by_kind}. */
    enum NonEventKind {
        HEADER, BLANK, OTHER;

        public String jsonName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
