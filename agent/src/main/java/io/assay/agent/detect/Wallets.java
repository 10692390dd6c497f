package io.assay.agent.detect;

import io.assay.protocol.Hashes;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.crypto.digests.KeccakDigest;

/**
 * Wallet address checks. A string that merely looks like an address is not evidence; one whose
 * checksum holds is (the chance that random text passes a 32-bit checksum is 1 in 4 billion).
 * Addresses are only ever shown in part ({@link #partial}).
 */
public final class Wallets {
    static final String BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static final String BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    private Wallets() {}

    /** How a format's checksum is verified. */
    public enum Check { BASE58CHECK, MONERO, BECH32, NONE }

    /** First and last six characters: enough to match against an operator's records, not enough to reuse. */
    public static String partial(String wallet) {
        if (wallet.length() <= 14) return wallet.substring(0, Math.min(4, wallet.length())) + "…";
        return wallet.substring(0, 6) + "…" + wallet.substring(wallet.length() - 6);
    }

    /**
     * Whether {@code address} passes {@code check}.
     *
     * @param versions for Base58Check, the allowed version prefixes as hex ("00", "05", "1cb8"); empty allows any
     */
    public static boolean isValid(String address, Check check, List<String> versions) {
        return switch (check) {
            case BASE58CHECK -> isBase58Check(address, versions);
            case MONERO -> isMonero(address);
            case BECH32 -> isBech32(address);
            case NONE -> true;
        };
    }

    public static Optional<byte[]> base58Decode(String s) {
        BigInteger n = BigInteger.ZERO;
        for (int i = 0; i < s.length(); i++) {
            int d = BASE58.indexOf(s.charAt(i));
            if (d < 0) return Optional.empty();
            n = n.multiply(BigInteger.valueOf(58)).add(BigInteger.valueOf(d));
        }
        byte[] raw = n.toByteArray();
        if (raw.length > 1 && raw[0] == 0) raw = Arrays.copyOfRange(raw, 1, raw.length);
        if (n.signum() == 0) raw = new byte[0];
        int zeros = 0;
        while (zeros < s.length() && s.charAt(zeros) == '1') zeros++;
        byte[] out = new byte[zeros + raw.length];
        System.arraycopy(raw, 0, out, zeros, raw.length);
        return Optional.of(out);
    }

    public static String base58Encode(byte[] data) {
        BigInteger n = new BigInteger(1, data);
        StringBuilder sb = new StringBuilder();
        BigInteger b58 = BigInteger.valueOf(58);
        while (n.signum() > 0) {
            BigInteger[] qr = n.divideAndRemainder(b58);
            sb.append(BASE58.charAt(qr[1].intValue()));
            n = qr[0];
        }
        for (int i = 0; i < data.length && data[i] == 0; i++) sb.append('1');
        return sb.reverse().toString();
    }

    /** Payload + first four bytes of SHA-256(SHA-256(payload)), Base58-encoded. */
    public static String base58CheckEncode(byte[] payload) {
        byte[] sum = Hashes.sha256(Hashes.sha256(payload));
        byte[] all = Arrays.copyOf(payload, payload.length + 4);
        System.arraycopy(sum, 0, all, payload.length, 4);
        return base58Encode(all);
    }

    static boolean isBase58Check(String address, List<String> versions) {
        Optional<byte[]> d = base58Decode(address);
        if (d.isEmpty() || d.get().length < 5) return false;
        byte[] all = d.get();
        byte[] payload = Arrays.copyOf(all, all.length - 4);
        byte[] sum = Hashes.sha256(Hashes.sha256(payload));
        for (int i = 0; i < 4; i++) if (sum[i] != all[payload.length + i]) return false;
        if (versions.isEmpty()) return true;
        String hex = HexFormat.of().formatHex(payload);
        for (String v : versions) {
            // version prefix + a 20-byte hash: the shape of every P2PKH/P2SH-style address
            if (hex.startsWith(v.toLowerCase(Locale.ROOT)) && payload.length == v.length() / 2 + 20) return true;
        }
        return false;
    }

    // Monero's base58 encodes 8-byte blocks as 11 characters; a final short block uses this table.
    private static final int[] MONERO_BLOCK_BYTES = {0, -1, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8};

