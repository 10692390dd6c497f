package io.assay.server.bench;

import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.Envelopes;
import io.assay.protocol.api.HostIdentity;
import io.assay.protocol.api.RawEnvelope;
import io.assay.protocol.log.Merkle;
import io.assay.protocol.log.NoteSigner;
import io.assay.protocol.log.NoteVerifierKey;
import io.assay.protocol.log.TreeHash;
import io.assay.server.evidence.EvidenceExport;
import io.assay.server.ingest.Ingestor;
import io.assay.server.log.LogConfig;
import io.assay.server.log.StoredSubtrees;
import io.assay.server.log.TransparencyLog;
import io.assay.server.store.HostRecord;
import io.assay.server.store.Store;
import io.assay.server.store.sqlite.SqliteStore;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures the attested history, on temporary SQLite files: (1) a host-month of one-minute
 * reports exported as an evidence bundle and verified offline by {@code assay-verify} (a separate
 * process), with time and size; (2) inclusion proofs on a log of {@code --leaves} leaves whose
 * stored subtree hashes are written synthetically; (3) ingest with the sequencer running vs not.
 * Progress on stderr, tables on stdout.
 */
@Command(name = "bench-history", mixinStandardHelpOptions = true,
        description = "Measure evidence export/verify of a host-month, inclusion proofs on a large log, and ingest"
                + " with the log on vs off; prints tables.")
