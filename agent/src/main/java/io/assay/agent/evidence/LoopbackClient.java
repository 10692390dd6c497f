package io.assay.agent.evidence;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One short request/answer exchange with a socket listening on this host's loopback interface: how
 * the detector asks a suspect process's open port whether it is a miner's API. It connects to
 * {@code 127.0.0.1} or {@code ::1} and nowhere else (see {@link #loopbackFor}), with a time limit
 * on connect and read together and a bound on the bytes read.
 */
public final class LoopbackClient {
    private static final InetAddress V4 = InetAddress.getLoopbackAddress() instanceof Inet4Address a ? a : literal("127.0.0.1");
    private static final InetAddress V6 = literal("::1");

    private LoopbackClient() {}

    /** What came back: {@code connected} false when nothing accepted the connection (the port is gone). */
    public record Answer(boolean connected, byte[] bytes) {}

    /**
     * The loopback address that reaches a socket listening on {@code boundAddress} (as
     * {@link ProcParsers.TcpConnection#localAddress()} prints it): {@code 127.0.0.1} for the IPv4
     * wildcard and 127.0.0.1 itself, {@code ::1} for the IPv6 wildcard and ::1. Empty for any other
     * address: a socket bound to one interface's address is not ours to connect to.
     */
    public static Optional<InetAddress> loopbackFor(String boundAddress) {
        if (!boundAddress.matches("[0-9a-fA-F:.]+")) return Optional.empty(); // a literal only: never a name lookup
        InetAddress a;
        try {
            a = InetAddress.getByName(boundAddress);
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
        if (a instanceof Inet4Address) return a.isAnyLocalAddress() || a.equals(V4) ? Optional.of(V4) : Optional.empty();
        if (a instanceof Inet6Address) return a.isAnyLocalAddress() || a.equals(V6) ? Optional.of(V6) : Optional.empty();
        return Optional.empty();
    }

    /**
     * Connects to {@code to}:{@code port} (a loopback address from {@link #loopbackFor}), sends
     * {@code request} and reads until the peer closes, a NUL byte (the cgminer API's end marker),
     * {@code maxBytes}, {@code enough} holds for what was read, or {@code timeoutMs} after the start.
     */
    public static Answer exchange(InetAddress to, int port, byte[] request, int timeoutMs, int maxBytes, Predicate<byte[]> enough) {
        if (!to.isLoopbackAddress()) throw new IllegalArgumentException(to + " is not a loopback address; only loopback is probed");
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (Socket s = new Socket()) {
            try {
                s.connect(new InetSocketAddress(to, port), timeoutMs);
            } catch (IOException e) {
                return new Answer(false, new byte[0]);
            }
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            while (got.size() < maxBytes) {
                long leftMs = (deadline - System.nanoTime()) / 1_000_000L;
                if (leftMs <= 0) break;
                s.setSoTimeout((int) leftMs);
                int n = in.read(buf, 0, Math.min(buf.length, maxBytes - got.size()));
                if (n < 0) break;
                got.write(buf, 0, n);
                boolean nul = false;
                for (int i = 0; i < n && !nul; i++) nul = buf[i] == 0;
                if (nul || enough.test(got.toByteArray())) break;
            }
        } catch (SocketTimeoutException e) {
            // the time is up: judge what came
        } catch (IOException e) {
            // reset or closed half way: judge what came
        }
        return new Answer(true, got.toByteArray());
    }

    private static InetAddress literal(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
