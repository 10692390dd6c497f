package io.assay.protocol.log;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.protocol.VerificationException;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Random trees: every proof verifies; any single change to a proof, index, size or root does not. */
class MerklePropertiesTest {

    @Property(tries = 300)
    void inclusionProofsVerifyAndMutationsFail(@ForAll @IntRange(min = 1, max = 600) int size,
            @ForAll @IntRange(min = 0, max = 599) int rawIndex, @ForAll @IntRange(min = 0, max = 63) int which,
            @ForAll @IntRange(min = 0, max = 255) int bit) {
        int index = rawIndex % size;
        ReferenceTree ref = ReferenceTree.counting(size);
        TreeHash root = Merkle.root(ref.source(), size);
        TreeHash leaf = Merkle.leafHash(ref.leaves().get(index));
        List<TreeHash> proof = Merkle.inclusionProof(ref.source(), index, size);
        assertThatCode(() -> Merkle.verifyInclusion(index, size, leaf, proof, root)).doesNotThrowAnyException();

        if (!proof.isEmpty()) {
            List<TreeHash> flipped = flip(proof, which % proof.size(), bit);
            assertThatThrownBy(() -> Merkle.verifyInclusion(index, size, leaf, flipped, root))
                    .isInstanceOf(VerificationException.class);
            List<TreeHash> shorter = proof.subList(0, proof.size() - 1);
            assertThatThrownBy(() -> Merkle.verifyInclusion(index, size, leaf, shorter, root))
                    .isInstanceOf(VerificationException.class);
        }
        List<TreeHash> longer = new ArrayList<>(proof);
        longer.add(leaf);
        assertThatThrownBy(() -> Merkle.verifyInclusion(index, size, leaf, longer, root))
                .isInstanceOf(VerificationException.class);
        if (size > 1) {
            int other = (index + 1) % size;
            assertThatThrownBy(() -> Merkle.verifyInclusion(other, size, leaf, proof, root))
                    .isInstanceOf(VerificationException.class);
        }
        TreeHash wrongLeaf = Merkle.leafHash(new byte[] {1, 2, 3, 4, 5});
        assertThatThrownBy(() -> Merkle.verifyInclusion(index, size, wrongLeaf, proof, root))
                .isInstanceOf(VerificationException.class);
    }

    @Property(tries = 300)
    void consistencyProofsVerifyAndMutationsFail(@ForAll @IntRange(min = 2, max = 600) int second,
            @ForAll @IntRange(min = 1, max = 599) int rawFirst, @ForAll @IntRange(min = 0, max = 63) int which,
            @ForAll @IntRange(min = 0, max = 255) int bit) {
        int first = 1 + rawFirst % (second - 1);
        ReferenceTree ref = ReferenceTree.counting(second);
        TreeHash r1 = Merkle.root(ref.source(), first);
        TreeHash r2 = Merkle.root(ref.source(), second);
        List<TreeHash> proof = Merkle.consistencyProof(ref.source(), first, second);
        assertThatCode(() -> Merkle.verifyConsistency(first, second, r1, r2, proof)).doesNotThrowAnyException();

        List<TreeHash> flipped = flip(proof, which % proof.size(), bit);
        assertThatThrownBy(() -> Merkle.verifyConsistency(first, second, r1, r2, flipped))
                .isInstanceOf(VerificationException.class);
        assertThatThrownBy(() -> Merkle.verifyConsistency(first, second, r2, r2, proof))
                .isInstanceOf(VerificationException.class);
        assertThatThrownBy(() -> Merkle.verifyConsistency(first, second, r1, r1, proof))
                .isInstanceOf(VerificationException.class);
        assertThatThrownBy(() -> Merkle.verifyConsistency(first, second, r1, r2, proof.subList(0, proof.size() - 1)))
                .isInstanceOf(VerificationException.class);
    }

    private static List<TreeHash> flip(List<TreeHash> proof, int at, int bit) {
        List<TreeHash> out = new ArrayList<>(proof);
        byte[] b = out.get(at).bytes();
        b[bit / 8] ^= (byte) (1 << (bit % 8));
        out.set(at, TreeHash.of(b));
        return out;
    }
}
