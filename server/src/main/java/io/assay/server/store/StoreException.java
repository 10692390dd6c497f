package io.assay.server.store;

/**
 * The database failed (I/O, corruption, lock timeout, schema from a newer version). Unchecked:
 * callers cannot fix it, only report it; the message names the database and the failed step.
 */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
