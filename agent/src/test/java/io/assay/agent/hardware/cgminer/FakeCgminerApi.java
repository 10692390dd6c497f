package io.assay.agent.hardware.cgminer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cgminer-style API on loopback for tests: answers {@code summary}, {@code devs} and
 * {@code pools} as bmminer does (JSON, then a NUL byte, then close), or misbehaves as told.
 */
final class FakeCgminerApi implements AutoCloseable {
    enum Mode { WELL_FORMED, SLOW, GARBAGE, CLOSED_EARLY, SUMMARY_ONLY }

    static final String SUMMARY = """
            {"STATUS":[{"STATUS":"S","When":1733130000,"Code":11,"Msg":"Summary","Description":"bmminer 1.0.0"}],\
            "SUMMARY":[{"Elapsed":86400,"GHS 5s":"13612.33","GHS av":13598.71,"Accepted":51234,"Rejected":12,\
            "Hardware Errors":3}],"id":1}""";
    static final String DEVS = """
            {"STATUS":[{"STATUS":"S","Code":9,"Msg":"3 ASC(s)","Description":"bmminer 1.0.0"}],"DEVS":[\
            {"ASC":0,"Name":"BTM","ID":0,"MHS av":4532900.1},{"ASC":1,"Name":"BTM","ID":1,"MHS av":4533000.2},\
            {"ASC":2,"Name":"BTM","ID":2,"MHS av":4532810.4}],"id":1}""";
    static final String POOLS = """
            {"STATUS":[{"STATUS":"S","Code":7,"Msg":"2 Pool(s)","Description":"bmminer 1.0.0"}],"POOLS":[\
            {"POOL":0,"URL":"stratum+tcp://btc.example-pool.test:3333","Status":"Alive","User":"worker.001"},\
            {"POOL":1,"URL":"stratum+tcp://backup.example-pool.test:443","Status":"Alive","User":"worker.001"}],"id":1}""";

    private final ServerSocket server;
    private final Mode mode;
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread thread;

    private FakeCgminerApi(ServerSocket server, Mode mode) {
        this.server = server;
        this.mode = mode;
        this.thread = new Thread(this::serve, "fake-cgminer-api");
        thread.setDaemon(true);
        thread.start();
    }

    /** On an ephemeral loopback port. */
    static FakeCgminerApi start(Mode mode) throws IOException {
        return start(mode, 0);
    }

    static FakeCgminerApi start(Mode mode, int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return new FakeCgminerApi(s, mode);
    }

    int port() {
        return server.getLocalPort();
    }

    int connections() {
        return connections.get();
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket c = server.accept()) {
                connections.incrementAndGet();
                if (mode == Mode.CLOSED_EARLY) continue;
                String request = readRequest(c.getInputStream());
                OutputStream out = c.getOutputStream();
                switch (mode) {
                    case SLOW -> {
                        Thread.sleep(10_000); // far past any client's budget; close() interrupts it
                        out.write(answer(request));
                    }
                    case GARBAGE -> out.write(new byte[] {(byte) 0xde, (byte) 0xad, 'H', 'E', 'L', 'L', 'O', 0x01, 0x7f, '{'});
                    case SUMMARY_ONLY -> out.write(request.contains("summary") ? answer(request) : "{}\0".getBytes(StandardCharsets.US_ASCII));
                    default -> out.write(answer(request));
                }
                out.flush();
            } catch (IOException e) {
                // client gone or server closed
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static String readRequest(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int ch;
        while (b.length() < 512 && (ch = in.read()) >= 0) {
            b.append((char) ch);
            if (ch == '}') break;
        }
        return b.toString();
    }

    private static byte[] answer(String request) {
        String json = request.contains("devs") ? DEVS : request.contains("pools") ? POOLS : SUMMARY;
        return (json + "\0").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        server.close();
        thread.interrupt();
    }
}
