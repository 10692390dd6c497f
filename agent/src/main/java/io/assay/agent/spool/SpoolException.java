package io.assay.agent.spool;

/** The spool database cannot be opened, read or written; the message names the file and what to do. */
public final class SpoolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SpoolException(String message, Throwable cause) {
        super(message, cause);
    }

    public SpoolException(String message) {
        super(message);
    }
}
