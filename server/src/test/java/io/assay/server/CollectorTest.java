package io.assay.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectorTest {
    @TempDir
    java.nio.file.Path dir;

    @Test
    void closeStopsEveryThreadItStartedAndIsIdempotent() throws Exception {
        Collector c = Collector.start(ServerConfig.builder().listen(new InetSocketAddress("127.0.0.1", 0))
                .db(dir.resolve("c.db")).build(), Clock.systemUTC());
        assertThat(c.url().toString()).startsWith("http://127.0.0.1:");

        c.close();
        c.close();

        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("assay-http-") && t.isAlive());
    }
}
