package io.assay.server.ipcheck;

import io.assay.protocol.Report;
import io.assay.server.ingest.IngestListener;
import io.assay.server.store.FleetTables.AddressHeld;
import io.assay.server.store.FleetTables.AddressSource;
import io.assay.server.store.Store;
import java.time.Duration;
import java.time.Instant;

/**
 * Records, with each stored report, which addresses its host held during the report's window:
 * those the agent states ({@link AddressSource#INTERFACE}), over the window, and the one the
 * upload came from ({@link AddressSource#UPLOAD}: a NAT's public address, which is what regulators
 * usually see), around the time of receipt.
 * Consecutive windows join into one stretch, so a host on one address for a month is one row.
 */
public final class AddressBook implements IngestListener {
    /** Windows this close together are one stretch: an agent restart or a late upload is not a change of address. */
    static final Duration JOIN = Duration.ofMinutes(5);

    @Override
    public void stored(Store.Tx tx, String hostId, Report report, Instant receivedAt, String sourceAddress) {
        long from = report.windowStartMs();
        long to = report.windowEndMs();
        for (String a : report.addresses()) {
            // An agent's unparseable claim is kept out of the book, not a reason to refuse its signed report.
            Cidr.canonical(a).ifPresent(c -> tx.fleet().recordAddress(
                    new AddressHeld(hostId, c, AddressSource.INTERFACE, from, to), JOIN.toMillis()));
        }
        // The upload address is known at receipt, not during the window (a spooled report may
        // arrive days late from elsewhere): a stretch of the window's length ending at receipt.
        long received = receivedAt.toEpochMilli();
        Cidr.canonical(sourceAddress).ifPresent(c -> tx.fleet().recordAddress(
                new AddressHeld(hostId, c, AddressSource.UPLOAD, received - (to - from), received), JOIN.toMillis()));
    }
}
