package io.assay.server.store;

import static java.util.Objects.requireNonNull;

/**
 * A report as stored: its index row and the envelope JSON. The envelope carries the payload
 * bytes exactly as the agent signed them (base64 inside the envelope), so re-verifying a stored
 * report needs nothing but this and the host's pinned key.
 */
public record StoredReport(ReportRow row, String envelopeJson) {
    public StoredReport {
        requireNonNull(row, "row");
        requireNonNull(envelopeJson, "envelopeJson");
    }
}
