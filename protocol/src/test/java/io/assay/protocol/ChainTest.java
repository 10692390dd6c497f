package io.assay.protocol;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChainTest {
    private final Ed25519Signer signer = Ed25519Signer.generate(Fixtures.RANDOM);

    @Test
    void consecutiveReportsLink() {
        var first = Envelopes.seal(Fixtures.report("h", 1, ""), signer);
        var second = Envelopes.seal(Fixtures.report("h", 2, first.payloadHash()), signer);

        assertThatCode(() -> Chain.verifyNext(Optional.empty(), first.report())).doesNotThrowAnyException();
        assertThatCode(() -> Chain.verifyNext(Optional.of(new Chain.Link(1, first.payloadHash())), second.report()))
                .doesNotThrowAnyException();
    }

    @Test
    void aBrokenChainIsDetected() {
        var first = Envelopes.seal(Fixtures.report("h", 1, ""), signer);
        var second = Envelopes.seal(Fixtures.report("h", 2, "0".repeat(64)), signer);

        assertThatThrownBy(() -> Chain.verifyNext(Optional.of(new Chain.Link(1, first.payloadHash())), second.report()))
                .isInstanceOfSatisfying(Chain.ChainException.class,
                        e -> org.assertj.core.api.Assertions.assertThat(e.reason()).isEqualTo(Chain.Break.PREV_MISMATCH));
    }

    @Test
    void aReusedSeqIsDetected() {
        var first = Envelopes.seal(Fixtures.report("h", 1, ""), signer);
        var second = Envelopes.seal(Fixtures.report("h", 2, first.payloadHash()), signer);
        var replay = Envelopes.seal(Fixtures.report("h", 2, first.payloadHash()), signer);

        assertThatThrownBy(() -> Chain.verifyNext(Optional.of(new Chain.Link(2, second.payloadHash())), replay.report()))
                .isInstanceOfSatisfying(Chain.ChainException.class,
                        e -> org.assertj.core.api.Assertions.assertThat(e.reason()).isEqualTo(Chain.Break.SEQ_REUSED));
    }

    @Test
    void aSkippedSeqIsDetected() {
        var third = Fixtures.report("h", 3, "0".repeat(64));
        assertThatThrownBy(() -> Chain.verifyNext(Optional.of(new Chain.Link(1, "1".repeat(64))), third))
                .isInstanceOfSatisfying(Chain.ChainException.class,
                        e -> org.assertj.core.api.Assertions.assertThat(e.reason()).isEqualTo(Chain.Break.SEQ_GAP));
    }

    @Test
    void theFirstReportMustHaveSeqOne() {
        assertThatThrownBy(() -> Chain.verifyNext(Optional.empty(), Fixtures.report("h", 2, "0".repeat(64))))
                .isInstanceOf(Chain.ChainException.class).hasMessageContaining("expected seq 1");
    }
}
