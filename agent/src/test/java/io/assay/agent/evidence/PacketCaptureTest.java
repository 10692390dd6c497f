package io.assay.agent.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A real capture of a loopback connection, and a refused one in a process without CAP_NET_RAW. */
@Tag("slow")
class PacketCaptureTest {

    /** Opens a capture on a flow that does not exist; prints "refused", "refused-other" or "opened". */
    public static void main(String[] args) {
        try (PacketCapture c = PacketCapture.start(new PacketCapture.Flow("127.0.0.1", 1, "127.0.0.1", 2), 1, 512, Path.of("/sys"))) {
            System.out.println("opened");
        } catch (PacketCapture.CaptureException e) {
            System.out.println(e.notPermitted() ? "refused: " + e.getMessage() : "refused-other: " + e.getMessage());
        }
    }

    @Test
    void seesBothDirectionsOfALoopbackConnectionOnceEach() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket served = server.accept()) {
            PacketCapture c;
            try {
                c = PacketCapture.start(new PacketCapture.Flow("127.0.0.1", client.getLocalPort(), "127.0.0.1", server.getLocalPort()), 20,
                        4096, Path.of("/sys"));
            } catch (PacketCapture.CaptureException e) {
                assumeTrue(false, "packet capture is not permitted here: " + e.getMessage());
                return;
            }
            try (c) {
                OutputStream out = client.getOutputStream();
                OutputStream back = served.getOutputStream();
                InputStream in = served.getInputStream();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                PacketCapture.Sample s = c.sample();
                for (int i = 0; System.nanoTime() < deadline && !(s.toRemote().contains("ping 2\n") && s.fromRemote().contains("pong 2\n")); i++) {
                    if (i < 3) {
                        out.write(("ping " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        in.readNBytes(7);
                        back.write(("pong " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                        back.flush();
                    }
                    Thread.sleep(100);
                    s = c.sample();
                }
                assertThat(s.toRemote()).isEqualTo("ping 0\nping 1\nping 2\n");
                assertThat(s.fromRemote()).isEqualTo("pong 0\npong 1\npong 2\n");
                assertThat(s.packetsToRemote()).isEqualTo(3);
                assertThat(s.finished()).isFalse();
            }
        }
    }

    @Test
    void withoutCapNetRawTheCaptureIsRefusedAsNotPermitted() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is not installed");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder("/usr/bin/setpriv", "--bounding-set", "-net_raw", "--inh-caps", "-net_raw", java, "-cp",
                System.getProperty("java.class.path"), PacketCaptureTest.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assumeTrue(!out.contains("setpriv:"), "setpriv cannot change capabilities here: " + out);
        assertThat(out).contains("refused: cannot open a packet socket: not permitted (CAP_NET_RAW is missing)");
    }
}
