package io.assay.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import io.assay.protocol.Json;
import io.assay.protocol.api.EnrollRequest;
import io.assay.protocol.api.EnrollResponse;
import io.assay.protocol.api.HostIdentity;
import io.assay.protocol.api.Problem;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnrollApiTest {
    @TempDir
    java.nio.file.Path dir;

    TestCollector server;

    @BeforeEach
    void start() {
        server = TestCollector.start(dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void enrollmentPinsTheKeyAndIssuesAHostToken() {
        TestHost host = new TestHost("web-1", "uuid-1");

        EnrollResponse r = host.enroll(server);

        assertThat(r.hostId()).matches("h-[0-9a-f]{16}");
        assertThat(r.keyId()).isEqualTo(host.signer().publicKey().keyId());
        assertThat(r.hostToken()).startsWith("assay_host_");
        assertThat(r.warnings()).isEmpty();
        assertThat(host.upload(server, host.next()).statusCode()).isEqualTo(200);
    }

    @Test
    void reEnrollingTheSameKeyGivesTheSameHostAndAFreshToken() {
        TestHost host = new TestHost("web-1", "uuid-1");
        EnrollResponse first = host.enroll(server);

        EnrollResponse again = host.enroll(server);

        assertThat(again.hostId()).isEqualTo(first.hostId());
        assertThat(again.hostToken()).isNotEqualTo(first.hostToken());
        assertThat(again.warnings()).isEmpty();
        assertThat(host.upload(server, host.next()).statusCode()).isEqualTo(200);
    }

    @Test
    void clonedSystemUuidIsEnrolledSeparatelyWithAWarningAndEvents() {
        EnrollResponse original = new TestHost("vm-a", "same-uuid").enroll(server);

        EnrollResponse clone = new TestHost("vm-b", "same-uuid").enroll(server);

        assertThat(clone.hostId()).isNotEqualTo(original.hostId());
        assertThat(clone.warnings()).singleElement().asString().contains(original.hostId()).contains("same-uuid");
        for (String id : new String[] {original.hostId(), clone.hostId()}) {
            JsonArray events = JsonParser.parseString(server.get("/api/v1/hosts/" + id, server.auditorToken()).body())
                    .getAsJsonObject().getAsJsonArray("events");
            assertThat(events).hasSize(1);
            assertThat(events.get(0).getAsJsonObject().get("kind").getAsString()).isEqualTo("clone-suspected");
        }
    }

    @Test
    void keyThatIsNot32BytesOrNotAPointIsRefused() {
        TestHost host = new TestHost("web-1", "uuid-1");
        EnrollRequest shortKey = new EnrollRequest(host.enrollRequest().identity(),
                Base64.getEncoder().encodeToString(new byte[31]), "1");
        // y = 2 does not decode to a point on edwards25519.
        byte[] notAPoint = new byte[32];
        notAPoint[0] = 2;
        EnrollRequest offCurve = new EnrollRequest(host.enrollRequest().identity(),
                Base64.getEncoder().encodeToString(notAPoint), "1");

        for (EnrollRequest bad : new EnrollRequest[] {shortKey, offCurve}) {
            HttpResponse<String> r = server.post("/api/v1/enroll", server.enrollToken(), Json.toJson(bad));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(Json.fromJson(r.body(), Problem.class).type()).isEqualTo("malformed");
        }
        assertThat(JsonParser.parseString(server.get("/api/v1/hosts", server.auditorToken()).body())
                .getAsJsonObject().getAsJsonArray("hosts")).isEmpty();
    }

    @Test
    void overlongIdentityFieldsAreRefusedAndNothingIsStored() {
        TestHost host = new TestHost("web-1", "uuid-1");
        EnrollRequest good = host.enrollRequest();
        HostIdentity id = good.identity();
        List<EnrollRequest> bad = List.of(
                new EnrollRequest(new HostIdentity("h".repeat(254), id.systemUuid(), id.boardSerial(), id.macs()),
                        good.publicKey(), "1"),
                new EnrollRequest(new HostIdentity(id.hostname(), "u".repeat(65), id.boardSerial(), id.macs()),
                        good.publicKey(), "1"),
                new EnrollRequest(new HostIdentity(id.hostname(), id.systemUuid(), "s".repeat(129), id.macs()),
                        good.publicKey(), "1"),
                new EnrollRequest(new HostIdentity(id.hostname(), id.systemUuid(), id.boardSerial(),
                        java.util.Collections.nCopies(65, "aa:bb:cc:dd:ee:ff")), good.publicKey(), "1"),
                new EnrollRequest(id, good.publicKey(), "v".repeat(65)));
        for (EnrollRequest r : bad) {
            HttpResponse<String> answer = server.post("/api/v1/enroll", server.enrollToken(), Json.toJson(r));
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
            Problem p = Json.fromJson(answer.body(), Problem.class);
            assertThat(p.type()).isEqualTo("malformed");
            assertThat(p.detail()).contains("at most");
        }
        assertThat(JsonParser.parseString(server.get("/api/v1/hosts", server.auditorToken()).body())
                .getAsJsonObject().getAsJsonArray("hosts")).isEmpty();
    }

    @Test
    void hostDetailShowsTheIdentity() {
        TestHost host = new TestHost("db-7", "uuid-7");
        host.enroll(server);

        var h = JsonParser.parseString(server.get("/api/v1/hosts/" + host.hostId(), server.auditorToken()).body())
                .getAsJsonObject();

        assertThat(h.getAsJsonObject("identity").get("systemUuid").getAsString()).isEqualTo("uuid-7");
        assertThat(h.getAsJsonObject("identity").get("boardSerial").getAsString()).isEqualTo("SN-db-7");
        assertThat(h.getAsJsonObject("identity").getAsJsonArray("macs")).hasSize(1);
        assertThat(h.get("publicKey").getAsString()).isEqualTo(host.signer().publicKey().base64());
        assertThat(h.get("lastSeq").getAsLong()).isZero();
        assertThat(h.get("lastSeen").isJsonNull()).isTrue();
    }
}
