package io.assay.agent.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.cli.AgentMain;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectCliTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true));
            System.setErr(new PrintStream(err, true));
            int code = AgentMain.execute(args);
            return new Run(code, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void rulesCheckAcceptsShippedExamplesAndRefusesBrokenFilesWithLine(@TempDir Path dir) throws Exception {
        for (String example : new String[] {"allowlist.example", "local-rules.example", "rules.json"}) {
            Path f = dir.resolve(example);
            try (InputStream in = getClass().getResourceAsStream("/assay/" + example)) {
                Files.write(f, in.readAllBytes());
            }
            Run r = run("rules", "check", f.toString());
            assertThat(r.code()).as(example + ": " + r.err()).isZero();
            assertThat(r.out()).contains("valid");
        }
        Path bad = dir.resolve("allowlist.json");
        Files.writeString(bad, "{\"entries\": [\n  {\"user\": \"x\",\n   \"reason\": \"r\", \"expires\": \"soon\"}\n]}");
        Run r = run("rules", "check", bad.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(bad + ":3: expires \"soon\" is not a date");
        assertThat(run("rules", "check", dir.resolve("missing.json").toString()).code()).isEqualTo(2);
    }

    @Test
    void scanOfARecordedHostPrintsJsonAndExitCodeOfItsVerdict(@TempDir Path dir) throws Exception {
        Path proc = Files.createDirectories(dir.resolve("proc/net"));
        Files.writeString(proc.resolve("tcp"), "  sl  local_address rem_address   st\n");
        Files.writeString(dir.resolve("proc/stat"), "cpu  1 0 0 1 0 0 0 0\nbtime 1\n");
        Path p = Files.createDirectories(dir.resolve("proc/7"));
        Files.writeString(p.resolve("stat"), "7 (xmrig) S 1 7 7 0 -1 0 0 0 0 0 1 0 0 0 20 0 1 0 5 1 1");
        Files.writeString(p.resolve("status"), "Name:\txmrig\nUid:\t0\t0\t0\t0\n");
        Files.write(p.resolve("cmdline"), "xmrig\0-o\0stratum+tcp://pool.supportxmr.com:443\0".getBytes());
        Run r = run("scan", "--seconds", "1", "--json", "--proc", dir.resolve("proc").toString());
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.out()).contains("\"verdict\": \"MINING\"").contains("sig.cmdline.miner").contains("sig.name.miner");
        Run help = run("scan", "--help");
        assertThat(help.code()).isZero();
    }
}
