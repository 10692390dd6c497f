package io.assay.server.ingest;

import io.assay.protocol.Report;
import io.assay.server.store.Store;
import java.time.Instant;
import java.util.List;

/**
 * Told of each report the {@link Ingestor} stores, inside the storing transaction: what it writes
 * there commits or rolls back with the report (the address book, the alert outbox). It must not
 * block on anything but the transaction, and must not throw for a report it does not care about.
 */
@FunctionalInterface
public interface IngestListener {
    IngestListener NONE = (tx, hostId, report, receivedAt, sourceAddress) -> {};

    /**
     * @param sourceAddress the IP address the upload came from as the collector saw it; "" when
     *     the caller did not say
     */
    void stored(Store.Tx tx, String hostId, Report report, Instant receivedAt, String sourceAddress);

    /** Calls each of {@code listeners} in order. */
    static IngestListener all(List<IngestListener> listeners) {
        List<IngestListener> copy = List.copyOf(listeners);
        return (tx, hostId, report, receivedAt, source) -> {
            for (IngestListener l : copy) l.stored(tx, hostId, report, receivedAt, source);
        };
    }
}
