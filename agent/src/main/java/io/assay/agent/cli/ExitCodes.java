package io.assay.agent.cli;

import io.assay.agent.config.ConfigException;
import io.assay.agent.enroll.EnrollException;
import io.assay.agent.spool.SpoolException;
import io.assay.agent.state.NotEnrolledException;
import io.assay.agent.state.StateException;

/** What {@code assay-agent}'s exit status means; scripts and systemd units rely on these. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    public static final int NOT_ENROLLED = 3;
    /** {@code run} stopped itself to be restarted (over its self-watch budget); like EX_TEMPFAIL. */
    public static final int RESTART = 75;

    private ExitCodes() {}

    /** The exit code for a command that failed with {@code e} (usage errors of picocli's own aside). */
    static int of(Throwable e) {
        if (e instanceof ConfigException) return USAGE;
        if (e instanceof NotEnrolledException) return NOT_ENROLLED;
        if (e instanceof EnrollException ee) return ee.isUsage() ? USAGE : FAILURE;
        return FAILURE;
    }

    /** Whether {@code e} is an expected failure, told in one paragraph rather than a stack trace. */
    static boolean isExpected(Throwable e) {
        return e instanceof EnrollException || e instanceof StateException || e instanceof SpoolException;
    }
}
