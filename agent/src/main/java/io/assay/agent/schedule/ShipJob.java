package io.assay.agent.schedule;

import io.assay.agent.ship.Shipper;

/** Ships what the spool holds, a bounded number of batches per run so shutdown stays prompt. */
public final class ShipJob implements Runnable {
    static final int MAX_BATCHES_PER_RUN = 20;
    private final Shipper shipper;

    public ShipJob(Shipper shipper) {
        this.shipper = shipper;
    }

    @Override
    public void run() {
        shipper.drain(MAX_BATCHES_PER_RUN);
    }
}
