/**
 * Turns a window of samples and the detector's judgement into a {@link io.assay.agent.report.ReportDraft}:
 * a report without its chain position, which the spool numbers, chains and signs.
 */
package io.assay.agent.report;
