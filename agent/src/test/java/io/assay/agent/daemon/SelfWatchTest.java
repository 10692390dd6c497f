package io.assay.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.FakeClock;
import io.assay.agent.spool.EventStamp;
import io.assay.agent.spool.Spool;
import io.assay.agent.spool.SpoolEntry;
import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.Envelopes;
import io.assay.protocol.Report;
import io.assay.protocol.ReportEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The self-watch over a recorded /proc/self: shed first and record it, then a recorded clean restart. */
class SelfWatchTest {
    static final Ed25519Signer KEY = Ed25519Signer.generate(new SecureRandom());

    @TempDir Path tmp;

    FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    AtomicInteger shed = new AtomicInteger();
    AtomicInteger restarts = new AtomicInteger();

    void proc(long rssKb, long cpuTicks) throws Exception {
        Files.writeString(tmp.resolve("status"), "Name:\tjava\nVmHWM:\t  90000 kB\nVmRSS:\t  " + rssKb + " kB\n");
        Files.writeString(tmp.resolve("stat"), "4242 (java (agent)) S 1 4242 4242 0 -1 4194560 100 0 0 0 "
                + cpuTicks + " 0 0 0 20 0 14 0 100 1000000 2000 18446744073709551615\n");
    }

    @Test
    void overItsMemoryBudgetItShedsOnceThenRestartsCleanlyAndTheChainSaysSo() throws Exception {
        try (Spool spool = Spool.open(tmp.resolve("spool.db"), clock, 1000)) {
            spool.bind("host-1", KEY, new EventStamp("t", 1, "a".repeat(64), ""));
            SelfWatch watch = new SelfWatch(clock, tmp, 96L << 20, 5, spool, shed::incrementAndGet,
                    restarts::incrementAndGet);
            proc(60_000, 0);
            tick(watch);
            proc(120_000, 10);
            tick(watch);
            assertThat(shed).as("one check over budget is a spike, not a trend").hasValue(0);
            tick(watch);
            assertThat(shed).hasValue(1);
            assertThat(restarts).hasValue(0);
            tick(watch);
            tick(watch);
            assertThat(restarts).as("still over after shedding").hasValue(1);
            assertThat(shed).as("sheds once").hasValue(1);

            List<Report> events = new ArrayList<>();
            for (SpoolEntry e : spool.pending(100)) events.add(Envelopes.open(e.envelope(), KEY.publicKey()).report());
            assertThat(events).hasSize(2).allSatisfy(r -> assertThat(r.events().get(0).kind()).isEqualTo(ReportEvent.Kind.SHED));
            assertThat(events.get(0).notes().get(0)).contains("117.2 MB").contains("watch.max.rss").contains("shed");
            assertThat(events.get(1).notes().get(0)).contains("restarting cleanly");
        }
    }

    @Test
    void cpuIsJudgedOverFiveMinutesNotOneBusyMinute() throws Exception {
        try (Spool spool = Spool.open(tmp.resolve("spool.db"), clock, 1000)) {
            spool.bind("host-1", KEY, new EventStamp("t", 1, "a".repeat(64), ""));
            SelfWatch watch = new SelfWatch(clock, tmp, 96L << 20, 5, spool, shed::incrementAndGet,
                    restarts::incrementAndGet);
            long ticks = 0;
            proc(50_000, ticks);
            watch.run();
            // One busy minute (30 % of a core), then quiet: 6 % over 5 min at the busy minute's end would
            // trip a 1-minute judge, never the 5-minute one once the average settles at 1 %.
            for (int minute = 1; minute <= 10; minute++) {
                clock.advance(Duration.ofMinutes(1));
                ticks += minute == 1 ? 1800 : 10;
                proc(50_000, ticks);
                watch.run();
            }
            assertThat(shed).hasValue(0);
            // Sustained 20 % of a core: shed after two checks past the 5-minute window.
            for (int minute = 0; minute < 8; minute++) {
                clock.advance(Duration.ofMinutes(1));
                ticks += 1200;
                proc(50_000, ticks);
                watch.run();
            }
            assertThat(shed).hasValue(1);
        }
    }

    private void tick(SelfWatch watch) {
        clock.advance(Duration.ofMinutes(1));
        watch.run();
    }
}
