package io.assay.protocol.evidence;

/**
 * The evidence bundle: one JSON file holding everything needed to verify a host's history for a
 * period offline. Written by {@code assay-server evidence export} and
 * {@code GET /api/v1/hosts/{id}/evidence}, read by {@code assay-verify}. Fields appear in this
 * order, so a reader can stream the reports:
 *
 * <pre>
 * { "format": "assay-evidence/v1", "exportedAt": ISO,
 *   "host": {"hostId", "publicKey" (base64), "keyId", "enrolledAt" (epoch ms), "hostname",
 *            "systemUuid", "boardSerial", "macs"},
 *   "period": {"from", "to"} (epoch ms),
 *   "logKey": note verifier key, "checkpoint": signed note with cosignature lines,
 *   "consistency": [{"from", "to", "hashes": [base64]}],
 *   "reports": [{"seq", "anchor" (the report before the period, for the first link),
 *                "leafIndex" (null: not in the log under this checkpoint),
 *                "envelope" (base64 of the exact bytes received), "proof": [base64]}],
 *   "events": [{"kind", "seq", "detail", "at"}] }
 * </pre>
 */
public final class EvidenceBundle {
    public static final String FORMAT = "assay-evidence/v1";

    private EvidenceBundle() {}
}
