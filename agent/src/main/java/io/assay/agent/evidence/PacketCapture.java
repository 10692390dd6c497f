package io.assay.agent.evidence;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A passive, bounded sample of one IPv4 TCP connection: an {@code AF_PACKET} socket (needs
 * {@code CAP_NET_RAW}) with a classic BPF filter on the connection's port pair, read by one daemon
 * thread until a time or byte bound. It never sends a packet and never touches the connection.
 *
 * <p>Only the first {@code maxBytes} of payload per direction are kept (in order of arrival;
 * retransmissions are dropped, nothing is reordered), and payload-carrying packets are counted and
 * timed for the flow's rhythm. Thread-safe: the capture thread writes, {@link #sample} reads under
 * the object's lock.
 */
public final class PacketCapture implements AutoCloseable {
    /** The connection, as the process's side sees it: IPv4 dotted addresses. */
    public record Flow(String localAddress, int localPort, String remoteAddress, int remotePort) {
        public String remote() {
            return remoteAddress + ":" + remotePort;
        }
    }

    /**
     * What was seen so far.
     *
     * @param toRemote the kept payload sent by the process (ISO-8859-1, so every byte maps to one char)
     * @param fromRemote the kept payload received
     * @param toRemoteTimesMs arrival times (epoch ms) of the payload packets sent, the first 256
     * @param finished the capture ended (bound reached, closed, or failed)
     * @param cpuNanos CPU time the capture thread used, known once finished (0 before)
     */
    public record Sample(Flow flow, long bytesToRemote, long bytesFromRemote, int packetsToRemote, int packetsFromRemote,
            String toRemote, String fromRemote, List<Long> toRemoteTimesMs, List<Long> fromRemoteTimesMs, long startedMs,
            boolean finished, long cpuNanos) {
        public Sample {
            toRemoteTimesMs = List.copyOf(toRemoteTimesMs);
            fromRemoteTimesMs = List.copyOf(fromRemoteTimesMs);
        }
    }

    /** libc through JNA: the few calls an AF_PACKET socket needs. */
    private interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        int setsockopt(int fd, int level, int name, Pointer value, int len) throws LastErrorException;

        int bind(int fd, Pointer addr, int len) throws LastErrorException;

        long recvfrom(int fd, Pointer buf, long len, int flags, Pointer addr, IntByReference addrLen) throws LastErrorException;

