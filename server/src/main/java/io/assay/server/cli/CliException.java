package io.assay.server.cli;

/** An expected failure of a command; its message (what, why, what to do) is all the user sees. */
public final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }

    public CliException(String message) {
        super(message);
    }
}
