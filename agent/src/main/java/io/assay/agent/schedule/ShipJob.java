package io.assay.agent.schedule;

import io.assay.agent.ship.ShipResult;
import io.assay.agent.ship.Shipper;
import io.assay.agent.spool.SpoolException;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships what the spool holds, a bounded number of batches per run so shutdown stays prompt. A
 * spool that cannot be written (disk full) is logged once, in one line, and tried again next run:
 * what the collector stored meanwhile is acknowledged as a duplicate then.
 */
public final class ShipJob implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ShipJob.class);
    static final int MAX_BATCHES_PER_RUN = 20;
    private final Shipper shipper;
    private final Consumer<List<ShipResult>> results;
    private boolean failing;

    public ShipJob(Shipper shipper) {
        this(shipper, r -> { });
    }

    /** @param results told what each run's batches did (the metrics port counts failures) */
    public ShipJob(Shipper shipper, Consumer<List<ShipResult>> results) {
        this.shipper = shipper;
        this.results = results;
    }

    @Override
    public void run() {
        try {
            results.accept(shipper.drain(MAX_BATCHES_PER_RUN));
            failing = false;
        } catch (SpoolException e) {
            if (!failing) log.warn("shipping paused: {}", e.getMessage());
            failing = true;
        }
    }
}
