package io.assay.agent.detect.judge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The judge is pure: its sources name no file, path or network API and read no clock. */
class JudgePurityTest {
    private static final Path JUDGE = Path.of("src/main/java/io/assay/agent/detect/judge");
    /** Imports, and fully qualified uses in code, of I/O packages; and clock reads. */
    private static final Pattern FORBIDDEN = Pattern.compile(
            "\\bjava\\.io\\.|\\bjava\\.nio\\.file\\b|\\bjava\\.net\\.|\\bClock\\b|Instant\\.now\\(|System\\.(currentTimeMillis|nanoTime)\\(");

    @Test
    void judgePackageUsesNoIoNetworkOrClock() throws IOException {
        List<Path> sources;
        try (Stream<Path> s = Files.list(JUDGE)) {
            sources = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertThat(sources).as("judge sources under " + JUDGE.toAbsolutePath()).extracting(p -> p.getFileName().toString())
                .contains("Judge.java", "Window.java", "Verdicts.java");
        List<String> offences = new ArrayList<>();
        for (Path p : sources) {
            List<String> lines = Files.readAllLines(p);
            for (int i = 0; i < lines.size(); i++) {
                String code = lines.get(i).replaceAll("//.*", "");
                if (code.trim().startsWith("*") || code.trim().startsWith("/*")) continue; // Javadoc may name them
                Matcher m = FORBIDDEN.matcher(code);
                if (m.find()) offences.add(p.getFileName() + ":" + (i + 1) + ": " + lines.get(i).trim());
            }
        }
        assertThat(offences).isEmpty();
    }

    @Test
    void theCheckSeesAnImportItMustRefuse() {
        assertThat(FORBIDDEN.matcher("import java.nio.file.Files;").find()).isTrue();
        assertThat(FORBIDDEN.matcher("import java.io.IOException;").find()).isTrue();
        assertThat(FORBIDDEN.matcher("var s = new java.net.Socket();").find()).isTrue();
        assertThat(FORBIDDEN.matcher("import java.nio.charset.StandardCharsets;").find()).isFalse();
    }
}
