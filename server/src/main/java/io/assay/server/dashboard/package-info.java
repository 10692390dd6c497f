/**
 * The collector's web dashboard ({@link io.assay.server.dashboard.DashboardRoutes}): fleet, host,
 * alerts and findings, pledges with report downloads, IP-check upload; server-rendered HTML in
 * English and Chinese, behind a token login.
 */
package io.assay.server.dashboard;
