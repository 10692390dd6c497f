package io.assay.agent.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.protocol.Hashes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesAndWalletsTest {
    @Test
    void builtInRulesParseAndAreHashed() {
        RuleSource src = new RuleSource(Optional.empty());
        assertThat(src.rules().version()).isNotBlank();
        assertThat(src.rules().poolPorts()).contains(3333, 443);
        assertThat(src.rulesHash()).isEqualTo(Hashes.sha256Hex(RuleSource.readBuiltIn()));
        assertThat(src.allowlistHash()).isEmpty();
    }

    @Test
    void brokenRulesNameFileLineAndReason() {
        String text = "{\n  \"version\": \"1\",\n  \"poolPorts\": [3333,\n    \"x\"]\n}";
        assertThatThrownBy(() -> Rules.parse("built-in", RuleSourceText.builtIn(), "local.json", text))
                .isInstanceOfSatisfying(RulesException.class, e -> {
                    assertThat(e.file()).isEqualTo("local.json");
                    assertThat(e.line()).isEqualTo(4);
                    assertThat(e.reason()).contains("poolPorts").contains("number");
                });
        assertThatThrownBy(() -> Rules.parse("built-in", RuleSourceText.builtIn(), "local.json", "{\n\"poolDomans\": []\n}"))
                .isInstanceOfSatisfying(RulesException.class, e -> assertThat(e.getMessage()).startsWith("local.json:2: unknown key \"poolDomans\""));
        assertThatThrownBy(() -> Rules.parse("built-in", RuleSourceText.builtIn(), "local.json", "{\n\"commandLine\": [\n{\"id\": \"x\", \"regex\": \"(\", \"weight\": 1}]}"))
                .isInstanceOfSatisfying(RulesException.class, e -> {
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.reason()).contains("regular expression");
                });
        assertThatThrownBy(() -> Rules.parse("r.json", "{\n  \"version\": \"1\",\n  oops\n"))
                .isInstanceOfSatisfying(RulesException.class, e -> {
                    assertThat(e.line()).isBetween(3, 4);
                    assertThat(e.reason()).startsWith("not valid JSON");
                });
    }

    @Test
    void brokenLocalFilesAreRefusedAndLastGoodRulesStay(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("local-rules.json"), "// extra pools\n{\"poolDomains\": [\"evilpool.example\"]}\n");
        RuleSource src = new RuleSource(Optional.of(dir));
        assertThat(src.rules().poolDomains()).contains("evilpool.example", "supportxmr.com");
        String good = src.rulesHash();
        assertThat(good).isNotEqualTo(Hashes.sha256Hex(RuleSource.readBuiltIn()));
        assertThat(src.notes()).isEmpty();

        Files.writeString(dir.resolve("local-rules.json"), "{\n\"poolDomains\": [\"a\",\n  42]\n}\n");
        Files.setLastModifiedTime(dir.resolve("local-rules.json"), java.nio.file.attribute.FileTime.fromMillis(1));
        src.refresh();
        assertThat(src.rulesHash()).isEqualTo(good);
        assertThat(src.rules().poolDomains()).contains("evilpool.example");
        assertThat(src.notes()).singleElement().asString().contains("local-rules.json:3:").contains("must be a string").contains("last good");

        Files.writeString(dir.resolve("allowlist.json"), "{\"entries\": [\n {\"user\": \"render\", \"reason\": \"farm\"}\n]}");
        src.refresh();
        assertThat(src.allowlistHash()).isEmpty();
        assertThat(src.notes()).anyMatch(n -> n.contains("allowlist.json:2:") && n.contains("expires"));
    }

    @Test
    void allowlistEntriesExpire() {
        Allowlist a = Allowlist.parse("allowlist.json", """
                {"entries": [
                  {"user": "render", "reason": "render farm", "expires": "2020-01-01"},
                  {"systemdUnit": "train.service", "reason": "ML training", "expires": "2999-01-01"}
                ]}""");
        assertThat(a.expiryNotes("allowlist.json", LocalDate.of(2025, 1, 1))).singleElement().asString()
                .contains("allowlist.json:2").contains("expired");
        assertThatThrownBy(() -> Allowlist.parse("a.json", "{\"entries\": [{\"exePath\": \"rel/x\", \"reason\": \"r\", \"expires\": \"2030-01-01\"}]}"))
                .hasMessageContaining("must be absolute");
    }

    @Test
    void walletChecksums() {
        assertThat(Wallets.isValid("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", Wallets.Check.BASE58CHECK, List.of("00", "05"))).isTrue();
        assertThat(Wallets.isValid("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", Wallets.Check.BASE58CHECK, List.of("00", "05"))).isFalse();
        assertThat(Wallets.isValid("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", Wallets.Check.BECH32, List.of())).isTrue();
        assertThat(Wallets.isValid("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", Wallets.Check.BECH32, List.of())).isFalse();
        assertThat(HexFormat.of().formatHex(Wallets.keccak256(new byte[0])))
                .isEqualTo("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
        String xmr = TestMiner.moneroAddress();
        assertThat(xmr).hasSize(95).startsWith("4");
        assertThat(Wallets.isValid(xmr, Wallets.Check.MONERO, List.of())).isTrue();
        String flipped = xmr.substring(0, 50) + (xmr.charAt(50) == 'a' ? 'b' : 'a') + xmr.substring(51);
        assertThat(Wallets.isValid(flipped, Wallets.Check.MONERO, List.of())).isFalse();
        assertThat(Wallets.partial(xmr)).isEqualTo(xmr.substring(0, 6) + "…" + xmr.substring(89));
        String doge = Wallets.base58CheckEncode(HexFormat.of().parseHex("1e" + "11".repeat(20)));
        assertThat(doge).startsWith("D");
        assertThat(Wallets.isValid(doge, Wallets.Check.BASE58CHECK, List.of("1e"))).isTrue();
    }

    /** The built-in rules text, for parse calls that combine it with a local file. */
    static final class RuleSourceText {
        static String builtIn() {
            return new String(RuleSource.readBuiltIn(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
