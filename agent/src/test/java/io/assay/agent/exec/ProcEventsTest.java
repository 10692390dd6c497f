package io.assay.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The process connector's wire format, on datagrams recorded on x86-64 (Linux 6.18, little-endian). */
class ProcEventsTest {
    /** The acknowledgement of PROC_CN_MCAST_LISTEN: what=0 (NONE), err=0. */
    static final String ACK = "4c00000003000000000000000000000001000000010000000000000001000000280000000000000000000000"
            + "b73c5e4291090000000000000000000000000000000000000000000000000000";
    /** /bin/sleep exec'd as pid 13071 (0x330f). */
    static final String EXEC = "4c0000000300000002000000000000000100000001000000020000000000000028000000020000000000000098aa7d4291090000"
            + "0f3300000f33000000000000000000000000000000000000";
    /** The fork before it: parent 13013, child 13071. */
    static final String FORK = "4c0000000300000001000000000000000100000001000000010000000000000028000000010000000000000024ec624291090000"
            + "d5320000d53200000f3300000f3300000000000000000000";

    private static ByteBuffer bytes(String hex) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(hex));
    }

    @Test
    void readsAnExecWithItsPidAndThreadGroup() {
        assertThat(ProcEvents.parse(bytes(EXEC))).containsExactly(new ProcEvents.Exec(13071, 13071, 0x991427daa98L));
    }

    @Test
    void readsTheAcknowledgementAndTellsOtherEventsApart() {
        assertThat(ProcEvents.parse(bytes(ACK))).containsExactly(new ProcEvents.Ack(0));
        assertThat(ProcEvents.parse(bytes(FORK))).containsExactly(new ProcEvents.Other(1));
    }

    @Test
    void readsARefusalAsItsErrno() {
        byte[] refused = HexFormat.of().parseHex(ACK);
        refused[52] = 1; // err = EPERM, as a kernel before 6.6 answers a process without CAP_NET_ADMIN
        assertThat(ProcEvents.parse(ByteBuffer.wrap(refused))).containsExactly(new ProcEvents.Ack(1));
    }

    @Test
    void readsSeveralMessagesInOneDatagramAndSkipsWhatIsCutShort() {
        ByteBuffer two = ByteBuffer.allocate(152);
        two.put(HexFormat.of().parseHex(FORK)).put(HexFormat.of().parseHex(EXEC)).flip();
        assertThat(ProcEvents.parse(two)).containsExactly(new ProcEvents.Other(1), new ProcEvents.Exec(13071, 13071, 0x991427daa98L));
        byte[] exec = HexFormat.of().parseHex(EXEC);
        for (int n : new int[] {0, 1, 15, 16, 40, 60, 75}) {
            assertThat(ProcEvents.parse(ByteBuffer.wrap(exec, 0, n))).as("cut at %d bytes", n).isEmpty();
        }
        assertThat(ProcEvents.parse(bytes("ffffffff" + EXEC.substring(8)))).as("a length beyond the datagram").isEmpty();
        byte[] otherConnector = exec.clone();
        otherConnector[16] = 7; // another connector's idx
        assertThat(ProcEvents.parse(ByteBuffer.wrap(otherConnector))).isEmpty();
    }

    @Test
    void theSubscribeMessagesAreWhatTheKernelExpects() {
        ByteBuffer listen = ByteBuffer.wrap(ProcEvents.subscribe(ProcEvents.PROC_CN_MCAST_LISTEN, 4242)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(listen.capacity()).isEqualTo(40);
        assertThat(listen.getInt(0)).as("nlmsg_len").isEqualTo(40);
        assertThat(listen.getShort(4)).as("NLMSG_DONE").isEqualTo((short) 3);
        assertThat(listen.getInt(12)).as("nlmsg_pid").isEqualTo(4242);
        assertThat(listen.getInt(16)).as("CN_IDX_PROC").isEqualTo(1);
        assertThat(listen.getInt(20)).as("CN_VAL_PROC").isEqualTo(1);
        assertThat(listen.getShort(32)).as("payload length").isEqualTo((short) 4);
        assertThat(listen.getInt(36)).as("PROC_CN_MCAST_LISTEN").isEqualTo(1);
        ByteBuffer filtered = ByteBuffer.wrap(ProcEvents.subscribeFiltered(ProcEvents.PROC_CN_MCAST_LISTEN, 2, 0))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(filtered.capacity()).isEqualTo(44);
        assertThat(filtered.getShort(32)).isEqualTo((short) 8);
        assertThat(filtered.getInt(40)).as("PROC_EVENT_EXEC only").isEqualTo(2);
    }
}
