package io.assay.server.ipcheck;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An address block ({@code 10.0.0.0/8}, {@code 2001:db8::/32}) or one address (a /32 or /128).
 * Parsing never touches DNS: only IP literals are accepted.
 *
 * @param network the block's address bytes (4 or 16), host bits cleared
 */
public record Cidr(byte[] network, int prefix) {
    private static final Pattern LITERAL = Pattern.compile("[0-9a-fA-F:.]+");

    public Cidr {
        network = network.clone();
        if (prefix < 0 || prefix > network.length * 8) throw new IllegalArgumentException("prefix out of range");
    }

    public boolean isSingleAddress() {
        return prefix == network.length * 8;
    }

    /** The single address as canonical text. */
    public String text() {
        String a = canonical(network);
        return isSingleAddress() ? a : a + "/" + prefix;
    }

    /** Parses {@code ADDR} or {@code ADDR/PREFIX}; the message says what is wrong. */
    public static Cidr parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        byte[] bytes = literal(addr).orElseThrow(() -> new IllegalArgumentException("\"" + t
                + "\" is not an IP address or CIDR block (e.g. 203.0.113.7, 203.0.113.0/24, 2001:db8::/32)"));
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bytes.length * 8) {
                throw new IllegalArgumentException("\"" + t + "\": the prefix length must be 0.." + bytes.length * 8);
            }
        }
        return new Cidr(mask(bytes, prefix), prefix);
    }

    public boolean contains(String address) {
        return literal(address).map(b -> b.length == network.length && java.util.Arrays.equals(mask(b, prefix), network))
                .orElse(false);
    }

    /** Canonical text of an IP literal ({@code 2001:db8:0:0:0:0:0:5} for {@code 2001:db8::5}); empty if it is none. */
    public static Optional<String> canonical(String literal) {
        return literal(literal).map(Cidr::canonical);
    }

    private static String canonical(byte[] b) {
        try {
            return InetAddress.getByAddress(b).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    private static Optional<byte[]> literal(String s) {
        String t = s.trim();
        int scope = t.indexOf('%');
        if (scope >= 0) t = t.substring(0, scope);
        // Only hex digits, dots and colons: InetAddress.getByName then parses and never resolves.
        if (t.isEmpty() || !LITERAL.matcher(t).matches() || (!t.contains(".") && !t.contains(":"))) return Optional.empty();
        if (!t.contains(":") && !t.matches("\\d{1,3}(\\.\\d{1,3}){3}")) return Optional.empty();
        try {
            return Optional.of(InetAddress.getByName(t).getAddress());
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static byte[] mask(byte[] b, int prefix) {
        byte[] out = b.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - bits)));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && java.util.Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(network) * 31 + prefix;
    }

    @Override
    public String toString() {
        return text();
    }
}
