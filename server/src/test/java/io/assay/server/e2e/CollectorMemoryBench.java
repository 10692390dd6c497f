package io.assay.server.e2e;

import io.assay.protocol.Json;
import io.assay.protocol.api.EnrollResponse;
import io.assay.server.TestHost;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * On demand, never in the suite: a fleet of N simulated hosts against a running
 * {@code assay-server serve} (another process, started with the shipped JVM flags), to measure
 * the collector's memory for a fleet. Enrolls N hosts, then each uploads {@code rounds} reports
 * (one per round, as agents do once a window), and prints the collector's RSS after each phase.
 *
 * <pre>{@code java -cp ... io.assay.server.e2e.CollectorMemoryBench URL ENROLL_TOKEN SERVER_PID HOSTS ROUNDS THREADS}</pre>
 */
public final class CollectorMemoryBench {
    private CollectorMemoryBench() {}

    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        String enrollToken = args[1];
        long pid = Long.parseLong(args[2]);
        int hosts = Integer.parseInt(args[3]);
        int rounds = Integer.parseInt(args[4]);
        int threads = Integer.parseInt(args[5]);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
        List<TestHost> fleet = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < hosts; i++) {
            fleet.add(new TestHost("mem-" + i + ".dc1.example", java.util.UUID.randomUUID().toString()));
            tokens.add("");
        }
        System.out.printf("before: %s%n", rss(pid));
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger failures = new AtomicInteger();
        List<Future<Object>> work = new ArrayList<>();
        for (int i = 0; i < hosts; i++) {
            int n = i;
            work.add(pool.submit(() -> {
                HttpResponse<String> r = post(http, url.resolve("/api/v1/enroll"), enrollToken,
                        Json.toJson(fleet.get(n).enrollRequest()));
                if (r.statusCode() != 200) {
                    failures.incrementAndGet();
                    return null;
                }
                EnrollResponse e = Json.fromJson(r.body(), EnrollResponse.class);
                fleet.get(n).withHostId(e.hostId());
                tokens.set(n, e.hostToken());
                return null;
            }));
        }
        for (Future<Object> f : work) f.get();
        System.out.printf("enrolled %d hosts in %.1f s (%d failed): %s%n", hosts, (System.nanoTime() - t0) / 1e9,
                failures.get(), rss(pid));
        for (int round = 1; round <= rounds; round++) {
            work.clear();
            long r0 = System.nanoTime();
            AtomicInteger busy = new AtomicInteger();
            for (int i = 0; i < hosts; i++) {
                int n = i;
                work.add(pool.submit(() -> {
                    String body = TestHost.batch(fleet.get(n).next());
                    for (int attempt = 0; attempt < 20; attempt++) {
                        HttpResponse<String> r = post(http, url.resolve("/api/v1/reports"), tokens.get(n), body);
                        if (r.statusCode() == 200) return null;
                        if (r.statusCode() != 429) {
                            failures.incrementAndGet();
                            return null;
                        }
                        busy.incrementAndGet();
                        Thread.sleep(100);
                    }
                    failures.incrementAndGet();
                    return null;
                }));
            }
            for (Future<Object> f : work) f.get();
            System.out.printf("round %d: %d uploads in %.1f s (%d x 429, %d failed): %s%n", round, hosts,
                    (System.nanoTime() - r0) / 1e9, busy.get(), failures.get(), rss(pid));
        }
        HttpResponse<String> list = http.send(HttpRequest.newBuilder(url.resolve("/api/v1/hosts?limit=1000")).build(),
                HttpResponse.BodyHandlers.ofString());
        System.out.printf("host list without a token: %d; final: %s%n", list.statusCode(), rss(pid));
        pool.shutdown();
    }

    private static HttpResponse<String> post(HttpClient http, URI uri, String token, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String rss(long pid) throws Exception {
        String rss = "?";
        String hwm = "?";
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) rss = line.substring(6).trim();
            if (line.startsWith("VmHWM:")) hwm = line.substring(6).trim();
        }
        return "collector RSS " + rss + " (peak " + hwm + ")";
    }
}
