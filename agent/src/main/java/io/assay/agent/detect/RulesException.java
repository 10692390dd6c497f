package io.assay.agent.detect;

/**
 * A rules or allowlist file was refused. Carries where ({@link #file()}, {@link #line()}, 0 when
 * unknown) and why ({@link #reason()}); the message reads {@code FILE:LINE: reason}.
 */
public final class RulesException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final int line;
    private final String reason;

    public RulesException(String file, int line, String reason) {
        super(file + ":" + line + ": " + reason);
        this.file = file;
        this.line = line;
        this.reason = reason;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    public String reason() {
        return reason;
    }
}