public final class BenchHistoryCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--month-reports", defaultValue = "43200", description = "Reports in the host-month (default: ${DEFAULT-VALUE}).")
    int monthReports;

    @Option(names = "--leaves", defaultValue = "10000000", description = "Leaves of the large log (default: ${DEFAULT-VALUE}).")
    long leaves;

    @Option(names = "--proofs", defaultValue = "1000", description = "Inclusion proofs timed (default: ${DEFAULT-VALUE}).")
    int proofs;

    @Option(names = "--ingest-reports", defaultValue = "5000", description = "Reports per ingest run (default: ${DEFAULT-VALUE}).")
    int ingestReports;

    @Option(names = "--verify-jar", defaultValue = "verify/target/assay-verify.jar",
            description = "The assay-verify jar (default: ${DEFAULT-VALUE}).")
    Path verifyJar;

    private final PrintStream progress = System.err;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("assay-bench-history-");
        try {
            PrintWriter out = spec.commandLine().getOut();
            month(dir, out);
            largeLog(dir, out);
            ingest(dir, out);
            out.flush();
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return 0;
    }

    private record Fleet(Store store, List<String> hosts, List<List<RawEnvelope>> batches) {}

    /** Enrolls {@code hosts} hosts directly in the store and signs {@code perHost} chained reports each. */
    private static Fleet fleet(Path db, int hosts, int perHost, int batch) {
        Store store = SqliteStore.open(db, Duration.ofSeconds(10), 2);
        SecureRandom random = new SecureRandom();
        List<String> ids = new ArrayList<>();
        List<List<RawEnvelope>> batches = new ArrayList<>();
        long t0 = 1_700_000_000_000L;
        for (int h = 0; h < hosts; h++) {
            Ed25519Signer key = Ed25519Signer.generate(random);
            String id = "h-bench" + h;
            ids.add(id);
            store.inTransaction(tx -> {
                tx.insertHost(HostRecord.enrolled(id, key.publicKey().base64(), key.publicKey().keyId(),
                        new HostIdentity("bench", "uuid-" + id, "SN", List.of()), "bench", java.time.Instant.ofEpochMilli(t0)));
                return null;
            });
            String prev = "";
            List<RawEnvelope> current = new ArrayList<>();
            for (int seq = 1; seq <= perHost; seq++) {
                Envelopes.SignedReport r = Envelopes.seal(BenchIngestCommand.report(id, seq, prev, t0 + (seq - 1) * 60_000L), key);
                prev = r.payloadHash();
                current.add(RawEnvelope.of(r.envelope()));
                if (current.size() == batch || seq == perHost) {
                    batches.add(current);
                    current = new ArrayList<>();
                }
            }
        }
        return new Fleet(store, ids, batches);
    }

    private void month(Path dir, PrintWriter out) throws Exception {
        progress.printf("host-month: signing and storing %d reports...%n", monthReports);
        Fleet f = fleet(dir.resolve("month.db"), 1, monthReports, 500);
        try (Store store = f.store()) {
            Ingestor ingestor = new Ingestor(store, Clock.systemUTC());
            for (List<RawEnvelope> b : f.batches()) ingestor.ingest(f.hosts().get(0), b);
            NoteSigner key = new NoteSigner("bench/log", NoteVerifierKey.ED25519, Ed25519Signer.generate(new SecureRandom()));
            try (TransparencyLog log = TransparencyLog.open(store, key, Clock.systemUTC(), LogConfig.defaults())) {
                log.checkpoint();
            }
            Path bundle = dir.resolve("month.json");
            long t = System.nanoTime();
            try (OutputStream os = Files.newOutputStream(bundle)) {
                EvidenceExport.write(store, new EvidenceExport.Request(f.hosts().get(0), 1_700_000_000_000L,
                        1_700_000_000_000L + monthReports * 60_000L, List.of()), java.time.Instant.now(), os);
            }
            double exportS = (System.nanoTime() - t) / 1e9;
            long size = Files.size(bundle);
            String verifyCell = "(no " + verifyJar + ")";
            if (Files.isRegularFile(verifyJar)) {
                progress.println("host-month: verifying with assay-verify...");
                Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
                long v = System.nanoTime();
                Process p = new ProcessBuilder(javaBin.toString(), "-jar", verifyJar.toString(), bundle.toString(),
                        "--log-key", key.verifierKey().encode()).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("verify.out").toFile()).start();
                if (!p.waitFor(30, TimeUnit.MINUTES)) p.destroyForcibly();
                verifyCell = String.format("%.2f s (exit %d)", (System.nanoTime() - v) / 1e9, p.exitValue());
            }
            out.printf("%n| host-month (%d one-minute reports) | value |%n|---|---|%n", monthReports);
            out.printf("| export (database -> bundle) | %.2f s |%n", exportS);
            out.printf("| bundle size | %.1f MiB (%.0f bytes per report) |%n", size / 1048576.0, (double) size / monthReports);
            out.printf("| assay-verify (separate JVM, all checks + coverage) | %s |%n", verifyCell);
        }
    }

    private void largeLog(Path dir, PrintWriter out) {
        progress.printf("large log: writing the stored subtree hashes of %d synthetic leaves...%n", leaves);
        try (Store store = SqliteStore.open(dir.resolve("large.db"), Duration.ofSeconds(30), 2)) {
            TreeHash[] frontier = new TreeHash[64];
            long i = 0;
            long t = System.nanoTime();
            while (i < leaves) {
                long end = Math.min(leaves, i + 200_000);
                long from = i;
                store.inTransaction(tx -> {
                    var log = tx.log();
                    for (long j = from; j < end; j++) {
                        TreeHash h = Merkle.leafHash(ByteBuffer.allocate(8).putLong(j).array());
                        log.insertNode(0, j, h.bytes());
                        long k = j;
                        int level = 0;
                        while ((k & 1) == 1) {
                            h = Merkle.nodeHash(frontier[level], h);
                            k >>= 1;
                            level++;
                            log.insertNode(level, k, h.bytes());
                        }
                        frontier[level] = h;
                    }
                    return null;
                });
                i = end;
            }
            double buildS = (System.nanoTime() - t) / 1e9;
            Random random = new Random(42);
            List<Long> nanos = new ArrayList<>();
            int hashes = 0;
            for (int n = 0; n < proofs; n++) {
                long index = (long) (random.nextDouble() * leaves);
                long s = System.nanoTime();
                List<TreeHash> proof = store.read(tx -> Merkle.inclusionProof(new StoredSubtrees(tx.log()), index, leaves));
                nanos.add(System.nanoTime() - s);
                hashes = proof.size();
            }
            nanos.sort(Comparator.naturalOrder());
            out.printf("%n| inclusion proof, log of %,d leaves (synthetic stored hashes, SQLite) | value |%n|---|---|%n", leaves);
            out.printf("| writing the stored hashes | %.0f s |%n", buildS);
            out.printf("| proof (%d hashes), median of %d | %.3f ms |%n", hashes, proofs, nanos.get(nanos.size() / 2) / 1e6);
            out.printf("| p99 | %.3f ms |%n", nanos.get((int) (nanos.size() * 0.99)) / 1e6);
        }
    }

    private void ingest(Path dir, PrintWriter out) throws Exception {
        out.printf("%n| ingest of %d reports (10 hosts, batches of 50, in-process, SQLite) | reports/s |%n|---|---|%n",
                ingestReports);
        for (boolean logOn : new boolean[] {false, true}) {
            progress.printf("ingest with the log %s...%n", logOn ? "on" : "off");
            Fleet f = fleet(dir.resolve("ingest-" + logOn + ".db"), 10, ingestReports / 10, 50);
            try (Store store = f.store()) {
                Ingestor ingestor = new Ingestor(store, Clock.systemUTC());
                NoteSigner key = new NoteSigner("bench/log", NoteVerifierKey.ED25519, Ed25519Signer.generate(new SecureRandom()));
                TransparencyLog log = TransparencyLog.open(store, key, Clock.systemUTC(), LogConfig.defaults()
                        .withIntervals(Duration.ofMillis(100), Duration.ofHours(1)).withSequencer(logOn));
                long t = System.nanoTime();
                log.startBackground();
                int perHost = f.batches().size() / f.hosts().size();
                for (int b = 0; b < f.batches().size(); b++) ingestor.ingest(f.hosts().get(b / perHost), f.batches().get(b));
                if (logOn) log.integrate();
                double s = (System.nanoTime() - t) / 1e9;
                log.close();
                out.printf("| log %s%s | %.0f |%n", logOn ? "on" : "off", logOn ? " (every report integrated at the end)" : "",
                        ingestReports / s);
            }
        }
    }
}
