package io.assay.server;

import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.Envelope;
import io.assay.protocol.Envelopes;
import io.assay.protocol.Envelopes.SignedReport;
import io.assay.protocol.Json;
import io.assay.protocol.LoadSummary;
import io.assay.protocol.ProcessSample;
import io.assay.protocol.Report;
import io.assay.protocol.Verdict;
import io.assay.protocol.api.EnrollRequest;
import io.assay.protocol.api.EnrollResponse;
import io.assay.protocol.api.HostIdentity;
import io.assay.protocol.api.ReportBatch;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * A simulated agent: its own key, enrolled at a {@link TestCollector}, writing a correctly
 * chained series of signed reports with one-minute windows starting at {@link #T0}.
 */
public final class TestHost {
    public static final Instant T0 = Instant.parse("2025-03-01T00:00:00Z");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Ed25519Signer signer;
    private final HostIdentity identity;
    private String hostId = "";
    private String token = "";
    private long seq;
    private String prev = "";
    private List<String> addresses = List.of();

    public TestHost(String hostname, String systemUuid) {
        this.signer = Ed25519Signer.generate(RANDOM);
        this.identity = new HostIdentity(hostname, systemUuid, "SN-" + hostname, List.of("02:00:00:00:00:01"));
    }

    public static TestHost enrolledAt(TestCollector server, String hostname) {
        TestHost host = new TestHost(hostname, java.util.UUID.randomUUID().toString());
        host.enroll(server);
        return host;
    }

    /** An unsigned request (for refusals that come before the proof of possession is checked). */
    public EnrollRequest enrollRequest() {
        return new EnrollRequest(identity, signer.publicKey().base64(), "test-agent 1");
    }

    /** A request signed with this host's key over {@code token} at {@code nowMs}, as an agent sends it. */
    public EnrollRequest enrollRequest(String token, long nowMs) {
        return EnrollRequest.signed(identity, signer, "test-agent 1", token, nowMs);
    }

    /** Enrolls and remembers the host id and token; fails unless the answer is 200. */
    public EnrollResponse enroll(TestCollector server) {
        return enroll(server, server.enrollToken());
    }

    /** Enrolls with {@code enrollToken} (e.g. one scoped to an operator). */
    public EnrollResponse enroll(TestCollector server, String enrollToken) {
        HttpResponse<String> r = server.post("/api/v1/enroll", enrollToken,
                Json.toJson(enrollRequest(enrollToken, server.collector().clock().millis())));
        if (r.statusCode() != 200) throw new AssertionError("enroll failed: " + r.statusCode() + " " + r.body());
        EnrollResponse response = Json.fromJson(r.body(), EnrollResponse.class);
        hostId = response.hostId();
        token = response.hostToken();
        return response;
    }

    /** Reports from now on state these host addresses. */
    public TestHost withAddresses(String... addresses) {
        this.addresses = List.of(addresses);
        return this;
    }

    /** Takes {@code hostId} as this host's id without enrolling over HTTP (store-level tests insert the host). */
    public TestHost withHostId(String hostId) {
        this.hostId = hostId;
        return this;
    }

    public HostIdentity identity() {
        return identity;
    }

    public Ed25519Signer signer() {
        return signer;
    }

    public String hostId() {
        return hostId;
    }

    public String token() {
        return token;
    }

    /** The next report of the chain, signed; advances the chain. */
    public SignedReport next() {
        return next(Verdict.CLEAN);
    }

    public SignedReport next(Verdict verdict) {
        return next(verdict, List.of());
    }

    /** The next report with these findings (evidence), signed; advances the chain. */
    public SignedReport next(Verdict verdict, List<io.assay.protocol.Finding> findings) {
        SignedReport r = Envelopes.seal(report(seq + 1, prev, verdict, findings), signer);
        seq++;
        prev = r.payloadHash();
        return r;
    }

    /** The next report with this CPU load and hardware section (GPUs, energy), signed; advances the chain. */
    public SignedReport next(Verdict verdict, List<io.assay.protocol.Finding> findings, LoadSummary load,
            io.assay.protocol.Hardware hardware) {
        Report base = report(seq + 1, prev, verdict, findings);
        Report r = new Report(base.formatVersion(), base.hostId(), base.seq(), base.prev(), base.windowStartMs(),
                base.windowEndMs(), base.agentVersion(), base.agentStartedMs(), base.rulesHash(), base.allowlistHash(), load,
                base.topProcesses(), base.findings(), base.verdict(), base.notes(), hardware, base.events(), base.addresses());
        SignedReport sr = Envelopes.seal(r, signer);
        seq++;
        prev = sr.payloadHash();
        return sr;
    }

    /** The next report of the chain as {@code shape} makes it from the default one, signed; advances the chain. */
    public SignedReport next(java.util.function.UnaryOperator<Report> shape) {
        SignedReport sr = Envelopes.seal(shape.apply(report(seq + 1, prev, Verdict.CLEAN)), signer);
        seq++;
        prev = sr.payloadHash();
        return sr;
    }

    /** A report for {@code seq} with the given prev, signed by this host, not advancing the chain. */
    public SignedReport sealed(long seq, String prev, Verdict verdict) {
        return Envelopes.seal(report(seq, prev, verdict), signer);
    }

    public Report report(long seq, String prev, Verdict verdict) {
        return report(seq, prev, verdict, List.of());
    }

    public Report report(long seq, String prev, Verdict verdict, List<io.assay.protocol.Finding> findings) {
        long start = T0.plus(Duration.ofMinutes(seq - 1)).toEpochMilli();
        return new Report(Report.FORMAT_VERSION, hostId, seq, prev, start, start + 60_000, "test-agent 1",
                T0.toEpochMilli(), "a".repeat(64), "", new LoadSummary(12.5, 40, 12),
                List.of(new ProcessSample(42, "nginx", "/usr/sbin/nginx", "nginx -g daemon off;", "www-data", 3.5,
                        50_000_000, T0.toEpochMilli(), "")),
                findings, verdict, List.of(), io.assay.protocol.Hardware.NONE, List.of(), addresses);
    }

    /** A {@code ReportBatch} JSON body of the given reports' envelopes. */
    public static String batch(SignedReport... reports) {
        return Json.toJson(new ReportBatch(Arrays.stream(reports).map(SignedReport::envelope).toList()));
    }

    public static String batch(Envelope... envelopes) {
        return Json.toJson(new ReportBatch(List.of(envelopes)));
    }

    /** Uploads reports with this host's token. */
    public HttpResponse<String> upload(TestCollector server, SignedReport... reports) {
        return server.post("/api/v1/reports", token, batch(reports));
    }
}
