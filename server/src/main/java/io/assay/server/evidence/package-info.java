/**
 * Evidence export: a host's enrollment record and pinned key, every envelope of a period byte for
 * byte, their inclusion proofs against one signed checkpoint, consistency proofs to checkpoints
 * an auditor saved, and the log key, in one file ({@link io.assay.protocol.evidence.EvidenceBundle})
 * that {@code assay-verify} checks offline. Works on the database alone
 * ({@code assay-server evidence export}) and over HTTP ({@code GET /api/v1/hosts/{id}/evidence}).
 */
package io.assay.server.evidence;
