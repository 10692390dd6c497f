/**
 * The transparency log as every party checks it, with no storage and no I/O: RFC 9162 tree
 * hashing ({@link io.assay.protocol.log.Merkle}), inclusion and consistency proof building over
 * any source of perfect-subtree hashes and their verification, C2SP signed notes
 * ({@link io.assay.protocol.log.SignedNote}), {@code tlog-checkpoint} checkpoints
 * ({@link io.assay.protocol.log.Checkpoint}), note verifier keys
 * ({@link io.assay.protocol.log.NoteVerifierKey}) and {@code tlog-cosignature/v1} cosignatures
 * ({@link io.assay.protocol.log.Cosignature}). The collector, the witness and
 * {@code assay-verify} all use this one implementation.
 */
package io.assay.protocol.log;
