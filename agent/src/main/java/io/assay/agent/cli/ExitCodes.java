package io.assay.agent.cli;

/** What {@code assay-agent}'s exit status means; scripts and systemd units rely on these. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    public static final int NOT_ENROLLED = 3;
    /** {@code run} stopped itself to be restarted (over its self-watch budget); like EX_TEMPFAIL. */
    public static final int RESTART = 75;

    private ExitCodes() {}
}
