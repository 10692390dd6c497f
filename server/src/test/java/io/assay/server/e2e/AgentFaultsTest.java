package io.assay.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.spool.ProblemFile;
import io.assay.agent.spool.Spool;
import io.assay.agent.spool.SpoolStatus;
import io.assay.protocol.Envelope;
import io.assay.protocol.Envelopes;
import io.assay.protocol.Json;
import io.assay.protocol.Report;
import io.assay.server.Collector;
import io.assay.server.ServerConfig;
import io.assay.server.ingest.ReportVerification;
import io.assay.server.store.HostEvent;
import io.assay.server.store.ReportQuery;
import io.assay.server.store.ReportRow;
import io.assay.server.store.Role;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real agent jar against a real collector, through faults an operator's bad day brings: the
 * agent killed with SIGKILL again and again, its state directory's filesystem full, its spool file
 * corrupted, the network cut in the middle of a batch. Each ends with the chain complete at the
 * collector, every signature valid, and the chain saying what happened.
 */
@Tag("slow")
class AgentFaultsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @TempDir Path tmp;

    Collector collector;
    String hostId;

    @BeforeEach
    void startCollector() throws Exception {
        collector = Collector.start(ServerConfig.builder().listen(new InetSocketAddress("127.0.0.1", 0))
                .db(tmp.resolve("assay.db")).shutdownGrace(Duration.ofSeconds(2)).build(), Clock.systemUTC());
    }

    @AfterEach
    void stopCollector() {
        collector.close();
    }

    @Test
    void killedWithSigkillInALoopTheChainStaysIntactAndEveryClosedWindowArrivesOnce() throws Exception {
        Path state = tmp.resolve("state");
        Path config = enrollAndConfigure(state, collector.url());
        int kills = 4;
        for (int i = 0; i < kills; i++) {
            long before = collectorEnd();
            try (AgentProcess agent = AgentProcess.start(tmp.resolve("agent-" + i + ".log"), "--config", config.toString())) {
                // Killed while it reports: after at least one more report reached the collector.
                await("a report of run " + i, agent, () -> collectorEnd() > before + 1);
                agent.kill();
            }
        }
        try (AgentProcess agent = AgentProcess.start(tmp.resolve("agent-last.log"), "--config", config.toString())) {
            await("the restarted agent's reports", agent, () -> countKind("crash") == kills);
            assertThat(agent.stop()).as(agent.log()).isIn(0, 143);
        }
        // What the agent wrote is what the collector holds: each report once, none missing.
        try (AgentProcess agent = AgentProcess.start(tmp.resolve("agent-drain.log"), "--config", config.toString())) {
            await("the spool drains", agent, () -> status(state).depth() <= 1);
            assertThat(agent.stop()).isIn(0, 143);
        }
        assertChainComplete();
        Map<Long, String> spooled = spooledHashes(state);
        List<ReportRow> stored = storedRows();
        for (ReportRow row : stored) {
            // Acknowledged reports stay in the spool for spool.retention.acked (24h), so all are there to compare.
            assertThat(spooled.get(row.seq())).as("seq %d at the collector is the agent's report", row.seq())
                    .isEqualTo(row.payloadHash());
        }
        List<Report> reports = storedReports();
        List<Report> crashes = reports.stream().filter(r -> kind(r).equals("crash")).toList();
        assertThat(crashes).hasSize(kills).allSatisfy(c -> {
            assertThat(c.verdict().name()).isEqualTo("DEGRADED");
            assertThat(c.windowEndMs()).as("down from T1 to T2").isGreaterThan(c.windowStartMs());
            assertThat(c.notes().get(0)).contains("without a clean stop");
        });
        assertNoWindowLostWithinARun(reports);
    }

    @Test
    void aFullStateFilesystemHoldsWindowsInMemoryAndReportsThemWhenSpaceReturns() throws Exception {
        Path state = Files.createDirectories(tmp.resolve("small-state"));
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", state.toString()) == 0,
                "needs root to mount a small tmpfs");
        try {
            Path config = enrollAndConfigure(state, collector.url());
            try (AgentProcess agent = AgentProcess.start(tmp.resolve("agent.log"), "--config", config.toString())) {
                await("first reports", agent, () -> collectorEnd() >= 3);
                Path filler = state.resolve("filler");
                fill(filler);
                long endWhenFull = collectorEnd();
                await("the agent says it cannot write", agent, () -> agent.log().contains("cannot write the window's report"));
                // Several windows close while the disk is full.
                Thread.sleep(5_000);
                assertThat(agent.isAlive()).as(agent.log()).isTrue();
                // `status` names the problem now although the spool, where problems are kept, cannot be written.
                var full = AgentProcess.runToEnd(tmp, "status", "--state-dir", state.toString());
                assertThat(full.output()).as(full.output()).containsPattern(
                        "problem now: +state directory " + java.util.regex.Pattern.quote(state.toString())
                                + " full: cannot write the spool \\(No space left on device; \\d+ bytes free\\).* \\(since 20");
                assertThat(AgentProcess.status(tmp, state).get("currentProblemMs").getAsLong()).isPositive();
                Files.delete(filler);
                await("reports after space returns", agent, () -> collectorEnd() >= endWhenFull + 4
                        && agent.log().contains("writing reports to the spool works again"));
                await("the problem clears once the spool is written and the collector acknowledges", agent,
                        () -> problemNow(state).isEmpty());
                var healed = AgentProcess.runToEnd(tmp, "status", "--state-dir", state.toString());
                assertThat(healed.output()).as(healed.output()).contains("problem now:   none");
                assertThat(agent.stop()).isIn(0, 143);
            }
            assertChainComplete();
            assertNoWindowLostWithinARun(storedReports());
        } finally {
            run("umount", "-l", state.toString());
        }
    }

    @Test
    void overItsOwnBudgetTheAgentShedsStepByStepThenRestartsCleanlyAndTheChainSaysSo() throws Exception {
        Path state = tmp.resolve("state");
        Path config = enrollAndConfigure(state, collector.url());
        // The lowest budget the configuration allows (no JVM fits it) and a check every second, not every minute.
        Path tight = Files.writeString(tmp.resolve("tight.conf"), Files.readString(config)
                + "watch.max.rss = 32MiB\nwatch.interval = 1s\n");
        int exit;
        try (AgentProcess agent = AgentProcess.start(tmp.resolve("agent-tight.log"), "--config", tight.toString())) {
            Instant deadline = Instant.now().plus(DEADLINE);
            while (agent.isAlive() && Instant.now().isBefore(deadline)) Thread.sleep(250);
            assertThat(agent.isAlive()).as("the agent restarts itself: " + agent.log()).isFalse();
            exit = agent.stop();
            assertThat(agent.log()).contains("shed the content scans").doesNotContain("\tat ");
        }
        assertThat(exit).as("exit 75: stopped to be restarted").isEqualTo(75);
        try (AgentProcess agent = AgentProcess.start(tmp.resolve("agent-after.log"), "--config", config.toString())) {
            await("the spool drains", agent, () -> status(state).depth() <= 1 && countKind("start") == 2);
            assertThat(agent.stop()).isIn(0, 143);
        }
        assertChainComplete();
        List<Report> reports = storedReports();
        List<String> kinds = reports.stream().map(AgentFaultsTest::kind).toList();
        List<Report> sheds = reports.stream().filter(r -> kind(r).equals("shed")).toList();
        assertThat(sheds).extracting(r -> r.notes().get(0)).satisfiesExactly(
                n -> assertThat(n).contains("is over watch.max.rss 32.0 MB").contains("shed the content scans")
                        .contains("step 1 of 2"),
                n -> assertThat(n).contains("shed every other sample tick").contains("step 2 of 2"),
                n -> assertThat(n).contains("even after shedding optional work").contains("restarting cleanly"));
        int restartAt = reports.indexOf(sheds.get(2));
        // A window may still close between the decision and the exit; then a clean stop, the next start, and
        // a config report (the budget differs): no crash.
        assertThat(kinds.subList(restartAt + 1, kinds.size()).stream().filter(k -> !k.equals("window")).toList())
                .as(kinds.toString()).containsExactly("stop", "start", "config");
    }

    @Test
    void aCorruptedSpoolIsMovedAsideAndTheChainRecordsTheBreakAndContinues() throws Exception {
        Path state = tmp.resolve("state");
        Path config = enrollAndConfigure(state, collector.url());
        try (AgentProcess agent = AgentProcess.start(tmp.resolve("agent-1.log"), "--config", config.toString())) {
            await("first reports", agent, () -> collectorEnd() >= 3);
            assertThat(agent.stop()).isIn(0, 143);
        }
        Path spool = state.resolve("spool.db");
        try (RandomAccessFile f = new RandomAccessFile(spool.toFile(), "rw")) {
            f.seek(0);
            f.write("this is no longer an SQLite header".getBytes());
        }
        byte[] corrupt = Files.readAllBytes(spool);
        long endBefore = collectorEnd();
        try (AgentProcess agent = AgentProcess.start(tmp.resolve("agent-2.log"), "--config", config.toString())) {
            await("the gap and the new epoch at the collector", agent,
                    () -> countKind("gap") == 1 && countKind("epoch") == 1 && collectorEnd() > endBefore + 3);
            assertThat(agent.stop()).isIn(0, 143);
            assertThat(agent.log()).contains("corrupt").contains("moved aside").doesNotContain("\tat ");
        }
        try (var files = Files.list(state)) {
            Path aside = files.filter(p -> p.getFileName().toString().startsWith("spool.db.corrupt-")
                    && !p.toString().endsWith("-wal") && !p.toString().endsWith("-shm")).findFirst().orElseThrow();
            assertThat(Files.readAllBytes(aside)).as("kept intact as evidence").isEqualTo(corrupt);
        }
        assertChainComplete();
        Report gap = storedReports().stream().filter(r -> kind(r).equals("gap")).findFirst().orElseThrow();
        assertThat(gap.notes().get(0)).contains("corrupt").contains("moved aside");
        List<HostEvent> events = collector.store().read(tx -> tx.listEvents(hostId));
        assertThat(events).extracting(HostEvent::kind)
                .as("one fork when the new spool's seq 1 met the collector's chain, then one epoch: no loop")
                .containsExactly(HostEvent.Kind.FORK);
    }

    @Test
    void theNetworkCutMidBatchLosesNothingAndStoresNothingTwice() throws Exception {
        Path state = tmp.resolve("state");
        try (CuttingProxy proxy = new CuttingProxy(collector.url().getPort())) {
            Path config = enrollAndConfigure(state, URI.create("http://127.0.0.1:" + proxy.port()));
            int metricsPort;
            try (ServerSocket free = new ServerSocket(0)) {
                metricsPort = free.getLocalPort();
            }
            Files.writeString(config, "metrics.listen = 127.0.0.1:" + metricsPort + "\n", java.nio.file.StandardOpenOption.APPEND);
            URI metrics = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
            try (AgentProcess agent = AgentProcess.start(tmp.resolve("agent.log"), "--config", config.toString())) {
                await("first reports", agent, () -> collectorEnd() >= 2);
                await("the metrics port shows the acknowledgements", agent,
                        () -> metric(metrics, "assay_agent_last_acknowledged_seq") >= 2);
                assertThat(metric(metrics, "assay_agent_ship_failures_total")).as("before the cut").isZero();
                // Requests reach the collector, which stores the batch; the answers never come back.
                proxy.cutAnswers(true);
                long storedWhileCut = collectorEnd();
                await("batches stored while their answers are cut", agent, () -> collectorEnd() >= storedWhileCut + 3);
                await("the agent says the network is the problem now", agent,
                        () -> status(state).currentProblem().orElse("").startsWith("network:"));
                await("the metrics port counts the failed batches", agent,
                        () -> metric(metrics, "assay_agent_ship_failures_total") >= 1);
                proxy.cutAnswers(false);
                long target = collectorEnd();
                await("the agent's resend is acknowledged (as duplicates) and it goes on", agent,
                        () -> status(state).lastAckSeq() > target && status(state).currentProblem().isEmpty());
                // What the port says is what the spool says (read one after the other: allow one more ack between).
                SpoolStatus spool = status(state);
                double ackSeq = metric(metrics, "assay_agent_last_acknowledged_seq");
                assertThat(ackSeq).isGreaterThanOrEqualTo(spool.lastAckSeq()).isLessThanOrEqualTo(collectorEnd());
                assertThat(metric(metrics, "assay_agent_last_acknowledged_timestamp_seconds"))
                        .isGreaterThanOrEqualTo(spool.lastAckMs() / 1000.0 - 1).isLessThanOrEqualTo(System.currentTimeMillis() / 1000.0);
                assertThat(metric(metrics, "assay_agent_starts_total")).isEqualTo(1);
                assertThat(agent.stop()).isIn(0, 143);
            }
            assertThat(proxy.cutCount()).isPositive();
        }
        assertChainComplete();
    }

    // --- helpers ---

    Path enrollAndConfigure(Path state, URI server) throws Exception {
        hostId = AgentProcess.enroll(tmp, server, collector.issueToken(Role.ENROLL, "faults"), state);
        return Files.writeString(tmp.resolve("agent-" + System.nanoTime() + ".conf"), String.join("\n",
                "server.url = " + server,
                "state.dir = " + state,
                "sample.interval = 1s",
                "report.window = 2s",
                "ship.backoff.min = 200ms",
                "ship.backoff.max = 1s",
                "ship.timeout = 3s",
                ""));
    }

    long collectorEnd() {
        return collector.store().read(tx -> tx.findHost(hostId)).flatMap(h -> h.chainEnd()).map(l -> l.seq()).orElse(0L);
    }

    List<ReportRow> storedRows() {
        return collector.store().read(tx -> tx.listReports(hostId, new ReportQuery(0, Long.MAX_VALUE, 0, 10_000)));
    }

    List<Report> storedReports() {
        List<Report> out = new ArrayList<>();
        for (ReportRow row : storedRows()) {
            String json = collector.store().read(tx -> tx.findReport(hostId, row.seq())).orElseThrow().envelopeJson();
            out.add(Json.fromBytes(Envelopes.unverifiedPayload(Json.fromJson(json, Envelope.class)), Report.class));
        }
        return out;
    }

    long countKind(String kind) {
        return storedReports().stream().filter(r -> kind(r).equals(kind)).count();
    }

    static String kind(Report r) {
        return r.events().isEmpty() ? "window" : r.events().get(0).kind().wireName();
    }

    /** Seqs 1..end, each once, signature valid and linked to its predecessor. */
    void assertChainComplete() {
        List<ReportRow> rows = storedRows();
        long end = collectorEnd();
        assertThat(rows).extracting(ReportRow::seq).containsExactlyElementsOf(LongStream.rangeClosed(1, end).boxed().toList());
        ReportVerification verification = new ReportVerification(collector.store());
        for (ReportRow row : rows) {
            var v = verification.check(hostId, row.seq()).orElseThrow();
            assertThat(v.signature()).as("signature of seq %d", row.seq()).isEqualTo(ReportVerification.VALID);
            assertThat(v.chain()).as("link of seq %d", row.seq()).isEqualTo(ReportVerification.LINKED);
        }
    }

    /**
     * Within one agent run (between its START report and the next lifecycle report) each window
     * starts where the previous one ended: no closed window is missing.
     */
    static void assertNoWindowLostWithinARun(List<Report> reports) {
        Report previous = null;
        for (Report r : reports) {
            if (!r.events().isEmpty()) {
                previous = null;
                continue;
            }
            if (previous != null) {
                assertThat(r.windowStartMs()).as("window of seq %d follows seq %d", r.seq(), previous.seq())
                        .isEqualTo(previous.windowEndMs());
            }
            previous = r;
        }
    }

    static Map<Long, String> spooledHashes(Path state) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + state.resolve("spool.db"));
                var rs = c.createStatement().executeQuery("SELECT seq, payload_hash FROM reports")) {
            Map<Long, String> out = new java.util.HashMap<>();
            while (rs.next()) out.put(rs.getLong(1), rs.getString(2));
            return out;
        }
    }

    /** The agent's spool status, read in this JVM (what {@code assay-agent status} prints, without a JVM start per poll). */
    static SpoolStatus status(Path state) {
        return Spool.peekStatus(state.resolve("spool.db"), Clock.systemUTC());
    }

    /** What {@code status} shows as the problem now: the state directory's problem file first, then the spool's. */
    static String problemNow(Path state) {
        return ProblemFile.read(ProblemFile.besides(state.resolve("spool.db"))).map(ProblemFile.Problem::text)
                .orElse(status(state).currentProblem().orElse(""));
    }

    /** One sample's value from the agent's metrics port (a real HTTP GET); -1 when the port or the metric is not there. */
    static double metric(URI metrics, String name) {
        try {
            var http = java.net.http.HttpClient.newHttpClient();
            String body = http.send(java.net.http.HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            for (String line : body.split("\n")) {
                if (line.startsWith(name + " ")) return Double.parseDouble(line.substring(name.length() + 1));
            }
            return -1;
        } catch (IOException e) {
            return -1; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static void fill(Path filler) {
        try (OutputStream out = Files.newOutputStream(filler)) {
            byte[] block = new byte[4096];
            while (true) out.write(block);
        } catch (IOException full) {
            // no space left: what we wanted
        }
    }

    static void await(String what, AgentProcess agent, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) return;
            if (!agent.isAlive()) throw new AssertionError("agent exited while waiting for " + what + ":\n" + agent.log());
            Thread.sleep(250);
        }
        throw new AssertionError("timed out after " + DEADLINE + " waiting for " + what + "; agent log:\n" + agent.log());
    }

    static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    /**
     * A loopback TCP proxy the test controls: it relays each connection to the collector, and
     * while {@link #cutAnswers} is on it forwards the request but closes the connection instead of
     * relaying the answer, as a network cut after the collector committed a batch would.
     */
    static final class CuttingProxy implements AutoCloseable {
        private final ServerSocket server;
        private final int upstream;
        private volatile boolean cut;
        private final java.util.concurrent.atomic.AtomicInteger cuts = new java.util.concurrent.atomic.AtomicInteger();
        private final List<Socket> open = java.util.Collections.synchronizedList(new ArrayList<>());
        private final Thread acceptor;

        CuttingProxy(int upstream) throws IOException {
            this.upstream = upstream;
            this.server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            this.acceptor = new Thread(this::acceptLoop, "test-proxy");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        void cutAnswers(boolean on) {
            cut = on;
        }

        int cutCount() {
            return cuts.get();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket up = new Socket(java.net.InetAddress.getLoopbackAddress(), upstream);
                    client.setSoTimeout(30_000);
                    up.setSoTimeout(30_000);
                    open.add(client);
                    open.add(up);
                    pump(client, up, false);
                    pump(up, client, true);
                } catch (IOException e) {
                    // closed: the test is over
                }
            }
        }

        private void pump(Socket from, Socket to, boolean answers) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        if (answers && cut) {
                            cuts.incrementAndGet();
                            break;
                        }
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (IOException e) {
                    // one side closed
                } finally {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            }, "test-proxy-pump");
            t.setDaemon(true);
            t.start();
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException e) {
                // already closed
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (open) {
                open.forEach(CuttingProxy::closeQuietly);
            }
        }
    }
}
