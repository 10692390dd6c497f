/**
 * The collector's transparency log: the sequencer that turns stored reports into leaves in
 * batches ({@link io.assay.server.log.Sequencer}), the stored perfect-subtree hashes proofs are
 * read from ({@link io.assay.server.log.StoredSubtrees}), signed checkpoints and the start-up
 * check against the last one ({@link io.assay.server.log.TransparencyLog}), the witness client
 * and the small witness server ({@link io.assay.server.log.WitnessServer}), the log key file,
 * and the {@code /api/v1/log/...} routes. The maths lives in {@code io.assay.protocol.log}.
 */
package io.assay.server.log;
