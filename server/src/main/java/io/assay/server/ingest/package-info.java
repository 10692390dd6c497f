/**
 * Enrollment and report ingest, without HTTP: pin a host's key, then for each uploaded envelope
 * verify the signature against the pinned key, check the hash chain, and store the report with
 * its chain update in one transaction. Refusals are {@link io.assay.server.ingest.IngestRejectedException}
 * with a {@link io.assay.server.ingest.IngestRejectedException.Reason}; the API maps them to
 * problem JSON.
 */
package io.assay.server.ingest;
