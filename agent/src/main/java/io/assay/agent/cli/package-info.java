/**
 * The {@code assay-agent} command line (picocli): {@code enroll}, {@code run}, {@code status}.
 * Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error, 3 not enrolled.
 */
package io.assay.agent.cli;
