package io.assay.agent.metrics;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link AgentMetrics#render()} at {@code GET /metrics} on a loopback address, with one
 * thread ({@code assay-metrics}). The JDK's server, not Jetty or a metrics library: the agent must
 * stay small, a scrape every 15 s is one request at a time, and only local processes can connect.
 * (The JDK server has no request-read timeout by default; {@link #start} sets
 * {@code sun.net.httpserver.maxReqTime} so a local client that connects and sends nothing cannot
 * hold the one thread forever.)
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code listen} ({@code host:port} as {@code metrics.listen} validated it: a loopback
     * host, port 0 for any free one) and starts serving.
     *
     * @throws IOException the address cannot be bound (in use, or no such local address)
     */
    public static MetricsEndpoint start(String listen, AgentMetrics metrics) throws IOException {
        requireNonNull(metrics, "metrics");
        int colon = listen.lastIndexOf(':');
        String host = listen.substring(0, colon);
        if (host.startsWith("[")) host = host.substring(1, host.length() - 1);
        int port = Integer.parseInt(listen.substring(colon + 1));
        // Read once when the server classes load, so set before HttpServer.create; seconds.
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) System.setProperty("sun.net.httpserver.maxReqTime", "10");
        if (System.getProperty("sun.net.httpserver.maxRspTime") == null) System.setProperty("sun.net.httpserver.maxRspTime", "10");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 4);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "assay-metrics");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> answer(exchange, metrics));
        server.start();
        log.info("metrics: serving http://{}/metrics", hostPort(server.getAddress()));
        return new MetricsEndpoint(server, executor);
    }

    /** Where it listens (the port chosen when {@code metrics.listen} said 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static void answer(HttpExchange exchange, AgentMetrics metrics) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (!path.equals("/metrics")) {
                send(exchange, 404, "not found: the agent serves only GET /metrics\n");
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "method not allowed: use GET /metrics\n");
            } else {
                exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
                byte[] body = metrics.render().getBytes(StandardCharsets.UTF_8);
                if (method.equals("HEAD")) {
                    exchange.sendResponseHeaders(200, -1);
                } else {
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
        } catch (IOException e) {
            log.debug("metrics: answering {} failed: {}", exchange.getRemoteAddress(), e.toString()); // client went away
        }
    }

    private static void send(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String hostPort(InetSocketAddress a) {
        String h = a.getAddress().getHostAddress();
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
