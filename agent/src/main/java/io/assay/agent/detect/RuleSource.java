package io.assay.agent.detect;

import io.assay.protocol.Hashes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the rules and the allowlist come from: the built-in {@code assay/rules.json} in the jar,
 * and {@code local-rules.json} / {@code allowlist.json} in the agent's config directory. Reloads a
 * local file when it changes; a broken file is refused (file, line, reason in {@link #notes()}) and
 * the last good version stays in force, so a typo never blinds the agent.
 *
 * <p>{@link #rulesHash()} is the SHA-256 of the built-in bytes followed by the local file's bytes
 * (when one is in force): exactly the bytes that decided. Not thread-safe.
 */
public final class RuleSource {
    public static final String BUILT_IN = "assay/rules.json";
    public static final String LOCAL_RULES = "local-rules.json";
    public static final String ALLOWLIST = "allowlist.json";
    private static final Logger log = LoggerFactory.getLogger(RuleSource.class);

    private final byte[] builtIn;
    private final Optional<Path> configDir;
    private Rules rules;
    private String rulesHash;
    private Allowlist allowlist = Allowlist.EMPTY;
    private String allowlistHash = "";
    private String localStamp = "";
    private String allowStamp = "";
    private final List<String> refusals = new ArrayList<>();

    /** Built-in rules, plus local files from {@code configDir} when it is present. */
    public RuleSource(Optional<Path> configDir) {
        this.builtIn = readBuiltIn();
        this.configDir = configDir;
        this.rules = Rules.parse(BUILT_IN, new String(builtIn, StandardCharsets.UTF_8));
        this.rulesHash = Hashes.sha256Hex(builtIn);
        refresh();
    }

    public static byte[] readBuiltIn() {
        try (InputStream in = RuleSource.class.getClassLoader().getResourceAsStream(BUILT_IN)) {
            if (in == null) throw new IllegalStateException(BUILT_IN + " is missing from the agent jar; rebuild the agent");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + BUILT_IN + " from the agent jar", e);
        }
    }

    public Rules rules() {
        return rules;
    }

    public String rulesHash() {
        return rulesHash;
    }

    public Allowlist allowlist() {
        return allowlist;
    }

    public String allowlistHash() {
        return allowlistHash;
    }

    /** Why a local file is not in force (empty when all are); repeated in every window's notes. */
    public List<String> notes() {
        return List.copyOf(refusals);
    }

    /** Re-reads local files whose size or mtime changed. */
    public void refresh() {
        if (configDir.isEmpty()) return;
        refusals.clear();
        Path local = configDir.get().resolve(LOCAL_RULES);
        String ls = stamp(local);
        if (!ls.equals(localStamp)) {
            if (ls.isEmpty()) {
                rules = Rules.parse(BUILT_IN, new String(builtIn, StandardCharsets.UTF_8));
                rulesHash = Hashes.sha256Hex(builtIn);
                localStamp = ls;
            } else {
                try {
                    byte[] bytes = Files.readAllBytes(local);
                    rules = Rules.parse(BUILT_IN, new String(builtIn, StandardCharsets.UTF_8), local.toString(),
                            new String(bytes, StandardCharsets.UTF_8));
                    ByteArrayOutputStream all = new ByteArrayOutputStream();
                    all.writeBytes(builtIn);
                    all.writeBytes(bytes);
                    rulesHash = Hashes.sha256Hex(all.toByteArray());
                    localStamp = ls;
                    log.info("rules: loaded {} on top of built-in rules {}", local, rules.version());
                } catch (RulesException e) {
                    refusals.add("local rules refused: " + e.getMessage() + "; running on the last good rules (hash "
                            + rulesHash.substring(0, 12) + "…); fix the file and it is picked up on the next window");
                    log.warn("rules: {} refused: {}", local, e.getMessage());
                } catch (IOException e) {
                    refusals.add("cannot read " + local + ": " + e.getMessage() + "; running on the last good rules");
                }
            }
        }
        Path allow = configDir.get().resolve(ALLOWLIST);
        String as = stamp(allow);
        if (!as.equals(allowStamp)) {
            if (as.isEmpty()) {
                allowlist = Allowlist.EMPTY;
                allowlistHash = "";
                allowStamp = as;
            } else {
                try {
                    byte[] bytes = Files.readAllBytes(allow);
                    allowlist = Allowlist.parse(allow.toString(), new String(bytes, StandardCharsets.UTF_8));
                    allowlistHash = Hashes.sha256Hex(bytes);
                    allowStamp = as;
                } catch (RulesException e) {
                    refusals.add("allowlist refused: " + e.getMessage() + "; the last good allowlist stays in force");
                    log.warn("rules: {} refused: {}", allow, e.getMessage());
                } catch (IOException e) {
                    refusals.add("cannot read " + allow + ": " + e.getMessage() + "; the last good allowlist stays in force");
                }
            }
        }
        // a refused file's stamp is not stored, so it is re-parsed on each refresh and its note stays until fixed
    }

    public Optional<Path> allowlistPath() {
        return configDir.map(d -> d.resolve(ALLOWLIST));
    }

    private static String stamp(Path p) {
        try {
            if (!Files.isRegularFile(p)) return "";
            return Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return "";
        }
    }
}
