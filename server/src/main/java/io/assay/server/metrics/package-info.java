/**
 * The collector's Prometheus metrics ({@link io.assay.server.metrics.CollectorMetrics}, served
 * at {@code /metrics}) and its OpenAPI description ({@link io.assay.server.metrics.OpenApiRoutes},
 * {@code /api/v1/openapi.json}), both built from the live route table.
 */
package io.assay.server.metrics;