        int close(int fd);
    }

    private static final int AF_PACKET = 17;
    private static final int SOCK_DGRAM = 2;
    private static final int ETH_P_IP = 0x0800;
    private static final int SOL_SOCKET = 1;
    private static final int SO_ATTACH_FILTER = 26;
    private static final int SO_RCVTIMEO = 20;
    private static final int PACKET_OUTGOING = 4;
    private static final int EPERM = 1;
    private static final int EACCES = 13;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;
    private static final int SNAP = 65536;
    private static final int MAX_TIMES = 256;

    private static volatile LibC libc;

    private final Flow flow;
    private final int fd;
    private final int loopbackIndex;
    private final long deadlineMs;
    private final int maxBytes;
    private final long startedMs = System.currentTimeMillis();
    private final Thread thread;
    private volatile boolean closed;
    private final StringBuilder toRemote = new StringBuilder();
    private final StringBuilder fromRemote = new StringBuilder();
    private final List<Long> toTimes = new ArrayList<>();
    private final List<Long> fromTimes = new ArrayList<>();
    private long bytesTo;
    private long bytesFrom;
    private int packetsTo;
    private int packetsFrom;
    private long nextSeqTo = -1;
    private long nextSeqFrom = -1;
    private boolean finished;
    private long cpuNanos;

    /** Capture was refused: {@code notPermitted} when the kernel said EPERM/EACCES (no CAP_NET_RAW). */
    public static final class CaptureException extends IOException {
        private final boolean notPermitted;

        CaptureException(String message, boolean notPermitted, Throwable cause) {
            super(message, cause);
            this.notPermitted = notPermitted;
        }

        public boolean notPermitted() {
            return notPermitted;
        }
    }

    private PacketCapture(Flow flow, int fd, int loopbackIndex, long deadlineMs, int maxBytes) {
        this.flow = flow;
        this.fd = fd;
        this.loopbackIndex = loopbackIndex;
        this.deadlineMs = deadlineMs;
        this.maxBytes = maxBytes;
        this.thread = new Thread(this::run, "assay-capture-" + flow.localPort() + "-" + flow.remotePort());
        this.thread.setDaemon(true);
    }

    /**
     * Starts sampling {@code flow} for at most {@code seconds}, keeping {@code maxBytes} of payload per direction.
     *
     * @param sysRoot where sysfs is mounted (the loopback interface's index is read there)
     * @throws CaptureException the socket could not be opened or filtered (no CAP_NET_RAW, no AF_PACKET, no libc)
     */
    public static PacketCapture start(Flow flow, int seconds, int maxBytes, Path sysRoot) throws CaptureException {
        LibC c = lib();
        int fd;
        try {
            // protocol 0: the socket receives nothing until bound, so no packet slips in before the filter
            fd = c.socket(AF_PACKET, SOCK_DGRAM, 0);
        } catch (LastErrorException e) {
            boolean perm = e.getErrorCode() == EPERM || e.getErrorCode() == EACCES;
            throw new CaptureException("cannot open a packet socket: " + (perm ? "not permitted (CAP_NET_RAW is missing)"
                    : "errno " + e.getErrorCode()), perm, e);
        }
        try {
            Memory filter = filter(flow.localPort(), flow.remotePort());
            Memory prog = new Memory(2L * Native.POINTER_SIZE);
            prog.clear();
            prog.setShort(0, (short) (filter.size() / 8));
            prog.setPointer(Native.POINTER_SIZE, filter);
            c.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, prog, (int) prog.size());
            Memory tv = new Memory(2L * NativeLong.SIZE);
            tv.setNativeLong(0, new NativeLong(0));
            tv.setNativeLong(NativeLong.SIZE, new NativeLong(200_000)); // wake every 200 ms to honour close and the deadline
            c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, (int) tv.size());
            Memory sll = new Memory(20);
            sll.clear();
            sll.setShort(0, (short) AF_PACKET);
            sll.setByte(2, (byte) (ETH_P_IP >> 8)); // network byte order
            sll.setByte(3, (byte) ETH_P_IP);
            c.bind(fd, sll, (int) sll.size());
        } catch (LastErrorException e) {
            c.close(fd);
            throw new CaptureException("cannot filter or bind the packet socket: errno " + e.getErrorCode(), false, e);
        }
        PacketCapture pc = new PacketCapture(flow, fd, loopbackIndex(sysRoot), System.currentTimeMillis() + seconds * 1000L, maxBytes);
        pc.thread.start();
        return pc;
    }

    private static LibC lib() throws CaptureException {
        LibC l = libc;
        if (l != null) return l;
        try {
            l = Native.load("c", LibC.class);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            throw new CaptureException("cannot load libc through JNA: " + e.getMessage(), false, e);
        }
        libc = l;
        return l;
    }

    private static int loopbackIndex(Path sysRoot) {
        try {
            return Integer.parseInt(Files.readString(sysRoot.resolve("class/net/lo/ifindex")).trim());
        } catch (IOException | RuntimeException e) {
            return 1; // lo is the first interface the kernel registers
        }
    }

    /**
     * Classic BPF over the IP header (SOCK_DGRAM strips the link layer): TCP, not a later fragment,
     * and ports (a, b) or (b, a). Accepted packets are cut at 64 KiB.
     */
    static Memory filter(int a, int b) {
        int[][] p = {
            {0x30, 0, 0, 9},           // 0: ldb [9]            protocol
            {0x15, 0, 11, 6},          // 1: jeq #6 (tcp)       else drop
            {0x28, 0, 0, 6},           // 2: ldh [6]            flags + fragment offset
            {0x45, 9, 0, 0x1fff},      // 3: jset #0x1fff       later fragment: drop
            {0xb1, 0, 0, 0},           // 4: ldxb 4*([0]&0xf)   X = IP header length
            {0x48, 0, 0, 0},           // 5: ldh [x+0]          source port
            {0x15, 0, 2, a},           // 6: jeq #a             else 9
            {0x48, 0, 0, 2},           // 7: ldh [x+2]          destination port
            {0x15, 3, 4, b},           // 8: jeq #b             accept / drop
            {0x15, 0, 3, b},           // 9: jeq #b             else drop
            {0x48, 0, 0, 2},           // 10: ldh [x+2]
            {0x15, 0, 1, a},           // 11: jeq #a            accept / drop
            {0x06, 0, 0, SNAP},        // 12: ret #65536        accept
            {0x06, 0, 0, 0},           // 13: ret #0            drop
        };
        Memory m = new Memory(p.length * 8L);
        for (int i = 0; i < p.length; i++) {
            m.setShort(i * 8L, (short) p[i][0]);
            m.setByte(i * 8L + 2, (byte) p[i][1]);
            m.setByte(i * 8L + 3, (byte) p[i][2]);
            m.setInt(i * 8L + 4, p[i][3]);
        }
        return m;
    }

    private void run() {
        Memory buf = new Memory(SNAP);
        Memory addr = new Memory(32);
        IntByReference addrLen = new IntByReference();
        LibC c = libc;
        try {
            while (!closed && System.currentTimeMillis() < deadlineMs && !full()) {
                addrLen.setValue((int) addr.size());
                long n;
                try {
                    n = c.recvfrom(fd, buf, SNAP, 0, addr, addrLen);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == EAGAIN || e.getErrorCode() == EINTR) continue;
                    return;
                }
                if (n <= 0) continue;
                int ifindex = addr.getInt(4);
                int pkttype = addr.getByte(10) & 0xff;
                // on lo every packet passes twice, outgoing then incoming: keep the incoming copy
                if (pkttype == PACKET_OUTGOING && ifindex == loopbackIndex) continue;
                accept(buf.getByteArray(0, (int) n));
            }
        } finally {
            c.close(fd);
            long used = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            synchronized (this) {
                finished = true;
                cpuNanos = Math.max(0, used);
            }
        }
    }

    private synchronized boolean full() {
        return toRemote.length() >= maxBytes && fromRemote.length() >= maxBytes;
    }

    private void accept(byte[] ip) {
        if (ip.length < 20 || (ip[0] >> 4 & 0xf) != 4) return;
        int ihl = (ip[0] & 0xf) * 4;
        int total = Math.min(ip.length, (ip[2] & 0xff) << 8 | ip[3] & 0xff);
        if (total < ihl + 20) return;
        String src = dotted(ip, 12);
        String dst = dotted(ip, 16);
        int sport = (ip[ihl] & 0xff) << 8 | ip[ihl + 1] & 0xff;
        int dport = (ip[ihl + 2] & 0xff) << 8 | ip[ihl + 3] & 0xff;
        long seq = ((long) (ip[ihl + 4] & 0xff) << 24) | (ip[ihl + 5] & 0xff) << 16 | (ip[ihl + 6] & 0xff) << 8 | ip[ihl + 7] & 0xff;
        int dataOff = ((ip[ihl + 12] >> 4) & 0xf) * 4;
        int from = ihl + dataOff;
        if (from > total) return;
        int len = total - from;
        boolean out = sport == flow.localPort() && dport == flow.remotePort() && src.equals(flow.localAddress())
                && dst.equals(flow.remoteAddress());
        boolean in = !out && dport == flow.localPort() && sport == flow.remotePort() && dst.equals(flow.localAddress())
                && src.equals(flow.remoteAddress());
        if ((!out && !in) || len == 0) return;
        long now = System.currentTimeMillis();
        synchronized (this) {
            long expected = out ? nextSeqTo : nextSeqFrom;
            if (expected >= 0 && before(seq, expected)) return; // a retransmission: seen already
            long next = (seq + len) & 0xffffffffL;
            StringBuilder kept = out ? toRemote : fromRemote;
            int room = Math.max(0, maxBytes - kept.length());
            kept.append(new String(ip, from, Math.min(room, len), StandardCharsets.ISO_8859_1));
            if (out) {
                nextSeqTo = next;
                bytesTo += len;
                packetsTo++;
                if (toTimes.size() < MAX_TIMES) toTimes.add(now);
            } else {
                nextSeqFrom = next;
                bytesFrom += len;
                packetsFrom++;
                if (fromTimes.size() < MAX_TIMES) fromTimes.add(now);
            }
        }
    }

    /** TCP sequence comparison modulo 2^32. */
    private static boolean before(long seq, long expected) {
        return (int) (seq - expected) < 0;
    }

    private static String dotted(byte[] b, int off) {
        return (b[off] & 0xff) + "." + (b[off + 1] & 0xff) + "." + (b[off + 2] & 0xff) + "." + (b[off + 3] & 0xff);
    }

    public Flow flow() {
        return flow;
    }

    /** What was seen so far; {@code finished} once the capture ended. */
    public synchronized Sample sample() {
        return new Sample(flow, bytesTo, bytesFrom, packetsTo, packetsFrom, toRemote.toString(), fromRemote.toString(), toTimes,
                fromTimes, startedMs, finished, cpuNanos);
    }

    /** Stops the capture; the socket is closed by its thread within 200 ms. */
    @Override
    public void close() {
        closed = true;
    }
}
