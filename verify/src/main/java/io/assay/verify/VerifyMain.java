package io.assay.verify;

import io.assay.protocol.ProtocolException;
import io.assay.protocol.coverage.Coverage;
import io.assay.protocol.log.NoteVerifierKey;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code java -jar assay-verify.jar BUNDLE [--log-key KEY] [--checkpoint FILE] [--witness-key K]...
 * [--witnesses-required N]}. Exit codes: 0 valid and complete, 1 invalid (each failure named:
 * which seq, which check), 2 valid with gaps, 3 usage error or unreadable bundle.
 */
public final class VerifyMain {
    public static final int VALID = 0;
    public static final int INVALID = 1;
    public static final int GAPS = 2;
    public static final int USAGE = 3;

    private static final String USAGE_TEXT = """
            Usage: assay-verify BUNDLE [--log-key KEY] [--checkpoint FILE] [--witness-key KEY]... [--witnesses-required N]
            Verifies an Assay evidence bundle offline: the checkpoint's log signature, witness cosignatures,
            consistency with a checkpoint you saved, and for every report its inclusion proof, signature by the
            host's pinned key and seq/prev chain; then prints the period's coverage.
              --log-key KEY           the log's note verifier key (from 'assay-server log key'); without it the
                                      bundle's own is used, with a warning
              --checkpoint FILE       a checkpoint you saved earlier (GET /api/v1/log/checkpoint); the bundle must
                                      prove it consistent (export with --consistency-with ITS-SIZE)
              --witness-key KEY       a witness's cosignature verifier key (repeatable)
              --witnesses-required N  how many of the --witness-key witnesses must have cosigned (default: all)
              -h, --help              this text
            Exit: 0 valid and complete, 1 invalid, 2 valid with gaps, 3 usage or unreadable input.
            """;

    private VerifyMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs with the given streams and returns the exit code (tests call this). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path bundle = null;
        Optional<NoteVerifierKey> logKey = Optional.empty();
        Optional<String> saved = Optional.empty();
        List<NoteVerifierKey> witnesses = new ArrayList<>();
        Integer required = null;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "-h", "--help" -> {
                        out.print(USAGE_TEXT);
                        return VALID;
                    }
                    case "--log-key" -> logKey = Optional.of(NoteVerifierKey.parse(value(args, ++i, a)));
                    case "--checkpoint" -> saved = Optional.of(Files.readString(Path.of(value(args, ++i, a)),
                            StandardCharsets.UTF_8));
                    case "--witness-key" -> witnesses.add(NoteVerifierKey.parse(value(args, ++i, a)));
                    case "--witnesses-required" -> required = Integer.parseInt(value(args, ++i, a));
                    default -> {
                        if (a.startsWith("-")) throw new IllegalArgumentException("unknown option " + a);
                        if (bundle != null) throw new IllegalArgumentException("one BUNDLE only; got " + bundle + " and " + a);
                        bundle = Path.of(a);
                    }
                }
            }
            if (bundle == null) throw new IllegalArgumentException("missing BUNDLE");
            if (required != null && (required < 0 || required > witnesses.size())) {
                throw new IllegalArgumentException("--witnesses-required " + required + " must be between 0 and the "
                        + witnesses.size() + " --witness-key given");
            }
        } catch (IllegalArgumentException | IOException e) {
            err.println("assay-verify: " + e.getMessage());
            err.print(USAGE_TEXT);
            return USAGE;
        }
        BundleVerifier.Options options = new BundleVerifier.Options(logKey, saved, witnesses,
                required == null ? witnesses.size() : required);
        BundleVerifier.Result r;
        try (Reader in = Files.newBufferedReader(bundle, StandardCharsets.UTF_8)) {
            r = BundleVerifier.verify(in, options);
        } catch (IOException | ProtocolException | IllegalStateException e) {
            err.println("assay-verify: cannot read " + bundle + ": " + e.getMessage());
            return USAGE;
        }
        print(r, bundle, out);
        if (!r.isValid()) return INVALID;
        return r.coverage().isComplete() ? VALID : GAPS;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
        return args[i];
    }

    private static void print(BundleVerifier.Result r, Path bundle, PrintStream out) {
        out.println("bundle   " + bundle);
        out.println("host     " + r.hostId() + " (pinned key " + r.keyId() + ")");
        if (r.checkpoint() != null) {
            out.println("log      " + r.checkpoint().origin() + " checkpoint size " + r.checkpoint().size() + " root "
                    + r.checkpoint().root());
        }
        r.notes().forEach(n -> out.println("note     " + n));
        Coverage c = r.coverage();
        out.printf("reports  %d in the period%n", r.reports());
        out.printf("coverage %s .. %s: %d of %d s covered%n", Instant.ofEpochMilli(c.fromMs()), Instant.ofEpochMilli(c.toMs()),
                c.coveredMs() / 1000, (c.toMs() - c.fromMs()) / 1000);
        for (Coverage.Covered x : c.covered()) {
            out.printf("  covered %s .. %s  %-8s seq %d..%d%n", Instant.ofEpochMilli(x.fromMs()), Instant.ofEpochMilli(x.toMs()),
                    x.verdict(), x.firstSeq(), x.lastSeq());
        }
        for (Coverage.Gap g : c.gaps()) {
            out.printf("  GAP     %s .. %s  %s%n", Instant.ofEpochMilli(g.fromMs()), Instant.ofEpochMilli(g.toMs()),
                    g.reason().wireName());
        }
        r.problems().forEach(p -> out.println("INVALID  " + p));
        out.println(!r.isValid() ? "result   INVALID (" + r.problems().size() + " failed checks)"
                : c.isComplete() ? "result   VALID, complete" : "result   VALID, with " + c.gaps().size() + " gap(s)");
    }
}
