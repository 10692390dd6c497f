package io.assay.protocol;

import java.security.SecureRandom;
import java.util.List;

/** Small valid values for protocol tests. */
final class Fixtures {
    private Fixtures() {}

    static final SecureRandom RANDOM = new SecureRandom();

    static Report report(String hostId, long seq, String prev) {
        return new Report(Report.FORMAT_VERSION, hostId, seq, prev, 1_000L * seq, 1_000L * seq + 999,
                "test", 1L, "r".repeat(64).replace('r', 'a'), "", new LoadSummary(12.5, 40, 3),
                List.of(new ProcessSample(42, "sshd", "/usr/sbin/sshd", "sshd: root", "root", 0.5, 4_000_000, 10,
                        "b".repeat(64))),
                List.of(), Verdict.CLEAN, List.of());
    }
}
