package io.assay.server;

import static java.util.Objects.requireNonNull;

import io.assay.server.store.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * A real collector for tests: real HTTP on 127.0.0.1 port 0, a real SQLite file, and one token
 * of each operator role. Also a small HTTP client for calling it.
 *
 * <pre>{@code
 * try (TestCollector server = TestCollector.start(tempDir)) {
 *     HttpResponse<String> r = server.post("/api/v1/enroll", server.enrollToken(), json);
 *     ... server.url() ...
 * }
 * }</pre>
 */
public final class TestCollector implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Collector collector;
    private final Path db;
    private final Clock clock;
    private final UnaryOperator<ServerConfig.Builder> customize;
    private final String enrollToken;
    private final String auditorToken;
    private final String adminToken;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    private TestCollector(Collector collector, Path db, Clock clock, UnaryOperator<ServerConfig.Builder> customize,
            String enrollToken, String auditorToken, String adminToken) {
        this.collector = collector;
        this.db = db;
        this.clock = clock;
        this.customize = customize;
        this.enrollToken = enrollToken;
        this.auditorToken = auditorToken;
        this.adminToken = adminToken;
    }

    /** Starts a collector with database {@code dir/assay.db} and the system clock. */
    public static TestCollector start(Path dir) {
        return start(dir, Clock.systemUTC());
    }

    public static TestCollector start(Path dir, Clock clock) {
        return start(dir, clock, b -> b);
    }

    /** Starts a collector; {@code customize} may change the config (limits, threads). */
    public static TestCollector start(Path dir, Clock clock, UnaryOperator<ServerConfig.Builder> customize) {
        Path db = dir.resolve("assay.db");
        Collector c = startCollector(db, clock, customize);
        return new TestCollector(c, db, clock, customize, c.issueToken(Role.ENROLL, "test enroll"),
                c.issueToken(Role.AUDITOR, "test auditor"), c.issueToken(Role.ADMIN, "test admin"));
    }

    private static Collector startCollector(Path db, Clock clock, UnaryOperator<ServerConfig.Builder> customize) {
        ServerConfig config = customize.apply(ServerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .db(db)
                .logKey(db.resolveSibling("log.key"))
                .httpThreads(8)
                .shutdownGrace(Duration.ofSeconds(5))).build();
        try {
            return Collector.start(config, clock);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stops this collector and starts a new one on the same database file (new port). The
     * tokens stay valid, since they live in the database.
     */
    public TestCollector restart() {
        collector.close();
        return new TestCollector(startCollector(db, clock, customize), db, clock, customize, enrollToken, auditorToken,
                adminToken);
    }

    public URI url() {
        return collector.url();
    }

    public Collector collector() {
        return collector;
    }

    public Path db() {
        return db;
    }

    public String enrollToken() {
        return enrollToken;
    }

    public String auditorToken() {
        return auditorToken;
    }

    public String adminToken() {
        return adminToken;
    }

    /** GET {@code path} with a bearer token. */
    public HttpResponse<String> get(String path, String token) {
        return send(request(path).header("Authorization", "Bearer " + token).GET());
    }

    /** GET {@code path} without any Authorization header. */
    public HttpResponse<String> getWithoutToken(String path) {
        return send(request(path).GET());
    }

    /** POST a JSON body with a bearer token. */
    public HttpResponse<String> post(String path, String token, String json) {
        return post(path, token, json.getBytes(StandardCharsets.UTF_8));
    }

    public HttpResponse<String> post(String path, String token, byte[] body) {
        return send(request(path).header("Authorization", "Bearer " + requireNonNull(token, "token"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** POST without any Authorization header. */
    public HttpResponse<String> postWithoutToken(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** Any method with a body of {@code contentType}, with a bearer token. */
    public HttpResponse<String> send(String method, String path, String token, String contentType, String body) {
        return send(request(path).header("Authorization", "Bearer " + requireNonNull(token, "token"))
                .header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
    }

    /** GET {@code path} with a bearer token, the body as bytes (PDF reports). */
    public HttpResponse<byte[]> getBytes(String path, String token) {
        try {
            return http.send(request(path).header("Authorization", "Bearer " + token).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(url().resolve(path)).timeout(TIMEOUT);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        collector.close();
    }
}
