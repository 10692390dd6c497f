package io.assay.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.protocol.Json;
import io.assay.protocol.api.Problem;
import io.assay.server.TestCollector;
import io.assay.server.TestHost;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthApiTest {
    @TempDir
    java.nio.file.Path dir;

    TestCollector server;
    TestHost host;

    @BeforeEach
    void start() {
        server = TestCollector.start(dir);
        host = TestHost.enrolledAt(server, "web-1");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void missingTokenIs401() {
        HttpResponse<String> r = server.getWithoutToken("/api/v1/hosts");

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(Json.fromJson(r.body(), Problem.class).type()).isEqualTo("unauthorized");
        assertThat(server.postWithoutToken("/api/v1/reports", TestHost.batch(host.next())).statusCode()).isEqualTo(401);
    }

    @Test
    void unknownTokenIs401() {
        assertThat(server.get("/api/v1/hosts", "assay_admin_notarealtoken").statusCode()).isEqualTo(401);
    }

    @Test
    void auditorCannotEnrollOrUpload() {
        HttpResponse<String> enroll = server.post("/api/v1/enroll", server.auditorToken(),
                Json.toJson(new TestHost("x", "u").enrollRequest()));
        HttpResponse<String> upload = server.post("/api/v1/reports", server.auditorToken(), TestHost.batch(host.next()));

        assertThat(enroll.statusCode()).isEqualTo(403);
        assertThat(Json.fromJson(enroll.body(), Problem.class).type()).isEqualTo("forbidden");
        assertThat(upload.statusCode()).isEqualTo(403);
    }

    @Test
    void enrollTokenCannotRead() {
        assertThat(server.get("/api/v1/hosts", server.enrollToken()).statusCode()).isEqualTo(403);
        assertThat(server.get("/api/v1/hosts/" + host.hostId(), server.enrollToken()).statusCode()).isEqualTo(403);
    }

    @Test
    void hostTokenCanOnlyUpload() {
        assertThat(server.get("/api/v1/hosts", host.token()).statusCode()).isEqualTo(403);
        assertThat(server.post("/api/v1/enroll", host.token(), Json.toJson(new TestHost("x", "u").enrollRequest()))
                .statusCode()).isEqualTo(403);
    }

    @Test
    void adminCanEnrollAndRead() {
        HttpResponse<String> enroll = server.post("/api/v1/enroll", server.adminToken(),
                Json.toJson(new TestHost("x", "u").enrollRequest(server.adminToken(), server.collector().clock().millis())));

        assertThat(enroll.statusCode()).isEqualTo(200);
        assertThat(server.get("/api/v1/hosts", server.adminToken()).statusCode()).isEqualTo(200);
    }
}
