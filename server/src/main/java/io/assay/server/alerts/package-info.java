/**
 * Alerts: a host starts mining (raised in the transaction that stores the report, so an alert is
 * never lost to a crash), a fork in a host's chain, a host unattested longer than a bound. Kept
 * in the store until acknowledged, and posted to webhooks signed with HMAC-SHA256, retried with
 * exponential backoff ({@link io.assay.server.alerts.AlertDispatcher}). Routes:
 * {@link io.assay.server.alerts.AlertRoutes}.
 */
package io.assay.server.alerts;
