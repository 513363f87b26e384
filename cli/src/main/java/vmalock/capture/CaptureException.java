package vmalock.capture;

/**
 * A capture that cannot start or go on, with a one-line message saying what is missing and how to
 * get it, and the exit code the command returns for it.
 */
public final class CaptureException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the capture failed; the command maps each to a documented exit code. */
    public enum Kind {
        /** Not root, no tracefs, kernel lockdown, none of the events available. */
        ENVIRONMENT,
        /** Another vmalock capture is running. */
        BUSY,
        /** Bad --events / --pid / command (not found, no such pid). */
        INPUT,
        /** The workspace cannot be created or written. */
        WORKSPACE,
        /** tracefs refused a write or a read failed mid-capture. */
        TRACEFS
    }

    private final Kind kind;

    public CaptureException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public CaptureException(Kind kind, String message, Throwable cause) {
        super(message, cause, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