    public static Optional<byte[]> moneroDecode(String s) {
        int full = s.length() / 11;
        int rest = s.length() % 11;
        if (MONERO_BLOCK_BYTES[rest] < 0) return Optional.empty();
        byte[] out = new byte[full * 8 + MONERO_BLOCK_BYTES[rest]];
        for (int b = 0; b <= full; b++) {
            int start = b * 11;
            int len = b < full ? 11 : rest;
            if (len == 0) break;
            int bytes = b < full ? 8 : MONERO_BLOCK_BYTES[rest];
            BigInteger n = BigInteger.ZERO;
            for (int i = start; i < start + len; i++) {
                int d = BASE58.indexOf(s.charAt(i));
                if (d < 0) return Optional.empty();
                n = n.multiply(BigInteger.valueOf(58)).add(BigInteger.valueOf(d));
            }
            if (n.bitLength() > bytes * 8) return Optional.empty();
            for (int i = 0; i < bytes; i++) out[b * 8 + bytes - 1 - i] = n.shiftRight(8 * i).byteValue();
        }
        return Optional.of(out);
    }

    public static String moneroEncode(byte[] data) {
        StringBuilder sb = new StringBuilder();
        int[] charsFor = {0, 2, 3, 5, 6, 7, 9, 10, 11};
        for (int off = 0; off < data.length; off += 8) {
            int len = Math.min(8, data.length - off);
            BigInteger n = new BigInteger(1, Arrays.copyOfRange(data, off, off + len));
            char[] block = new char[charsFor[len]];
            Arrays.fill(block, '1');
            for (int i = block.length - 1; i >= 0 && n.signum() > 0; i--) {
                BigInteger[] qr = n.divideAndRemainder(BigInteger.valueOf(58));
                block[i] = BASE58.charAt(qr[1].intValue());
                n = qr[0];
            }
            sb.append(block);
        }
        return sb.toString();
    }

    /** Standard (tag 18), integrated (19) or subaddress (42) mainnet address with a valid Keccak-256 checksum. */
    static boolean isMonero(String address) {
        if (address.length() != 95 && address.length() != 106) return false;
        Optional<byte[]> d = moneroDecode(address);
        if (d.isEmpty()) return false;
        byte[] all = d.get();
        int tag = all[0] & 0xff;
        int expected = switch (tag) {
            case 18, 42 -> 1 + 64 + 4;
            case 19 -> 1 + 64 + 8 + 4;
            default -> -1;
        };
        if (all.length != expected) return false;
        byte[] body = Arrays.copyOf(all, all.length - 4);
        byte[] hash = keccak256(body);
        for (int i = 0; i < 4; i++) if (hash[i] != all[body.length + i]) return false;
        return true;
    }

    static boolean isBech32(String address) {
        String a = address.toLowerCase(Locale.ROOT);
        if (!a.equals(address) && !address.toUpperCase(Locale.ROOT).equals(address)) return false;
        int sep = a.lastIndexOf('1');
        if (sep < 1 || sep + 7 > a.length() || a.length() > 90) return false;
        String hrp = a.substring(0, sep);
        int[] values = new int[hrp.length() * 2 + 1 + a.length() - sep - 1];
        int k = 0;
        for (char c : hrp.toCharArray()) values[k++] = c >> 5;
        values[k++] = 0;
        for (char c : hrp.toCharArray()) values[k++] = c & 31;
        for (int i = sep + 1; i < a.length(); i++) {
            int d = BECH32.indexOf(a.charAt(i));
            if (d < 0) return false;
            values[k++] = d;
        }
        int chk = 1;
        int[] gen = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
        for (int v : values) {
            int top = chk >>> 25;
            chk = ((chk & 0x1ffffff) << 5) ^ v;
            for (int i = 0; i < 5; i++) if (((top >>> i) & 1) != 0) chk ^= gen[i];
        }
        int witnessVersion = BECH32.indexOf(a.charAt(sep + 1));
        // bech32 for segwit v0, bech32m (BIP 350) for v1+ (taproot)
        return witnessVersion == 0 ? chk == 1 : chk == 0x2bc830a3;
    }

    /**
     * Keccak-256 as Monero uses it: the original Keccak padding (0x01), not SHA3-256's (0x06), which is
     * why this is BouncyCastle's {@code KeccakDigest} and not the JDK's {@code SHA3-256}.
     */
    public static byte[] keccak256(byte[] in) {
        KeccakDigest d = new KeccakDigest(256);
        d.update(in, 0, in.length);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }
}
