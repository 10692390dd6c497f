package io.assay.server.ingest;

import io.assay.protocol.Report;
import io.assay.server.store.ChainBreak;
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

    /**
     * An upload was refused because it did not continue the host's chain, and recorded as
     * {@code recorded} in {@code tx} (which commits: the refusal is an answer, not a failure).
     * Told of every such refusal, including repeats at the same chain end ({@code refusals} > 1).
     */
    default void chainBroken(Store.Tx tx, ChainBreak recorded, Instant receivedAt) {}

    /** Calls each of {@code listeners} in order. */
    static IngestListener all(List<IngestListener> listeners) {
        List<IngestListener> copy = List.copyOf(listeners);
        return new IngestListener() {
            @Override
            public void stored(Store.Tx tx, String hostId, Report report, Instant receivedAt, String source) {
                for (IngestListener l : copy) l.stored(tx, hostId, report, receivedAt, source);
            }

            @Override
            public void chainBroken(Store.Tx tx, ChainBreak recorded, Instant receivedAt) {
                for (IngestListener l : copy) l.chainBroken(tx, recorded, receivedAt);
            }
        };
    }
}
