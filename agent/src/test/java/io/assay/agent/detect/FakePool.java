package io.assay.agent.detect;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stratum pool stand-in on 127.0.0.1: accepts miners and records the lines they send. A speaking
 * pool also answers a Monero-style login with a job and pushes a new job to every miner each second,
 * as a pool does on a new block (faster, so tests are short).
 */
final class FakePool implements AutoCloseable {
    private final ServerSocket server;
    private final boolean speaking;
    private final java.util.concurrent.atomic.AtomicInteger jobs = new java.util.concurrent.atomic.AtomicInteger();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    FakePool(int port) throws IOException {
        this(port, false);
    }

    FakePool(int port, boolean speaking) throws IOException {
        this.speaking = speaking;
        server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "fake-pool-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
        if (speaking) {
            Thread pusher = new Thread(this::push, "fake-pool-jobs-" + server.getLocalPort());
            pusher.setDaemon(true);
            pusher.start();
        }
    }

    private String job() {
        int n = jobs.incrementAndGet();
        return "{\"blob\":\"0707f8c5b7e2" + Integer.toHexString(n) + "\",\"job_id\":\"" + n + "\",\"target\":\"b88d0600\"}";
    }

    private void push() {
        while (!server.isClosed()) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            String line = "{\"jsonrpc\":\"2.0\",\"method\":\"job\",\"params\":" + job() + "}\n";
            for (Socket s : clients) send(s, line);
        }
    }

    private static void send(Socket s, String line) {
        try {
            synchronized (s) {
                s.getOutputStream().write(line.getBytes(StandardCharsets.UTF_8));
                s.getOutputStream().flush();
            }
        } catch (IOException ignored) {
            // that miner is gone
        }
    }

    int port() {
        return server.getLocalPort();
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                clients.add(s);
                Thread r = new Thread(() -> read(s), "fake-pool-reader");
                r.setDaemon(true);
                r.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void read(Socket s) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
                if (speaking && line.contains("\"login\"")) {
                    send(s, "{\"id\":1,\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{\"id\":\"1\",\"job\":" + job()
                            + ",\"status\":\"OK\"}}\n");
                }
            }
        } catch (IOException ignored) {
            // miner killed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : clients) s.close();
    }
}
