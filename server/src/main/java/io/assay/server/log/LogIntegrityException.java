package io.assay.server.log;

/**
 * The stored log does not match what this collector signed: nodes edited, leaves removed, or a
 * checkpoint that does not verify. The collector refuses to start rather than sign over it.
 */
public final class LogIntegrityException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public LogIntegrityException(String message, Throwable cause) {
        super(message, cause);
    }

    public LogIntegrityException(String message) {
        super(message);
    }
}
