package io.assay.server.api;

/** Bounds on what a refusal echoes back, so a problem answer never grows with the attacker's input. */
public final class Limits {
    /** Longest piece of client input quoted in a problem's detail. */
    static final int MAX_ECHO_CHARS = 64;
    /**
     * Idle time-out of every open connection while the connection limit is reached: short, so a
     * flood of connections that send nothing is cut off within seconds, not after the normal idle
     * time-out, and real clients get in again.
     */
    static final java.time.Duration AT_CONNECTION_LIMIT_IDLE = java.time.Duration.ofSeconds(2);

    private Limits() {}

    /** {@code text} cut to {@link #MAX_ECHO_CHARS} characters, with control characters replaced. */
    public static String excerpt(String text) {
        String cut = text.length() > MAX_ECHO_CHARS ? text.substring(0, MAX_ECHO_CHARS) + "..." : text;
        StringBuilder b = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }
}
