package io.assay.agent.exec;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's exec events, so that a new program is looked at within a second of its start
 * instead of at the next periodic sample: a netlink socket on the process events connector
 * ({@code NETLINK_CONNECTOR}, group {@code CN_IDX_PROC}) read by one daemon thread
 * ({@code assay-exec-events}) with a small native buffer, through JNA like
 * {@link io.assay.agent.evidence.PacketCapture}.
 *
 * <p>Bounded: execs are coalesced and rate-limited by an {@link ExecBatcher} (by default at most 4
 * looks a second, 32 processes each; what does not fit is counted and left to the periodic
 * sample). Each exec'd process is looked at three times: 50 ms after its exec, then 0.5 s and 2 s
 * after that. The look itself runs on this thread through the {@code look} callback (one that
 * throws is logged, and the next look runs as usual); while it runs, events queue in the socket's kernel buffer, and an overflowing buffer is
 * counted as lost ({@code ENOBUFS}), never fatal.
 *
 * <p>Subscribing needs {@code CAP_NET_ADMIN} on kernels before 6.6, and the initial pid and user
 * namespaces always (elsewhere the kernel stays silent, or reports other namespaces' pids):
 * {@link #start} waits for the kernel's acknowledgement and throws {@link ExecEventsException}
 * saying why when it does not come, so the agent can fall back to sampling and say so.
 *
 * <p>Thread-safe: {@link #counts} and {@link #close} may be called from any thread.
 */
public final class ExecEvents implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExecEvents.class);

    /**
     * How much looking the events may cause.
     *
     * @param maxLooksPerSecond looks per second at most (each reads {@code /proc} of the named processes)
     * @param maxPidsPerLook processes named in one look at most
     * @param settle how long an exec'd process runs before its first look (a shell's exec chain settles)
     * @param followUps when an exec'd process is looked at again, after its first look (ascending; empty: never)
     * @param maxPending processes waiting for a look at most; execs beyond are counted and dropped
     */
    public record Settings(int maxLooksPerSecond, int maxPidsPerLook, Duration settle, List<Duration> followUps, int maxPending) {
        public Settings {
            followUps = List.copyOf(followUps);
        }

        /**
         * 4 looks a second of 32 processes; first look 50 ms after the exec, again after 0.5 s and 2 s (a
         * miner reading its pool from a config file shows it once it runs: busy or connected).
         */
        public static Settings defaults() {
            return new Settings(4, 32, Duration.ofMillis(50), List.of(Duration.ofMillis(500), Duration.ofSeconds(2)), 256);
        }
    }

    /**
     * What the events did since start.
     *
     * @param execs exec events received
     * @param looks looks made
     * @param dropped execs not looked at (too many waiting): the periodic sample sees those processes
     * @param lost times the kernel's socket buffer overflowed and events were lost (ENOBUFS)
     * @param cpuNanos CPU time of the event thread, receiving and looking (the looks' cost)
     */
    public record Counts(long execs, long looks, long dropped, long lost, long cpuNanos) {}

    /** The events could not be subscribed to; the message says why and fits in a report's notes. */
    public static final class ExecEventsException extends IOException {
        ExecEventsException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        int setsockopt(int fd, int level, int name, Pointer value, int len) throws LastErrorException;

        int bind(int fd, Pointer addr, int len) throws LastErrorException;

        int getsockname(int fd, Pointer addr, Pointer len) throws LastErrorException;

        long send(int fd, byte[] buf, long len, int flags) throws LastErrorException;

        long recv(int fd, Pointer buf, long len, int flags) throws LastErrorException;

        int close(int fd);
    }

    private static final int AF_NETLINK = 16;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int NETLINK_CONNECTOR = 11;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int EPERM = 1;
    private static final int EACCES = 13;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;
    private static final int ENOBUFS = 105;
    private static final int ECONNREFUSED = 111;
    private static final int EPROTONOSUPPORT = 93;
    private static final int PROC_EVENT_EXEC = 2;
    /** A datagram holds one event (76 bytes); a few KiB leave room for batched ones. */
    private static final int BUFFER_BYTES = 4096;
    private static final Duration ACK_WAIT = Duration.ofSeconds(1);
    private static final long WAKE_MS = 50;
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private final LibC c;
    private final int fd;
    private final Memory buf = new Memory(BUFFER_BYTES);
    private final ByteBuffer view = buf.getByteBuffer(0, BUFFER_BYTES);
    private final ExecBatcher batcher;
    private final Consumer<Set<Integer>> look;
    private final int selfPid = (int) ProcessHandle.current().pid();
    private final Thread thread;
    private volatile boolean closed;
    private volatile long looks;
    private volatile long lost;
    private volatile Counts counts = new Counts(0, 0, 0, 0, 0);
    private volatile String stopped = "";
    /** What {@link #windowNotes} reported last; confined to its caller's thread. */
    private Counts reported = new Counts(0, 0, 0, 0, 0);
    private final int maxLooksPerSecond;

    private ExecEvents(LibC c, int fd, Settings s, Consumer<Set<Integer>> look) {
        this.c = c;
        this.fd = fd;
        this.look = look;
        this.maxLooksPerSecond = s.maxLooksPerSecond();
        this.batcher = new ExecBatcher(s.maxPidsPerLook(), 1000L / Math.max(1, s.maxLooksPerSecond()), s.settle().toMillis(),
                s.followUps().stream().mapToLong(Duration::toMillis).toArray(), s.maxPending());
        this.thread = new Thread(this::run, "assay-exec-events");
        this.thread.setDaemon(true);
    }

    /**
     * Subscribes to exec events and starts the event thread, which calls {@code look} with the
     * process ids (thread-group ids) to look at.
     *
     * @throws ExecEventsException the kernel refused or did not acknowledge the subscription, or JNA is unavailable
     */
    public static ExecEvents start(Settings settings, Consumer<Set<Integer>> look) throws ExecEventsException {
        LibC c;
        try {
            c = Native.load("c", LibC.class);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            throw new ExecEventsException("cannot load libc through JNA: " + e.getMessage(), e);
        }
        int fd;
        try {
            fd = c.socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
        } catch (LastErrorException e) {
            throw new ExecEventsException("cannot open a process-events socket: " + errno(e.getErrorCode()), e);
        }
        try {
            Memory tv = new Memory(2L * NativeLong.SIZE);
            tv.setNativeLong(0, new NativeLong(0));
            tv.setNativeLong(NativeLong.SIZE, new NativeLong(WAKE_MS * 1000)); // wake to honour close and due looks
            c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, (int) tv.size());
            Memory nl = new Memory(12); // struct sockaddr_nl
            nl.clear();
            nl.setShort(0, (short) AF_NETLINK);
            nl.setInt(8, ProcEvents.CN_IDX_PROC); // nl_groups: the process events multicast group
            c.bind(fd, nl, (int) nl.size());
            Memory len = new Memory(4);
            len.setInt(0, 12);
            c.getsockname(fd, nl, len);
            int portId = nl.getInt(4);
            ExecEvents ev = new ExecEvents(c, fd, settings, look);
            ev.subscribe(portId);
            ev.thread.start();
            return ev;
        } catch (LastErrorException e) {
            c.close(fd);
            throw new ExecEventsException("cannot subscribe to process events: " + errno(e.getErrorCode()), e);
        } catch (ExecEventsException e) {
            c.close(fd);
            throw e;
        }
    }

    private static String errno(int code) {
        return switch (code) {
            case EPERM, EACCES -> "not permitted (CAP_NET_ADMIN is missing)";
            case ECONNREFUSED, EPROTONOSUPPORT -> "no process connector in this network namespace (errno " + code + ")";
            default -> "errno " + code;
        };
    }

    /**
     * Listens unfiltered first, since only that is acknowledged (the acknowledgement is itself an
     * event, which a filter drops), then asks for exec events only (kernels since 6.6 filter in the
     * kernel; older ones ignore the request and send every event, which {@link #run} skips).
     */
    private void subscribe(int portId) throws ExecEventsException {
        byte[] listen = ProcEvents.subscribe(ProcEvents.PROC_CN_MCAST_LISTEN, portId);
        c.send(fd, listen, listen.length, 0);
        long deadline = System.nanoTime() + ACK_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            int n = receive();
            if (n <= 0) continue;
            for (ProcEvents.Event e : ProcEvents.parse(view.duplicate().limit(n))) {
                if (e instanceof ProcEvents.Ack a) {
                    if (a.err() != 0) {
                        throw new ExecEventsException("the kernel refused the process-events subscription: " + errno(a.err()), null);
                    }
                    byte[] filtered = ProcEvents.subscribeFiltered(ProcEvents.PROC_CN_MCAST_LISTEN, PROC_EVENT_EXEC, portId);
                    c.send(fd, filtered, filtered.length, 0);
                    return;
                }
            }
        }
        throw new ExecEventsException("the kernel did not acknowledge the process-events subscription within "
                + ACK_WAIT.toMillis() + " ms (the agent runs in a container or in another pid or user namespace)", null);
    }

    /** One datagram into {@link #buf}; 0 on timeout, -1 on a lost-events error. */
    private int receive() {
        try {
            return (int) c.recv(fd, buf, BUFFER_BYTES, 0);
        } catch (LastErrorException e) {
            int code = e.getErrorCode();
            if (code == EAGAIN || code == EINTR) return 0;
            if (code == ENOBUFS) {
                lost++;
                return -1;
            }
            throw e;
        }
    }

    private void run() {
        boolean debug = log.isDebugEnabled();
        java.util.Map<Integer, Long> execNanos = new java.util.HashMap<>(); // for the debug log only
        try {
            while (!closed) {
                int n;
                try {
                    n = receive();
                } catch (LastErrorException e) {
                    stopped = "receiving failed: " + errno(e.getErrorCode());
                    log.warn("exec events: {}; new processes are seen at the next sample from now on", stopped);
                    return;
                }
                long now = System.currentTimeMillis();
                if (n > 0) {
                    for (ProcEvents.Event e : ProcEvents.parse(view.duplicate().limit(n))) {
                        if (e instanceof ProcEvents.Exec x && x.tgid() != selfPid) {
                            batcher.exec(x.tgid(), now);
                            if (debug && execNanos.size() < 1024) execNanos.putIfAbsent(x.tgid(), x.timestampNs());
                        }
                    }
                }
                long cpu = counts.cpuNanos();
                if (batcher.hasWork()) {
                    var batch = batcher.due(now);
                    if (batch.isPresent()) {
                        looks++;
                        long t0 = System.nanoTime();
                        try {
                            look.accept(batch.get());
                        } catch (RuntimeException e) {
                            // like a sample job that throws: logged, and the next look runs as usual
                            log.error("exec events: a look at {} failed: {}", batch.get(), e.toString(), e);
                        }
                        cpu = Math.max(0, THREADS.getCurrentThreadCpuTime());
                        if (debug) {
                            // the kernel's timestamp and nanoTime are both CLOCK_MONOTONIC on Linux
                            long first = Long.MAX_VALUE;
                            for (int pid : batch.get()) first = Math.min(first, execNanos.getOrDefault(pid, Long.MAX_VALUE));
                            log.debug("exec look at {} ({}): the look took {} ms (a tick in progress is waited for)", batch.get(),
                                    first == Long.MAX_VALUE ? "follow-ups" : (t0 - first) / 1_000_000 + " ms after the first exec",
                                    (System.nanoTime() - t0) / 1_000_000);
                            execNanos.keySet().removeAll(batch.get());
                        }
                    }
                }
                counts = new Counts(batcher.execs(), looks, batcher.dropped(), lost, cpu);
            }
        } catch (RuntimeException e) {
            stopped = "the event thread failed: " + e;
            log.warn("exec events: {}; new processes are seen at the next sample from now on", stopped, e);
        } finally {
            byte[] ignore = ProcEvents.subscribe(ProcEvents.PROC_CN_MCAST_IGNORE, 0);
            try {
                c.send(fd, ignore, ignore.length, 0);
            } catch (LastErrorException ignored) {
                // closing the socket leaves the group anyway
            }
            c.close(fd);
        }
    }

    /** What the events did since start (updated after each datagram or wake-up). */
    public Counts counts() {
        return counts;
    }

    /**
     * Notes for the report window closing now: that the events stopped, or how many exec'd
     * processes were not looked at on exec since the previous call (the periodic sample sees them).
     * Nothing when all went well. Call from one thread (the detector's, at each window's close).
     */
    public List<String> windowNotes() {
        Counts now = counts;
        List<String> notes = new ArrayList<>();
        if (!stopped.isEmpty()) notes.add("exec events stopped (" + stopped + "); sampling only");
        long dropped = now.dropped() - reported.dropped();
        long lost = now.lost() - reported.lost();
        if (dropped > 0 || lost > 0) {
            notes.add("exec events: " + (now.execs() - reported.execs()) + " execs since the previous report; "
                    + (dropped > 0 ? dropped + " new processes were not looked at on exec (bound: " + maxLooksPerSecond
                            + " looks a second)" : "")
                    + (dropped > 0 && lost > 0 ? " and " : "")
                    + (lost > 0 ? "the kernel dropped events " + lost + " times (socket buffer full)" : "")
                    + "; the periodic sample sees those processes");
        }
        reported = now;
        return notes;
    }

    /** Whether the event thread still runs (it stops on close, or on an unexpected socket error). */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /** Stops the event thread; the socket is closed by it within 50 ms plus a running look. */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Counts c = counts;
        log.info("exec events: {} execs, {} looks, {} not looked at (bound), {} kernel drops, {} ms of CPU", c.execs(), c.looks(),
                c.dropped(), c.lost(), c.cpuNanos() / 1_000_000);
    }
}
