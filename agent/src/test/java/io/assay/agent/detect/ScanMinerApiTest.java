package io.assay.agent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.hardware.cgminer.CgminerClient;
import io.assay.testing.ChildProcesses;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code assay-agent scan --json} with an ASIC's miner API on the well-known port: a plain program
 * (a separate JVM running {@code FakeMinerApi.java}) answers on 127.0.0.1:4028, with no miner code,
 * no miner name and no load. The scan must find the API and exit 2.
 */
@Tag("slow")
class ScanMinerApiTest {

    @Test
    void aMinerApiOnTheWellKnownPortMakesTheScanMining() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path script = Path.of(getClass().getResource("/hardware/cgminer/FakeMinerApi.java").toURI());
        Process api = ChildProcesses.start(new ProcessBuilder(java, script.toString(),
                Integer.toString(CgminerClient.WELL_KNOWN_PORT)).redirectErrorStream(true));
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(api.getInputStream(), StandardCharsets.UTF_8));
            String first = CompletableFuture.supplyAsync(() -> {
                try {
                    return String.valueOf(out.readLine());
                } catch (java.io.IOException e) {
                    return "no output: " + e;
                }
            }).get(120, TimeUnit.SECONDS); // compiling the script takes a few seconds on a loaded machine
            Assumptions.assumeFalse(first.startsWith("BUSY"), "port 4028 on 127.0.0.1 is already in use on this host ("
                    + first + "); this test needs it free, since it is about the well-known port");
            assertThat(first).isEqualTo("READY");

            DetectCliTest.Run r = DetectCliTest.run("scan", "--seconds", "1", "--json");

            assertThat(r.code()).as(r.err()).isEqualTo(2);
            assertThat(r.out()).contains("\"verdict\": \"MINING\"", "\"ruleId\": \"sig.asic.miner-api\"", "127.0.0.1:4028",
                    "bmminer 1.0.0", "stratum+tcp://btc.example-pool.test:3333");
            assertThat(r.out()).contains("\"source\": \"cgminer-api\"", "\"devices\": 3");
            DetectCliTest.Run table = DetectCliTest.run("scan", "--seconds", "1");
            assertThat(table.code()).isEqualTo(2);
            assertThat(table.out()).contains("asic: cgminer-api", "127.0.0.1:4028", "sig.asic.miner-api");
        } finally {
            api.destroyForcibly();
            api.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
