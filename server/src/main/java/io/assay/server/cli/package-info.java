/**
 * The {@code assay-server} command line (picocli): {@code serve}, {@code token create|list},
 * {@code bench-ingest}. Exit codes: 0 ok, 1 runtime failure (message on stderr, no stack trace
 * for expected failures), 2 usage error.
 */
package io.assay.server.cli;
