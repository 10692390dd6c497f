package io.assay.protocol.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.protocol.VerificationException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 9162 tree, inclusion and consistency vectors. The roots are the Certificate Transparency
 * test vectors for the eight leaves below (the ones RFC 6962 implementations share); every
 * inclusion and consistency proof of trees up to 70 leaves is compared with the RFC's own
 * recursive definitions ({@link ReferenceTree}) and verified, with the failing case named.
 */
class MerkleVectorsTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final List<byte[]> LEAVES = List.of(
            HEX.parseHex(""), HEX.parseHex("00"), HEX.parseHex("10"), HEX.parseHex("2021"), HEX.parseHex("3031"),
            HEX.parseHex("40414243"), HEX.parseHex("5051525354555657"),
            HEX.parseHex("606162636465666768696a6b6c6d6e6f"));
    private static final List<String> ROOTS = List.of(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    @Test
    void emptyTreeRootIsSha256OfNothing() {
        assertThat(HEX.formatHex(Merkle.emptyRoot().bytes()))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void rootsOfTheSharedVectors() {
        for (int n = 1; n <= LEAVES.size(); n++) {
            ReferenceTree ref = new ReferenceTree(LEAVES.subList(0, n));
            assertThat(HEX.formatHex(ref.mth(0, n).bytes())).as("reference root of size %d", n).isEqualTo(ROOTS.get(n - 1));
            assertThat(HEX.formatHex(Merkle.root(ref.source(), n).bytes())).as("stored-node root of size %d", n)
                    .isEqualTo(ROOTS.get(n - 1));
        }
    }

    @Test
    void inclusionProofsMatchTheRfcDefinitionAndVerify() throws VerificationException {
        ReferenceTree ref = ReferenceTree.counting(70);
        for (int n = 1; n <= 70; n++) {
            TreeHash root = ref.mth(0, n);
            for (int m = 0; m < n; m++) {
                List<TreeHash> proof = Merkle.inclusionProof(ref.source(), m, n);
                assertThat(proof).as("inclusion of leaf %d in size %d", m, n).isEqualTo(ref.path(m, 0, n));
                Merkle.verifyInclusion(m, n, Merkle.leafHash(ref.leaves().get(m)), proof, root);
            }
        }
    }

    @Test
    void consistencyProofsMatchTheRfcDefinitionAndVerify() throws VerificationException {
        ReferenceTree ref = ReferenceTree.counting(70);
        for (int n = 1; n <= 70; n++) {
            for (int m = 1; m <= n; m++) {
                List<TreeHash> proof = Merkle.consistencyProof(ref.source(), m, n);
                List<TreeHash> expected = m == n ? List.of() : ref.proof(m, n);
                assertThat(proof).as("consistency %d -> %d", m, n).isEqualTo(expected);
                Merkle.verifyConsistency(m, n, ref.mth(0, m), ref.mth(0, n), proof);
            }
        }
    }

    @Test
    void consistencyRefusesAShrunkOrForkedTree() {
        ReferenceTree ref = ReferenceTree.counting(8);
        assertThatThrownBy(() -> Merkle.verifyConsistency(8, 7, ref.mth(0, 8), ref.mth(0, 7), List.of()))
                .isInstanceOf(VerificationException.class).hasMessageContaining("never shrinks");
        ReferenceTree other = ReferenceTree.counting(9);
        List<byte[]> forked = new ArrayList<>(other.leaves());
        forked.set(3, new byte[] {9, 9});
        TreeHash forkedRoot = new ReferenceTree(forked).mth(0, 8);
        assertThatThrownBy(() -> Merkle.verifyConsistency(8, 8, ref.mth(0, 8), forkedRoot, List.of()))
                .isInstanceOf(VerificationException.class).hasMessageContaining("forked");
        List<TreeHash> proof = Merkle.consistencyProof(ref.source(), 5, 8);
        assertThatThrownBy(() -> Merkle.verifyConsistency(5, 8, new ReferenceTree(forked).mth(0, 5), ref.mth(0, 8), proof))
                .isInstanceOf(VerificationException.class).hasMessageContaining("not a prefix");
    }
}
