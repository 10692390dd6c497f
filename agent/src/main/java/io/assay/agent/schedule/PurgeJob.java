package io.assay.agent.schedule;

import io.assay.agent.spool.Spool;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Deletes reports the collector acknowledged longer than {@code spool.retention.acked} ago. */
public final class PurgeJob implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(PurgeJob.class);
    private final Spool spool;
    private final Clock clock;
    private final Duration retention;

    public PurgeJob(Spool spool, Clock clock, Duration retention) {
        this.spool = spool;
        this.clock = clock;
        this.retention = retention;
    }

    @Override
    public void run() {
        int n = spool.purgeAcked(clock.instant().minus(retention));
        log.info("spool {}: purged {} acknowledged report(s) older than {}", spool.file(), n, retention);
    }
}
