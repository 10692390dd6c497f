package io.assay.agent.exec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire format of the kernel's process events connector ({@code NETLINK_CONNECTOR},
 * {@code CN_IDX_PROC}), pure: datagrams in, events out, and the subscribe message out. No I/O, so
 * tests feed it recorded bytes.
 *
 * <p>A datagram holds one or more netlink messages ({@code struct nlmsghdr}, 16 bytes, 4-byte
 * aligned), each carrying a {@code struct cn_msg} (20 bytes) and a {@code struct proc_event}:
 * {@code what} (u32), {@code cpu} (u32), {@code timestamp_ns} (u64), then the event's data, for
 * an exec {@code process_pid, process_tgid} and for the acknowledgement of a subscribe {@code err}.
 * All in the host's byte order (netlink is not a network protocol).
 */
public final class ProcEvents {
    private ProcEvents() {}

    /** {@code CN_IDX_PROC}, {@code CN_VAL_PROC}: the connector id of process events, and its multicast group. */
    static final int CN_IDX_PROC = 1;
    static final int CN_VAL_PROC = 1;
    static final int PROC_CN_MCAST_LISTEN = 1;
    static final int PROC_CN_MCAST_IGNORE = 2;
    private static final int NLMSG_HDRLEN = 16;
    private static final int CN_MSG_LEN = 20;
    private static final int NLMSG_DONE = 3;
    private static final int EVENT_HEADER = 16; // what, cpu, timestamp_ns
    private static final int PROC_EVENT_NONE = 0;
    private static final int PROC_EVENT_EXEC = 2;

    /** One process event; only what the agent uses is told apart. */
    public sealed interface Event permits Ack, Exec, Other {}

    /** The kernel's answer to a subscribe (or unsubscribe): {@code err} is 0 or an errno (EPERM: not permitted). */
    public record Ack(int err) implements Event {}

    /**
     * A process replaced its program ({@code execve}).
     *
     * @param pid the thread that called exec
     * @param tgid the process (thread group) id: what {@code /proc/PID} is named by
     * @param timestampNs the kernel's monotonic clock at the exec (ns since boot)
     */
    public record Exec(int pid, int tgid, long timestampNs) implements Event {}

    /** Fork, exit, uid change and the other events; {@code what} is the kernel's {@code PROC_EVENT_*} value. */
    public record Other(int what) implements Event {}

    /**
     * The events in one datagram as received. Messages that are not from the process connector or
     * are cut short are skipped; nothing here throws for bad input.
     */
    public static List<Event> parse(ByteBuffer datagram) {
        ByteBuffer b = datagram.duplicate().order(ByteOrder.nativeOrder());
        List<Event> out = new ArrayList<>(1);
        int off = b.position();
        int end = b.limit();
        while (end - off >= NLMSG_HDRLEN) {
            long len = Integer.toUnsignedLong(b.getInt(off));
            if (len < NLMSG_HDRLEN || len > end - off) break;
            int cn = off + NLMSG_HDRLEN;
            if (len >= NLMSG_HDRLEN + CN_MSG_LEN + EVENT_HEADER && b.getInt(cn) == CN_IDX_PROC && b.getInt(cn + 4) == CN_VAL_PROC) {
                int dataLen = Short.toUnsignedInt(b.getShort(cn + 16));
                int ev = cn + CN_MSG_LEN;
                int evEnd = (int) Math.min(off + len, (long) ev + dataLen);
                if (evEnd - ev >= EVENT_HEADER) {
                    int what = b.getInt(ev);
                    long ts = b.getLong(ev + 8);
                    int data = ev + EVENT_HEADER;
                    if (what == PROC_EVENT_EXEC && evEnd - data >= 8) {
                        out.add(new Exec(b.getInt(data), b.getInt(data + 4), ts));
                    } else if (what == PROC_EVENT_NONE && evEnd - data >= 4) {
                        out.add(new Ack(b.getInt(data)));
                    } else if (what != PROC_EVENT_EXEC && what != PROC_EVENT_NONE) {
                        out.add(new Other(what));
                    }
                }
            }
            off += (int) ((len + 3) & ~3L);
        }
        return out;
    }

    /**
     * The message that subscribes to ({@link #PROC_CN_MCAST_LISTEN}) or leaves
     * ({@link #PROC_CN_MCAST_IGNORE}) the process events: a netlink header, a connector header
     * for {@code CN_IDX_PROC}, and the op.
     *
     * @param portId the sender's netlink port id (the kernel does not check it; the bound one by convention)
     */
    public static byte[] subscribe(int op, int portId) {
        return message(op, -1, portId);
    }

    /**
     * As {@link #subscribe}, asking the kernel to send only events of the kinds in {@code eventMask}
     * ({@code struct proc_input}, kernels since 6.6; older ones ignore the message). The kernel's
     * acknowledgement is an event of kind 0, so a filtered subscription is never acknowledged.
     */
    public static byte[] subscribeFiltered(int op, int eventMask, int portId) {
        return message(op, eventMask, portId);
    }

    private static byte[] message(int op, int eventMask, int portId) {
        int payload = eventMask < 0 ? 4 : 8;
        ByteBuffer b = ByteBuffer.allocate(NLMSG_HDRLEN + CN_MSG_LEN + payload).order(ByteOrder.nativeOrder());
        b.putInt(b.capacity()); // nlmsg_len
        b.putShort((short) NLMSG_DONE); // nlmsg_type: a single-part message
        b.putShort((short) 0); // nlmsg_flags
        b.putInt(0); // nlmsg_seq
        b.putInt(portId); // nlmsg_pid
        b.putInt(CN_IDX_PROC).putInt(CN_VAL_PROC); // cb_id
        b.putInt(0).putInt(0); // seq, ack
        b.putShort((short) payload).putShort((short) 0); // len of the op (and filter), flags
        b.putInt(op);
        if (eventMask >= 0) b.putInt(eventMask);
        return b.array();
    }
}
