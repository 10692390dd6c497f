package io.assay.agent.daemon;

import io.assay.agent.metrics.AgentMetrics;
import io.assay.agent.metrics.MetricsEndpoint;
import io.assay.agent.ship.ShipResult;
import io.assay.agent.spool.Spool;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's side of the metrics port: where the jobs report to, and what to close. Its fields
 * are JDK types only, and the metrics classes are named only inside {@link #start}, so with
 * {@code metrics.listen} empty neither the {@code metrics} package nor the JDK's HTTP server is
 * ever loaded (the agent's memory goal counts classes).
 */
final class LocalMetrics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalMetrics.class);
    static final LocalMetrics OFF = new LocalMetrics(n -> { }, r -> { }, () -> { });

    private final LongConsumer cycles;
    private final Consumer<List<ShipResult>> ships;
    private final AutoCloseable endpoint;

    private LocalMetrics(LongConsumer cycles, Consumer<List<ShipResult>> ships, AutoCloseable endpoint) {
        this.cycles = cycles;
        this.ships = ships;
        this.endpoint = endpoint;
    }

    /**
     * {@link #OFF} when {@code listen} is empty; else serves the metrics there. A port that cannot be
     * bound is logged as an error and the agent runs on without it: its evidence matters more than
     * its metrics.
     */
    static LocalMetrics start(String listen, Spool spool, Supplier<Map<String, Boolean>> shed) {
        if (listen.isEmpty()) return OFF;
        AgentMetrics metrics = new AgentMetrics(spool, shed);
        try {
            MetricsEndpoint endpoint = MetricsEndpoint.start(listen, metrics);
            return new LocalMetrics(metrics::recordCycle, metrics::recordShip, endpoint);
        } catch (IOException | RuntimeException e) {
            log.error("metrics: cannot listen on {} (metrics.listen): {}. The agent runs without its metrics port;"
                    + " choose a free loopback port and restart it.", listen, e.toString());
            return OFF;
        }
    }

    /** Told each sample tick's wall time, in nanoseconds. */
    LongConsumer cycles() {
        return cycles;
    }

    /** Told what each ship run's batches did. */
    Consumer<List<ShipResult>> ships() {
        return ships;
    }

    @Override
    public void close() throws Exception {
        endpoint.close();
    }
}
