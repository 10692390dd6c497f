/**
 * Compliance reports of a pledge: per host covered and unattested seconds, seconds per verdict,
 * findings with their evidence and energy where reported, fleet totals, and the log checkpoint
 * they were computed against ({@link io.assay.server.report.ComplianceReports}); written as JSON,
 * CSV or PDF ({@link io.assay.server.report.ReportFormat}). Coverage comes from the one coverage
 * computation over the ingest-kept stretches ({@link io.assay.server.coverage.HostCoverage}).
 */
package io.assay.server.report;
