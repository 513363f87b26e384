package vmalock.store;

/** The file's checksum is already in the workspace: ingesting it again would double every figure. */
public final class DuplicateSourceException extends StoreException {
    public DuplicateSourceException(String message) {
        super(message);
    }
}
