package vmalock.store;

/**
 * A workspace problem the user can act on (missing or damaged workspace, duplicate source, busy
 * lock, …). Its message is a complete one-line explanation; commands print it without a stack trace.
 */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
