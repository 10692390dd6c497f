/**
 * The Assay collector. {@link io.assay.server.Collector#start} runs one from a
 * {@link io.assay.server.ServerConfig} and a clock; the CLI ({@code io.assay.server.cli}) and the
 * tests both start it this way. Features live in sub-packages: {@code api} (HTTP), {@code ingest}
 * (enroll, verify, chain), {@code store} (database), {@code auth} (tokens), {@code bench}.
 */
package io.assay.server;
