package vmalock.parse;

/**
 * A source that cannot be read or parsed at all (missing, unreadable, empty, binary, unknown format,
 * corrupt compression) or, in strict mode, the first bad line. The message is one line that names
 * the file (and the line, when there is one) — meant to be printed as is, never with a stack trace.
 */
public final class TraceInputException extends Exception {
    private static final long serialVersionUID = 1L;

    public TraceInputException(String message) {
        super(message, null, false, false);
    }

    public TraceInputException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
