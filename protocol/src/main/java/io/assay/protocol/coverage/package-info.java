/**
 * Coverage: for one host and period, which time is covered by valid reports (with their
 * verdicts) and which is a gap, and why. One pure computation ({@link
 * io.assay.protocol.coverage.Coverage#compute}) used by the collector's API, the compliance
 * report, the dashboard and {@code assay-verify}. A gap is never clean.
 */
package io.assay.protocol.coverage;
