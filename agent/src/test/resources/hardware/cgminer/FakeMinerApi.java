import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A plain program that answers like an ASIC's cgminer API on 127.0.0.1:PORT, for the agent's
 * end-to-end test: no miner code, no CPU load, only the API. Run with {@code java FakeMinerApi.java PORT};
 * prints READY when listening, BUSY (exit 3) when the port is taken; exits when its stdin closes.
 */
public class FakeMinerApi {
    static final String SUMMARY = "{\"STATUS\":[{\"STATUS\":\"S\",\"When\":1733130000,\"Code\":11,\"Msg\":\"Summary\","
            + "\"Description\":\"bmminer 1.0.0\"}],\"SUMMARY\":[{\"Elapsed\":86400,\"GHS 5s\":\"13612.33\",\"GHS av\":13598.71,"
            + "\"Accepted\":51234,\"Rejected\":12}],\"id\":1}";
    static final String DEVS = "{\"STATUS\":[{\"STATUS\":\"S\",\"Msg\":\"3 ASC(s)\"}],\"DEVS\":[{\"ASC\":0},{\"ASC\":1},{\"ASC\":2}],\"id\":1}";
    static final String POOLS = "{\"STATUS\":[{\"STATUS\":\"S\",\"Msg\":\"1 Pool(s)\"}],\"POOLS\":[{\"POOL\":0,"
            + "\"URL\":\"stratum+tcp://btc.example-pool.test:3333\",\"Status\":\"Alive\"}],\"id\":1}";

    public static void main(String[] args) throws IOException {
        ServerSocket server = new ServerSocket();
        try {
            server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), Integer.parseInt(args[0])));
        } catch (BindException e) {
            System.out.println("BUSY " + e.getMessage());
            System.exit(3);
        }
        Thread watchdog = new Thread(() -> {
            try {
                while (System.in.read() >= 0) { /* until the test closes our stdin or dies */ }
            } catch (IOException ignored) {
                // parent gone
            }
            System.exit(0);
        });
        watchdog.setDaemon(true);
        watchdog.start();
        System.out.println("READY");
        System.out.flush();
        while (true) {
            try (Socket c = server.accept()) {
                c.setSoTimeout(2000);
                InputStream in = c.getInputStream();
                StringBuilder req = new StringBuilder();
                int ch;
                while (req.length() < 512 && (ch = in.read()) >= 0) {
                    req.append((char) ch);
                    if (ch == '}') break;
                }
                String json = req.indexOf("devs") >= 0 ? DEVS : req.indexOf("pools") >= 0 ? POOLS : SUMMARY;
                OutputStream out = c.getOutputStream();
                out.write((json + "\0").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                // a client that went away: serve the next
            }
        }
    }
}
