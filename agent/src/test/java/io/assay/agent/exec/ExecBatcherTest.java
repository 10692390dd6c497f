package io.assay.agent.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The bounds on looking, with time driven by hand. */
class ExecBatcherTest {
    private final ExecBatcher b = new ExecBatcher(32, 250, 50, new long[] {500, 2000}, 256);

    @Test
    void looksAtANewProcessOnceItSettledAndAgainAtEachFollowUp() {
        b.exec(100, 0);
        assertThat(b.due(10)).as("not settled").isEmpty();
        b.exec(100, 20); // the program after its shell's exec of it: one process
        assertThat(b.due(60)).as("settled from the latest exec").isEmpty();
        assertThat(b.due(70)).contains(Set.of(100));
        assertThat(b.coalesced()).isEqualTo(1);
        assertThat(b.due(500)).isEmpty();
        assertThat(b.due(570)).as("the first follow-up").contains(Set.of(100));
        assertThat(b.due(2000)).isEmpty();
        assertThat(b.due(2070)).as("the second, 2 s after the first look").contains(Set.of(100));
        assertThat(b.hasWork()).isFalse();
    }

    @Test
    void aForkBombCostsAtMostFourLooksASecondAndCountsWhatItDropped() {
        List<Integer> looked = new ArrayList<>();
        int looks = 0;
        int pid = 1000;
        // 10,000 execs a second for 3 s, checked every 10 ms as the event thread would
        for (long t = 0; t < 3000; t += 10) {
            for (int i = 0; i < 100; i++) b.exec(pid++, t);
            Optional<Set<Integer>> batch = b.due(t);
            if (batch.isPresent()) {
                looks++;
                assertThat(batch.get()).hasSizeLessThanOrEqualTo(32);
                looked.addAll(batch.get());
            }
        }
        assertThat(looks).isBetween(11, 12); // every 250 ms from the first settled exec
        assertThat(b.execs()).isEqualTo(30_000);
        assertThat(b.dropped()).isGreaterThan(29_000);
        assertThat(looked).hasSizeLessThanOrEqualTo(12 * 32);
    }
}
