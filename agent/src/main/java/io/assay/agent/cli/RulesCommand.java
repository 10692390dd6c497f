package io.assay.agent.cli;

import io.assay.agent.detect.Allowlist;
import io.assay.agent.detect.RuleSource;
import io.assay.agent.detect.Rules;
import io.assay.agent.detect.RulesException;
import io.assay.protocol.Hashes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code assay-agent rules}: inspect and validate detection rules and allowlists. */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Inspect and validate detection rules and allowlists.",
        subcommands = {RulesCommand.Check.class})
public final class RulesCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        Rules r = new RuleSource(java.util.Optional.empty()).rules();
        spec.commandLine().getOut().println("built-in rules " + r.version() + ", sha256 " + Hashes.sha256Hex(RuleSource.readBuiltIn())
                + "; validate a file with: assay-agent rules check FILE");
        spec.commandLine().getOut().flush();
    }

    /** {@code rules check FILE}: exit 0 when valid, 2 with FILE:LINE: reason when not. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate a rules file (a full rules.json, or a local-rules.json that adds to the built-in"
                    + " rules) or an allowlist.json, and print errors with file, line and reason.",
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:valid", "2:invalid or unreadable"})
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The rules or allowlist file")
        Path file;

        @Override
        public Integer call() {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                System.err.println("Cannot read " + file + ": " + e.getMessage() + ". Check the path and its permissions.");
                return 2;
            }
            try {
                String kind;
                if (looksLikeAllowlist(text)) {
                    Allowlist a = Allowlist.parse(file.toString(), text);
                    kind = "allowlist with " + a.entries().size() + " entries";
                } else if (text.contains("\"binaryStrings\"") && text.contains("\"version\"") && text.contains("\"thresholds\"")) {
                    Rules r = Rules.parse(file.toString(), text);
                    kind = "rules " + r.version();
                } else {
                    Rules.parse(RuleSource.BUILT_IN, new String(RuleSource.readBuiltIn(), StandardCharsets.UTF_8), file.toString(), text);
                    kind = "local rules (on top of the built-in rules)";
                }
                System.out.println(file + ": valid " + kind + ", sha256 " + Hashes.sha256Hex(text.getBytes(StandardCharsets.UTF_8)));
                return 0;
            } catch (RulesException e) {
                System.err.println(e.getMessage());
                System.err.println("The file was not accepted; fix the line above and check again.");
                return 2;
            }
        }

        private static boolean looksLikeAllowlist(String text) {
            return text.contains("\"entries\"") && !text.contains("\"binaryStrings\"") && !text.contains("\"poolPorts\"");
        }
    }
}
