package io.assay.agent.enroll;

/**
 * Enrollment failed; the message says why and what to do.
 *
 * @see #isUsage() whether the failure is the caller's (exit code 2) rather than a runtime one
 */
public final class EnrollException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean usage;

    public EnrollException(String message, boolean usage) {
        super(message);
        this.usage = usage;
    }

    public EnrollException(String message, Throwable cause) {
        super(message, cause);
        this.usage = false;
    }

    public boolean isUsage() {
        return usage;
    }
}
