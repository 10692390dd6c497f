package io.assay.protocol.log;

import io.assay.protocol.Hashes;
import io.assay.protocol.VerificationException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 9162 Merkle tree hashing, proofs and their verification. Pure functions, thread-safe.
 *
 * <p>Hashing: a leaf is {@code SHA-256(0x00 || data)}, an inner node {@code SHA-256(0x01 || left
 * || right)}, and the tree over n leaves splits at the largest power of two below n (section
 * 2.1.1). Proof building follows the recursive definitions of sections 2.1.3.1 and 2.1.4.1 over
 * a {@link SubtreeSource}: every left part of the recursion is a perfect, aligned subtree (one
 * read), and only the right edge needs combining, so a proof costs O(log n) reads. Verification
 * is the iterative algorithm of sections 2.1.3.2 and 2.1.4.2 and throws on failure.
 */
public final class Merkle {
    private Merkle() {}

    public static TreeHash leafHash(byte[] data) {
        MessageDigest md = Hashes.newSha256();
        md.update((byte) 0x00);
        md.update(data);
        return TreeHash.of(md.digest());
    }

    public static TreeHash nodeHash(TreeHash left, TreeHash right) {
        MessageDigest md = Hashes.newSha256();
        md.update((byte) 0x01);
        left.updateDigest(md);
        right.updateDigest(md);
        return TreeHash.of(md.digest());
    }

    /** The hash of the empty tree: SHA-256 of no bytes. */
    public static TreeHash emptyRoot() {
        return TreeHash.of(Hashes.sha256(new byte[0]));
    }

    /** The root of the tree of the first {@code size} leaves. */
    public static TreeHash root(SubtreeSource source, long size) {
        if (size < 0) throw new IllegalArgumentException("size must be >= 0, was " + size);
        return size == 0 ? emptyRoot() : range(source, 0, size);
    }

    /** The inclusion proof (audit path) of leaf {@code index} in the tree of {@code size} leaves. */
    public static List<TreeHash> inclusionProof(SubtreeSource source, long index, long size) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("leaf index " + index + " is not below tree size " + size);
        }
        List<TreeHash> out = new ArrayList<>();
        path(source, index, 0, size, out);
        return List.copyOf(out);
    }

    /** The consistency proof from the tree of {@code first} leaves to the tree of {@code second}. */
    public static List<TreeHash> consistencyProof(SubtreeSource source, long first, long second) {
        if (first < 0 || first > second) {
            throw new IllegalArgumentException("consistency needs 0 <= first <= second, got " + first + ", " + second);
        }
        List<TreeHash> out = new ArrayList<>();
        if (first > 0 && first < second) subproof(source, first, 0, second, true, out);
        return List.copyOf(out);
    }

    /** Largest power of two strictly below {@code n} (n >= 2). */
    static long split(long n) {
        return Long.highestOneBit(n - 1);
    }

    /** MTH(D[lo:hi]); lo is aligned to every power of two not above hi - lo by the recursion. */
    private static TreeHash range(SubtreeSource source, long lo, long hi) {
        long n = hi - lo;
        if (Long.bitCount(n) == 1) {
            if (lo % n != 0) throw new IllegalStateException("unaligned perfect subtree [" + lo + ", " + hi + ")");
            return source.node(Long.numberOfTrailingZeros(n), lo / n);
        }
        long k = split(n);
        return nodeHash(range(source, lo, lo + k), range(source, lo + k, hi));
    }

    private static void path(SubtreeSource source, long m, long lo, long hi, List<TreeHash> out) {
        if (hi - lo == 1) return;
        long k = split(hi - lo);
        if (m < lo + k) {
            path(source, m, lo, lo + k, out);
            out.add(range(source, lo + k, hi));
        } else {
            path(source, m, lo + k, hi, out);
            out.add(range(source, lo, lo + k));
        }
    }

    /** SUBPROOF(m, D[lo:hi], b) with m counted from lo. */
    private static void subproof(SubtreeSource source, long m, long lo, long hi, boolean b, List<TreeHash> out) {
        long n = hi - lo;
        if (m == n) {
            if (!b) out.add(range(source, lo, hi));
            return;
        }
        long k = split(n);
        if (m <= k) {
            subproof(source, m, lo, lo + k, b, out);
            out.add(range(source, lo + k, hi));
        } else {
            subproof(source, m - k, lo + k, hi, false, out);
            out.add(range(source, lo, lo + k));
        }
    }

    /**
     * Verifies that {@code leafHash} is leaf {@code index} of the tree of {@code size} leaves
     * whose root is {@code root} (RFC 9162 section 2.1.3.2).
     *
     * @throws VerificationException the proof does not lead to the root, or is malformed
     */
    public static void verifyInclusion(long index, long size, TreeHash leafHash, List<TreeHash> proof, TreeHash root)
            throws VerificationException {
        if (index < 0 || index >= size) {
            throw new VerificationException("inclusion proof: leaf index " + index + " is not below tree size " + size);
        }
        long fn = index;
        long sn = size - 1;
        TreeHash r = leafHash;
        for (TreeHash p : proof) {
            if (sn == 0) throw new VerificationException("inclusion proof of leaf " + index + " is too long");
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = nodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0) throw new VerificationException("inclusion proof of leaf " + index + " is too short");
        if (!r.equals(root)) {
            throw new VerificationException("inclusion proof of leaf " + index + " does not lead to the root of tree size "
                    + size);
        }
    }

    /**
     * Verifies that the tree of {@code first} leaves with root {@code firstRoot} is a prefix of
     * the tree of {@code second} leaves with root {@code secondRoot} (RFC 9162 section 2.1.4.2).
     * A first size of 0 is consistent with everything (empty proof).
     *
     * @throws VerificationException the trees are not consistent, or the proof is malformed
     */
    public static void verifyConsistency(long first, long second, TreeHash firstRoot, TreeHash secondRoot,
            List<TreeHash> proof) throws VerificationException {
        if (first < 0 || first > second) {
            throw new VerificationException("consistency proof: tree size " + second + " is smaller than " + first
                    + " (a log never shrinks)");
        }
        if (first == second || first == 0) {
            if (!proof.isEmpty()) throw new VerificationException("consistency proof from " + first + " to " + second
                    + " must be empty");
            if (first == second && !firstRoot.equals(secondRoot)) {
                throw new VerificationException("two different roots for tree size " + first + ": the log forked");
            }
            return;
        }
        if (proof.isEmpty()) throw new VerificationException("consistency proof from " + first + " to " + second
                + " is empty");
        List<TreeHash> path = new ArrayList<>(proof);
        if (Long.bitCount(first) == 1) path.add(0, firstRoot);
        long fn = first - 1;
        long sn = second - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        TreeHash fr = path.get(0);
        TreeHash sr = path.get(0);
        for (TreeHash c : path.subList(1, path.size())) {
            if (sn == 0) throw new VerificationException("consistency proof from " + first + " to " + second
                    + " is too long");
            if ((fn & 1) == 1 || fn == sn) {
                fr = nodeHash(c, fr);
                sr = nodeHash(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                sr = nodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0) throw new VerificationException("consistency proof from " + first + " to " + second
                + " is too short");
        if (!fr.equals(firstRoot)) {
            throw new VerificationException("consistency proof does not lead to the root of tree size " + first
                    + ": the older tree is not a prefix of tree size " + second);
        }
        if (!sr.equals(secondRoot)) {
            throw new VerificationException("consistency proof does not lead to the root of tree size " + second);
        }
    }
}
