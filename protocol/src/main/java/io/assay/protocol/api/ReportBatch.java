package io.assay.protocol.api;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.Envelope;
import java.util.List;

/** {@code POST /api/v1/reports} body: envelopes of one host, in seq order. */
public record ReportBatch(List<Envelope> reports) {
    public ReportBatch {
        reports = List.copyOf(requireNonNull(reports, "reports"));
    }
}
