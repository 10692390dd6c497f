/**
 * Coverage of a host over a period, from the stored reports, through the one computation in
 * {@code io.assay.protocol.coverage} (also used by {@code assay-verify}):
 * {@link io.assay.server.coverage.HostCoverage#of} for the compliance report and the dashboard,
 * {@code GET /api/v1/hosts/{id}/coverage?from=&to=} ({@link io.assay.server.coverage.CoverageRoutes})
 * for auditors.
 */
package io.assay.server.coverage;
