package io.assay.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {

    @TempDir
    Path tmp;

    @Test
    void readsAGoodFileWithCommentsAndUnits() throws IOException {
        Path file = tmp.resolve("agent.conf");
        Files.writeString(file, """
                # a comment
                server.url = https://collector.example:8443/
                state.dir=/srv/assay
                   sample.interval = 500ms
                report.window = 5m
                report.top.processes = 7
                spool.max.reports = 1000
                spool.retention.acked = 2d
                ship.batch.size = 10
                ship.backoff.min = 2s
                ship.backoff.max = 1h
                ship.timeout = 15s
                hash.max.bytes.per.cycle = 8MiB
                """.replace("500ms", "1s"));
        AgentConfig c = AgentConfig.load(file, Map.of());
        assertThat(c.serverUrl()).isEqualTo("https://collector.example:8443");
        assertThat(c.stateDir()).isEqualTo(Path.of("/srv/assay"));
        assertThat(c.sampleInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.reportWindow()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.reportTopProcesses()).isEqualTo(7);
        assertThat(c.spoolMaxReports()).isEqualTo(1000);
        assertThat(c.spoolRetentionAcked()).isEqualTo(Duration.ofDays(2));
        assertThat(c.shipBatchSize()).isEqualTo(10);
        assertThat(c.shipBackoffMin()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.shipBackoffMax()).isEqualTo(Duration.ofHours(1));
        assertThat(c.shipTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.hashMaxBytesPerCycle()).isEqualTo(8L << 20);
    }

    @Test
    void defaultsApplyToMissingKeys() {
        AgentConfig c = AgentConfig.defaultConfig();
        assertThat(c.serverUrl()).isEmpty();
        assertThat(c.stateDir()).isEqualTo(Path.of("/var/lib/assay"));
        assertThat(c.sampleInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.reportWindow()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.reportTopProcesses()).isEqualTo(20);
        assertThat(c.spoolMaxReports()).isEqualTo(100_000);
        assertThat(c.spoolRetentionAcked()).isEqualTo(Duration.ofHours(24));
        assertThat(c.shipBatchSize()).isEqualTo(50);
        assertThat(c.shipBackoffMin()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.shipBackoffMax()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.shipTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.hashMaxBytesPerCycle()).isEqualTo(64L << 20);
        assertThatThrownBy(c::requireServerUrl).isInstanceOf(ConfigException.class).hasMessageContaining("--server");
    }

    @Test
    void flagsOverrideTheFile() throws IOException {
        Path file = tmp.resolve("agent.conf");
        Files.writeString(file, "sample.interval = 30s\nreport.window = 60s\n");
        AgentConfig c = AgentConfig.load(file, Map.of("sample.interval", "1s", "report.window", "3s",
                "server.url", "http://127.0.0.1:9"));
        assertThat(c.sampleInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.reportWindow()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.serverUrl()).isEqualTo("http://127.0.0.1:9");
    }

    @Test
    void reportsEveryProblemTogetherWithLineNumbers() {
        List<String> lines = List.of(
                "# header",                              // 1
                "sample.interval = 0s",                  // 2 out of range
                "report.window = soon",                  // 3 not a duration
                "report.top.processes = many",           // 4 not a number
                "spool.max.reports = 5",                 // 5 below range
                "ship.batchsize = 10",                   // 6 unknown key (typo)
                "this line has no equals sign",          // 7 not key = value
                "ship.timeout = 10s",                    // 8 ok
                "ship.timeout = 20s",                    // 9 duplicate
                "hash.max.bytes.per.cycle = 64MB",       // 10 bad unit
                "server.url = ftp://example",            // 11 not http(s)
                "state.dir = relative/dir",              // 12 not absolute
                "ship.backoff.min = 10s",                // 13 ok alone
                "ship.backoff.max = 5s");                // 14 below min
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> AgentConfig.parse(lines, "/etc/assay/agent.conf", Map.of()));
        Map<String, String> byKey = e.problems().stream()
                .collect(Collectors.toMap(ConfigException.Problem::key, ConfigException.Problem::source, (a, b) -> a + "," + b));
        assertThat(byKey).containsEntry("sample.interval", "/etc/assay/agent.conf:2")
                .containsEntry("report.window", "/etc/assay/agent.conf:3")
                .containsEntry("report.top.processes", "/etc/assay/agent.conf:4")
                .containsEntry("spool.max.reports", "/etc/assay/agent.conf:5")
                .containsEntry("ship.batchsize", "/etc/assay/agent.conf:6")
                .containsEntry("this line has no equals sign", "/etc/assay/agent.conf:7")
                .containsEntry("ship.timeout", "/etc/assay/agent.conf:9")
                .containsEntry("hash.max.bytes.per.cycle", "/etc/assay/agent.conf:10")
                .containsEntry("server.url", "/etc/assay/agent.conf:11")
                .containsEntry("state.dir", "/etc/assay/agent.conf:12")
                .containsEntry("ship.backoff.max", "/etc/assay/agent.conf:14");
        assertThat(e.problems()).hasSize(11);
        assertThat(e.getMessage())
                .contains("/etc/assay/agent.conf:2: sample.interval = \"0s\": expected a duration between 1s and 1h")
                .contains("spool.max.reports = \"5\": expected a whole number between 10 and 10000000")
                .contains("ship.backoff.max = \"5s\": a duration at least ship.backoff.min (10s)")
                .contains("unknown key");
    }

    @Test
    void reportWindowMustCoverTheSampleInterval() {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> AgentConfig.parse(List.of("sample.interval = 1m", "report.window = 30s"), "f", Map.of()));
        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo("report.window");
            assertThat(p.source()).isEqualTo("f:2");
            assertThat(p.expected()).contains("at least sample.interval (1m)");
        });
    }

    @Test
    void badFlagIsReportedAsTheFlag() {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> AgentConfig.parse(List.of(), "f", Map.of("sample.interval", "2h")));
        assertThat(e.problems()).singleElement().satisfies(p -> assertThat(p.source()).isEqualTo("--sample-interval"));
    }

    @Test
    void missingFileSaysSo() {
        assertThatThrownBy(() -> AgentConfig.load(tmp.resolve("nope.conf"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("does not exist");
    }

    @Test
    void shippedExampleParsesAndDocumentsEveryKeyAtItsDefault() throws IOException {
        String example;
        try (InputStream in = AgentConfig.class.getResourceAsStream("/assay/agent.conf")) {
            assertThat(in).as("assay/agent.conf on the classpath").isNotNull();
            example = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(AgentConfig.parse(example.lines().toList(), "agent.conf", Map.of())).isEqualTo(AgentConfig.defaultConfig());
        // Uncommenting every "#key = value" line must give a valid file with the same defaults.
        List<String> uncommented = example.lines()
                .map(l -> l.matches("#[a-z.]+ = .*") ? l.substring(1) : l)
                .toList();
        AgentConfig c = AgentConfig.parse(uncommented, "agent.conf", Map.of());
        assertThat(c.serverUrl()).isEqualTo("https://collector.example:8443");
        for (String key : AgentConfig.DEFAULTS.keySet()) {
            assertThat(example).as("example documents " + key).contains("#" + key + " = ");
        }
        assertThat(c).isEqualTo(new AgentConfig("https://collector.example:8443", c.stateDir(), c.sampleInterval(),
                c.reportWindow(), c.reportTopProcesses(), c.spoolMaxReports(), c.spoolRetentionAcked(), c.shipBatchSize(),
                c.shipBackoffMin(), c.shipBackoffMax(), c.shipTimeout(), c.hashMaxBytesPerCycle(), c.spoolMaxBytes(),
                c.watchMaxRssBytes(), c.watchMaxCpuPercent(), c.metricsListen(), c.watchInterval(), true));
        assertThat(c.summary()).contains("sample=10s").contains("hashBudget=64MiB/cycle");
    }

    @Test
    void parsesUnits() {
        assertThat(Durations.parseDuration("500ms")).contains(Duration.ofMillis(500));
        assertThat(Durations.parseDuration("1d")).contains(Duration.ofDays(1));
        assertThat(Durations.parseDuration("10")).isEmpty();
        assertThat(Durations.parseDuration("-1s")).isEmpty();
        assertThat(Durations.parseSize("64MiB")).contains(64L << 20);
        assertThat(Durations.parseSize("4096")).contains(4096L);
        assertThat(Durations.parseSize("1GB")).isEmpty();
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ofMinutes(5))).isEqualTo("5m");
    }
}
