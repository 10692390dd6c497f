package io.assay.protocol.log;

/**
 * Where proof building reads hashes from: the hash of the perfect subtree at {@code level}
 * covering leaves {@code [index * 2^level, (index + 1) * 2^level)}; level 0 is the leaf hashes.
 * A store that keeps these (about 2n of them for n leaves) answers any proof with O(log n) reads.
 */
@FunctionalInterface
public interface SubtreeSource {
    /**
     * @throws IllegalStateException the subtree is not complete or not stored
     */
    TreeHash node(int level, long index);
}
