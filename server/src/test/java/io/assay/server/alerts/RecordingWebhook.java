package io.assay.server.alerts;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A webhook receiver on loopback that records every request and fails the first {@code failures}
 * with HTTP 500.
 */
public final class RecordingWebhook implements AutoCloseable {
    /** One received request. */
    public record Received(String body, String signature, String alertId, int attempt, int answered) {}

    private final HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private final AtomicInteger failuresLeft;

    public RecordingWebhook(int failures) throws IOException {
        this.failuresLeft = new AtomicInteger(failures);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status = failuresLeft.getAndDecrement() > 0 ? 500 : 204;
            synchronized (received) {
                received.add(new Received(body, ex.getRequestHeaders().getFirst("X-Assay-Signature"),
                        ex.getRequestHeaders().getFirst("X-Assay-Alert"),
                        Integer.parseInt(ex.getRequestHeaders().getFirst("X-Assay-Delivery-Attempt")), status));
                received.notifyAll();
            }
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** Waits until the requests received satisfy {@code done}, or fails after {@code timeout}. */
    public List<Received> awaitUntil(Predicate<List<Received>> done, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (!done.test(List.copyOf(received))) {
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new AssertionError("webhook did not get what was expected within " + timeout
                        + "; got " + received);
                received.wait(Math.max(1, left / 1_000_000));
            }
            return List.copyOf(received);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
