package io.assay.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage and unreadable input; bundles themselves are verified against a real collector in the server's tests. */
class VerifyMainTest {
    @TempDir
    Path dir;

    private record Ran(int exit, String out) {}

    private static Ran run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        return new Ran(VerifyMain.run(args, ps, ps), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpAndUsageErrors() {
        assertThat(run("--help")).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(VerifyMain.VALID);
            assertThat(r.out()).contains("Usage: assay-verify BUNDLE").contains("Exit: 0 valid and complete");
        });
        assertThat(run().out()).contains("missing BUNDLE");
        assertThat(run().exit()).isEqualTo(VerifyMain.USAGE);
        assertThat(run("b.json", "--log-key", "not-a-key").exit()).isEqualTo(VerifyMain.USAGE);
        assertThat(run("b.json", "--bogus").out()).contains("unknown option --bogus");
    }

    @Test
    void unreadableOrForeignFilesAreUsageErrorsNotVerdicts() throws Exception {
        assertThat(run(dir.resolve("missing.json").toString()).exit()).isEqualTo(VerifyMain.USAGE);
        Path other = Files.writeString(dir.resolve("other.json"), "{\"format\":\"something-else\"}");
        Ran r = run(other.toString());
        assertThat(r.exit()).isEqualTo(VerifyMain.USAGE);
        assertThat(r.out()).contains("not an evidence bundle");
    }
}
