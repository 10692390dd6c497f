/**
 * {@code assay-server bench-ingest}: an on-demand ingest throughput measurement over real HTTP
 * and a real SQLite file. A benchmark, not a test: it prints numbers and asserts nothing.
 */
package io.assay.server.bench;
