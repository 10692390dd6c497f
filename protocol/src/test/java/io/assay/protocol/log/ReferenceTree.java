package io.assay.protocol.log;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 9162 section 2.1 written out literally over a list of leaf data: MTH, PATH and PROOF as
 * the RFC defines them, recursively, with no stored nodes. The test oracle for {@link Merkle}.
 */
final class ReferenceTree {
    private final List<byte[]> leaves;

    ReferenceTree(List<byte[]> leaves) {
        this.leaves = List.copyOf(leaves);
    }

    /** Leaves d(0), d(1), ...: d(i) is i as a 4-byte big-endian number, distinct for every i. */
    static ReferenceTree counting(int n) {
        List<byte[]> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(new byte[] {(byte) (i >> 24), (byte) (i >> 16), (byte) (i >> 8), (byte) i});
        return new ReferenceTree(l);
    }

    List<byte[]> leaves() {
        return leaves;
    }

    private static int k(int n) {
        int k = 1;
        while (k * 2 < n) k *= 2;
        return k;
    }

    TreeHash mth(int lo, int hi) {
        int n = hi - lo;
        if (n == 0) return Merkle.emptyRoot();
        if (n == 1) return Merkle.leafHash(leaves.get(lo));
        int k = k(n);
        return Merkle.nodeHash(mth(lo, lo + k), mth(lo + k, hi));
    }

    List<TreeHash> path(int m, int lo, int hi) {
        int n = hi - lo;
        List<TreeHash> out = new ArrayList<>();
        if (n == 1) return out;
        int k = k(n);
        if (m < k) {
            out.addAll(path(m, lo, lo + k));
            out.add(mth(lo + k, hi));
        } else {
            out.addAll(path(m - k, lo + k, hi));
            out.add(mth(lo, lo + k));
        }
        return out;
    }

    List<TreeHash> proof(int m, int n) {
        return subproof(m, 0, n, true);
    }

    private List<TreeHash> subproof(int m, int lo, int hi, boolean b) {
        int n = hi - lo;
        List<TreeHash> out = new ArrayList<>();
        if (m == n) {
            if (!b) out.add(mth(lo, hi));
            return out;
        }
        int k = k(n);
        if (m <= k) {
            out.addAll(subproof(m, lo, lo + k, b));
            out.add(mth(lo + k, hi));
        } else {
            out.addAll(subproof(m - k, lo + k, hi, false));
            out.add(mth(lo, lo + k));
        }
        return out;
    }

    /** Perfect-subtree hashes as a store would keep them. */
    SubtreeSource source() {
        return (level, index) -> {
            long lo = index << level;
            long hi = lo + (1L << level);
            if (hi > leaves.size()) throw new IllegalStateException("subtree " + level + "/" + index + " incomplete");
            return mth((int) lo, (int) hi);
        };
    }
}
