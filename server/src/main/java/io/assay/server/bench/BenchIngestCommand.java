package io.assay.server.bench;

import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.Envelope;
import io.assay.protocol.Envelopes;
import io.assay.protocol.Json;
import io.assay.protocol.LoadSummary;
import io.assay.protocol.ProcessSample;
import io.assay.protocol.Report;
import io.assay.protocol.Verdict;
import io.assay.protocol.api.BatchResponse;
import io.assay.protocol.api.EnrollRequest;
import io.assay.protocol.api.EnrollResponse;
import io.assay.protocol.api.HostIdentity;
import io.assay.protocol.api.ReportBatch;
import io.assay.server.Collector;
import io.assay.server.ServerConfig;
import io.assay.server.cli.CliException;
import io.assay.server.store.Role;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures ingest: starts a collector on 127.0.0.1 port 0 with a temporary SQLite file, enrolls
 * {@code --hosts} hosts with fresh keys, pre-signs {@code --reports} reports per host (so signing
 * is not measured), then uploads them in batches of {@code --batch} from {@code --threads}
 * threads and prints one table. Each host's batches go in order from one thread, as an agent's
 * would. Progress goes to stderr, the table to stdout.
 */
@Command(name = "bench-ingest", mixinStandardHelpOptions = true,
        description = "Measure report ingest over HTTP into a temporary SQLite database and print a table.")
public final class BenchIngestCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--hosts", defaultValue = "20", description = "Hosts to enroll (default: ${DEFAULT-VALUE}).")
    int hosts;

    @Option(names = "--reports", defaultValue = "200", description = "Reports per host (default: ${DEFAULT-VALUE}).")
    int reports;

    @Option(names = "--batch", defaultValue = "50", description = "Reports per upload (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--threads", defaultValue = "2", description = "Uploading threads (default: ${DEFAULT-VALUE}).")
    int threads;

    private record Host(String hostId, String token, List<byte[]> batches) {}

    @Override
    public Integer call() throws Exception {
        if (hosts < 1 || reports < 1 || batch < 1 || threads < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--hosts, --reports, --batch and --threads must be >= 1");
        }
        PrintStream progress = System.err;
        Path dir = Files.createTempDirectory("assay-bench-");
        Path db = dir.resolve("bench.db");
        ServerConfig config = ServerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .db(db)
                .httpThreads(Math.max(4, threads * 2))
                .maxIngestInFlight(Math.max(8, threads * 2))
                .maxBodyBytes(64L * 1024 * 1024)
                .build();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        try (Collector collector = Collector.start(config, Clock.systemUTC())) {
            String enrollToken = collector.issueToken(Role.ENROLL, "bench");
            progress.printf("enrolling %d hosts and signing %d reports each...%n", hosts, reports);
            List<Host> fleet = new ArrayList<>();
            SecureRandom random = new SecureRandom();
            for (int h = 0; h < hosts; h++) fleet.add(prepare(client, collector.url(), enrollToken, random, h));

            progress.printf("uploading %d reports in batches of %d from %d threads...%n", hosts * reports, batch, threads);
            ConcurrentLinkedQueue<Host> queue = new ConcurrentLinkedQueue<>(fleet);
            List<Long> latenciesNanos = Collections.synchronizedList(new ArrayList<>());
            AtomicLong accepted = new AtomicLong();
            AtomicInteger busy = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            long start = System.nanoTime();
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    Host host;
                    while ((host = queue.poll()) != null) {
                        for (byte[] body : host.batches()) {
                            accepted.addAndGet(upload(client, collector.url(), host, body, latenciesNanos, busy));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
            double seconds = (System.nanoTime() - start) / 1e9;
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);

            List<Long> sorted = new ArrayList<>(latenciesNanos);
            sorted.sort(Comparator.naturalOrder());
            long dbBytes = size(db) + size(Path.of(db + "-wal"));
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-10s %-9s %-12s %-10s %-10s %-8s %-10s%n",
                    "reports", "seconds", "accepted/s", "p50 ms", "p99 ms", "429s", "db MiB");
            out.printf("%-10d %-9.2f %-12.0f %-10.1f %-10.1f %-8d %-10.1f%n", accepted.get(), seconds,
                    accepted.get() / seconds, percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6, busy.get(),
                    dbBytes / (1024.0 * 1024.0));
            out.flush();
        } finally {
            deleteQuietly(dir);
        }
        return 0;
    }

    private Host prepare(HttpClient client, URI url, String enrollToken, SecureRandom random, int index)
            throws IOException, InterruptedException {
        Ed25519Signer signer = Ed25519Signer.generate(random);
        EnrollRequest request = EnrollRequest.signed(new HostIdentity("bench-" + index, UUID.randomUUID().toString(),
                "SN" + index, List.of(String.format("02:00:00:00:%02x:%02x", index / 256 % 256, index % 256))),
                signer, "bench", enrollToken, System.currentTimeMillis());
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(url.resolve("/api/v1/enroll"))
                .header("Authorization", "Bearer " + enrollToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.toJson(request))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new CliException("enrollment failed with " + r.statusCode() + ": " + r.body());
        EnrollResponse enrolled = Json.fromJson(r.body(), EnrollResponse.class);
        List<byte[]> batches = new ArrayList<>();
        List<Envelope> current = new ArrayList<>();
        String prev = "";
        long t0 = System.currentTimeMillis() - reports * 60_000L;
        for (int seq = 1; seq <= reports; seq++) {
            Envelopes.SignedReport sealed = Envelopes.seal(report(enrolled.hostId(), seq, prev, t0 + (seq - 1) * 60_000L),
                    signer);
            prev = sealed.payloadHash();
            current.add(sealed.envelope());
            if (current.size() == batch || seq == reports) {
                batches.add(Json.toBytes(new ReportBatch(current)));
                current = new ArrayList<>();
            }
        }
        return new Host(enrolled.hostId(), enrolled.hostToken(), batches);
    }

    /** A report of realistic size: ten top processes, no findings. */
    static Report report(String hostId, long seq, String prev, long windowStartMs) {
        List<ProcessSample> top = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            top.add(new ProcessSample(1000 + i, "worker-" + i, "/usr/bin/worker-" + i,
                    "/usr/bin/worker-" + i + " --config /etc/worker/" + i + ".conf --threads 4", "svc",
                    50.0 - i * 4, 200_000_000L + i * 1_000_000L, windowStartMs - 86_400_000L,
                    "0".repeat(63) + i));
        }
        return new Report(Report.FORMAT_VERSION, hostId, seq, prev, windowStartMs, windowStartMs + 60_000, "bench",
                windowStartMs - 3_600_000L, "f".repeat(64), "", new LoadSummary(35.5, 80.0, 12), top, List.of(),
                Verdict.CLEAN, List.of());
    }

    private static int upload(HttpClient client, URI url, Host host, byte[] body, List<Long> latencies,
            AtomicInteger busy) throws IOException, InterruptedException {
        while (true) {
            long t = System.nanoTime();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(url.resolve("/api/v1/reports"))
                    .header("Authorization", "Bearer " + host.token()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 429) {
                busy.incrementAndGet();
                Thread.sleep(r.headers().firstValue("Retry-After").map(Long::parseLong).orElse(1L) * 1000);
                continue;
            }
            latencies.add(System.nanoTime() - t);
            if (r.statusCode() != 200) {
                throw new CliException("upload of host " + host.hostId() + " failed with " + r.statusCode() + ": " + r.body());
            }
            return Json.fromJson(r.body(), BatchResponse.class).acks().size();
        }
    }

    private static double percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) return 0;
        int i = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static long size(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
