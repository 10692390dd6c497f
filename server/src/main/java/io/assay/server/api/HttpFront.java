package io.assay.server.api;

import static java.util.Objects.requireNonNull;

import io.assay.server.http.Route;
import io.assay.server.http.RouteModule;
import io.assay.server.store.Store;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import io.assay.server.tls.ServerCertificate;
import io.assay.server.tls.TlsConfig;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.SslConnectionFactory;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.AcceptRateLimit;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's HTTP front: Jetty 12 with one core handler over the route table, and the
 * limits that keep a stranger from silencing it.
 *
 * <ul>
 *   <li>Idle time-out per connection: a connection that sends nothing (half a request line, a
 *       kept-alive connection nobody uses) is closed; it also bounds how long the header may take
 *       between bytes. Idle connections hold no thread (Jetty reads headers on its selector).
 *   <li>Body time-out: the whole body must arrive within it, read without holding a thread.
 *   <li>Header size: larger request line + headers get 431 (or 414 for the request line).
 *   <li>Connection limit: past it Jetty stops accepting, and the open connections' idle time-out
 *       drops to {@link Limits#AT_CONNECTION_LIMIT_IDLE}, so a flood of silent connections ends quickly.
 *   <li>Accept rate: past it Jetty stops accepting for the rest of the second.
 * </ul>
 */
public final class HttpFront implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpFront.class);
    /** Threads Jetty needs for itself besides the handler threads: the one connector's acceptor and selector. */
    private static final int JETTY_THREADS = 2;

    /** Limits of the front; see {@link io.assay.server.ServerConfig} for defaults and ranges. */
    public record Settings(InetSocketAddress listen, int handlerThreads, long maxBodyBytes, Duration idleTimeout,
            Duration bodyTimeout, int maxHeaderBytes, int maxConnections, int maxAcceptsPerSecond,
            Optional<TlsConfig> tls) {
        public Settings {
            requireNonNull(listen, "listen");
            requireNonNull(tls, "tls");
            requireNonNull(idleTimeout, "idleTimeout");
            requireNonNull(bodyTimeout, "bodyTimeout");
        }
    }

    private final Server server;
    private final Settings settings;
    private final ServerCertificate certificate; // null for plain HTTP
    private final URI url;
    private volatile ApiHandler handler;
    /** Jetty's error handler exists from {@link #bind}; what it tells is forwarded once {@link #start} names the observer. */
    private final ForwardingObserver observer;

    private HttpFront(Server server, Settings settings, ServerCertificate certificate, URI url,
            ForwardingObserver observer) {
        this.observer = observer;
        this.server = server;
        this.settings = settings;
        this.certificate = certificate;
        this.url = url;
    }

    /**
     * Builds the server and binds its address, without serving yet: a port in use is found
     * before anything else (the database) is opened.
     *
     * @throws BindException the address is in use or cannot be bound
     */
    public static HttpFront bind(Settings settings) throws IOException {
        int maxThreads = settings.handlerThreads() + JETTY_THREADS;
        // Jetty's own unbounded job queue: what limits the work is the connection limit and the
        // accept rate, not a queue that would drop jobs Jetty itself needs (selector tasks).
        QueuedThreadPool pool = new QueuedThreadPool(maxThreads, Math.min(maxThreads, 4), 60_000);
        pool.setReservedThreads(0);
        pool.setName("assay-http");
        Server server = new Server(pool);
        server.setStopAtShutdown(false); // the collector's own shutdown hook stops it in order
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(settings.maxHeaderBytes());
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        ServerConnector connector;
        ServerCertificate certificate = null;
        if (settings.tls().isPresent()) {
            certificate = new ServerCertificate(settings.tls().get());
            http.addCustomizer(new SecureRequestCustomizer(false)); // agents check the name; no SNI host check here
            HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
            ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
            alpn.setDefaultProtocol("http/1.1");
            connector = new ServerConnector(server, 1, 1,
                    new SslConnectionFactory(certificate.factory(), alpn.getProtocol()), alpn, h2,
                    new HttpConnectionFactory(http));
        } else {
            connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        }
        connector.setHost(settings.listen().getHostString());
        connector.setPort(settings.listen().getPort());
        connector.setIdleTimeout(settings.idleTimeout().toMillis());
        server.addConnector(connector);
        ConnectionLimit connectionLimit = new ConnectionLimit(settings.maxConnections(), server);
        connectionLimit.setIdleTimeout(Limits.AT_CONNECTION_LIMIT_IDLE.toMillis());
        server.addBean(connectionLimit);
        server.addBean(new AcceptRateLimit(settings.maxAcceptsPerSecond(), 1, TimeUnit.SECONDS, server));
        ForwardingObserver observer = new ForwardingObserver();
        server.setErrorHandler(new ProblemErrorHandler(observer));
        server.setRequestLog(new AccessLog());
        try {
            connector.open();
        } catch (IOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException b) throw b;
            }
            throw e;
        }
        String host = settings.listen().getAddress() == null ? settings.listen().getHostString()
                : settings.listen().getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        String scheme = certificate == null ? "http" : "https";
        return new HttpFront(server, settings, certificate,
                URI.create(scheme + "://" + host + ":" + connector.getLocalPort()), observer);
    }

    /**
     * Starts serving {@code modules}' routes.
     *
     * @throws IOException Jetty cannot start
     * @throws IllegalArgumentException two modules declare the same method and path
     */
    public void start(Store store, List<RouteModule> modules) throws IOException {
        start(store, modules, RequestObserver.NONE);
    }

    /**
     * Starts serving {@code modules}' routes, telling {@code observer} of every answer and refusal.
     *
     * @throws IOException Jetty cannot start
     * @throws IllegalArgumentException two modules declare the same method and path
     */
    public void start(Store store, List<RouteModule> modules, RequestObserver observer) throws IOException {
        this.observer.delegate = requireNonNull(observer, "observer");
        List<Route> routes = modules.stream().flatMap(m -> m.routes().stream()).toList();
        handler = new ApiHandler(new RouteTable(routes), new Authenticator(store), settings.maxBodyBytes(),
                settings.bodyTimeout(), this.observer);
        server.setHandler(handler);
        try {
            server.start();
        } catch (Exception e) {
            stopQuietly(server);
            if (e instanceof IOException io) throw io;
            if (e instanceof RuntimeException re) throw re;
            throw new IOException("cannot start the HTTP server: " + e.getMessage(), e);
        }
        if (certificate != null) certificate.watch(server.getScheduler());
    }

    /** Base URL, e.g. {@code http://127.0.0.1:8440} or {@code https://...}, with the port actually bound. */
    public URI url() {
        return url;
    }

    /** From now on new requests get 503; requests in progress finish. */
    public void beginShutdown() {
        if (handler != null) handler.beginShutdown();
    }

    /** Waits until no request is in progress or {@code timeout} passes; true when idle. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return handler == null || handler.awaitIdle(timeout);
    }

    @Override
    public void close() {
        stopQuietly(server);
    }

    /** Forwards to the observer named at start; tells nothing before. */
    private static final class ForwardingObserver implements RequestObserver {
        volatile RequestObserver delegate = RequestObserver.NONE;

        @Override
        public void answered(String method, String route, int status, long nanos) {
            delegate.answered(method, route, status, nanos);
        }

        @Override
        public void refused(String type, int status) {
            delegate.refused(type, status);
        }
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            log.warn("HTTP server did not stop cleanly: {}", e.toString());
        }
    }
}
