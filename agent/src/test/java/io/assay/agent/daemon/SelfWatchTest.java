package io.assay.agent.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.FakeClock;
import io.assay.agent.config.AgentConfig;
import io.assay.agent.detect.Detectors;
import io.assay.agent.detect.HostDetector;
import io.assay.agent.spool.EventStamp;
import io.assay.agent.spool.Spool;
import io.assay.agent.spool.SpoolEntry;
import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.Envelopes;
import io.assay.protocol.Report;
import io.assay.protocol.ReportEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The self-watch's ladder: over budget it sheds the content scans, then every other tick, then
 * restarts, each step a signed SHED report naming what it shed; back within budget it restores the
 * work and records the span it was shed. Over a recorded /proc/self, and over this JVM's real one
 * with a budget set low enough to trip.
 */
class SelfWatchTest {
    static final Ed25519Signer KEY = Ed25519Signer.generate(new SecureRandom());

    @TempDir Path tmp;

    FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    AtomicInteger restarts = new AtomicInteger();
    List<String> calls = new ArrayList<>();

    /** A two-rung ladder that records what it is told to do. */
    List<SelfWatch.Rung> ladder() {
        return List.of(
                new SelfWatch.Rung("content_scans", "the content scans", () -> calls.add("shed scans"),
                        () -> calls.add("restore scans")),
                new SelfWatch.Rung("every_other_tick", "every other sample tick", () -> calls.add("shed ticks"),
                        () -> calls.add("restore ticks")));
    }

    void proc(long rssKb, long cpuTicks) throws Exception {
        Files.writeString(tmp.resolve("status"), "Name:\tjava\nVmHWM:\t  90000 kB\nVmRSS:\t  " + rssKb + " kB\n");
        Files.writeString(tmp.resolve("stat"), "4242 (java (agent)) S 1 4242 4242 0 -1 4194560 100 0 0 0 "
                + cpuTicks + " 0 0 0 20 0 14 0 100 1000000 2000 18446744073709551615\n");
    }

    Spool spool() {
        Spool spool = Spool.open(tmp.resolve("spool.db"), clock, 1000);
        spool.bind("host-1", KEY, new EventStamp("t", 1, "a".repeat(64), ""));
        return spool;
    }

    @Test
    void overItsMemoryBudgetItShedsStepByStepThenRestartsCleanlyAndTheChainSaysSo() throws Exception {
        try (Spool spool = spool()) {
            SelfWatch watch = new SelfWatch(clock, tmp, 96L << 20, 5, spool, ladder(), restarts::incrementAndGet);
            proc(60_000, 0);
            tick(watch);
            proc(120_000, 10);
            tick(watch);
            assertThat(calls).as("one check over budget is a spike, not a trend").isEmpty();
            tick(watch);
            assertThat(calls).as("content scans go first").containsExactly("shed scans");
            assertThat(watch.shedState()).containsExactly(Map.entry("content_scans", true), Map.entry("every_other_tick", false));
            tick(watch);
            tick(watch);
            assertThat(calls).containsExactly("shed scans", "shed ticks");
            assertThat(restarts).hasValue(0);
            tick(watch);
            tick(watch);
            assertThat(restarts).as("still over after shedding everything").hasValue(1);
            assertThat(calls).as("nothing restored on the way out").containsExactly("shed scans", "shed ticks");

            List<Report> events = reports(spool);
            assertThat(events).hasSize(3).allSatisfy(r -> assertThat(r.events().get(0).kind()).isEqualTo(ReportEvent.Kind.SHED));
            assertThat(events.get(0).notes().get(0)).contains("117.2 MB").contains("watch.max.rss")
                    .contains("shed the content scans").contains("step 1 of 2").contains("next if still over: every other sample tick");
            assertThat(events.get(1).notes().get(0)).contains("shed every other sample tick").contains("a clean restart");
            assertThat(events.get(2).notes().get(0)).contains("the content scans, every other sample tick")
                    .contains("restarting cleanly");
        }
    }

    @Test
    void backWithinBudgetItRestoresWhatItShedAndRecordsTheSpan() throws Exception {
        try (Spool spool = spool()) {
            SelfWatch watch = new SelfWatch(clock, tmp, 96L << 20, 5, spool, ladder(), restarts::incrementAndGet);
            proc(120_000, 0);
            tick(watch);
            tick(watch);
            Instant shedAt = clock.instant();
            assertThat(calls).containsExactly("shed scans");
            proc(60_000, 10);
            for (int i = 1; i < SelfWatch.RESTORE_CHECKS; i++) tick(watch);
            assertThat(calls).as("a few calm checks are not yet a recovery").containsExactly("shed scans");
            proc(130_000, 20);
            tick(watch);
            proc(60_000, 30);
            for (int i = 1; i < SelfWatch.RESTORE_CHECKS; i++) tick(watch);
            assertThat(calls).as("the calm count starts again after a check over budget").containsExactly("shed scans");
            tick(watch);
            assertThat(calls).containsExactly("shed scans", "restore scans");
            assertThat(watch.shedState()).containsValues(false, false);

            List<Report> events = reports(spool);
            assertThat(events).hasSize(2);
            Report restored = events.get(1);
            assertThat(restored.events().get(0).kind()).isEqualTo(ReportEvent.Kind.SHED);
            assertThat(restored.notes().get(0)).contains("back within budget").contains("restored the content scans");
            assertThat(restored.windowStartMs()).as("the window is the span it was shed").isEqualTo(shedAt.toEpochMilli());
            assertThat(restored.windowEndMs()).isEqualTo(clock.millis());
            assertThat(restarts).hasValue(0);
        }
    }

    @Test
    void cpuIsJudgedOverFiveMinutesNotOneBusyMinute() throws Exception {
        try (Spool spool = spool()) {
            SelfWatch watch = new SelfWatch(clock, tmp, 96L << 20, 5, spool, ladder(), restarts::incrementAndGet);
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
            assertThat(calls).isEmpty();
            // Sustained 20 % of a core: the first rung after two checks past the 5-minute window, the second two later.
            int shedAt = -1;
            for (int minute = 0; minute < 6; minute++) {
                clock.advance(Duration.ofMinutes(1));
                ticks += 1200;
                proc(50_000, ticks);
                watch.run();
                if (shedAt < 0 && !calls.isEmpty()) shedAt = minute;
            }
            assertThat(shedAt).as("the 5-minute average passes 5 %% at minute 1, the second check sheds").isEqualTo(2);
            assertThat(calls).containsExactly("shed scans", "shed ticks");
            assertThat(restarts).hasValue(0);
        }
    }

    /**
     * This JVM's own /proc/self against the lowest budget the configuration allows (far below any
     * test JVM), with the daemon's real ladder: a real detector stops reading new executables, a
     * real sample job runs every other tick, and once back within budget both are given back.
     */
    @Test
    void aRealBudgetTripsTheRealLadderAndRecoveryGivesTheWorkBack() throws Exception {
        AgentConfig config = AgentConfig.parse(List.of("watch.max.rss = 32MiB"), "agent.conf", Map.of());
        Path self = Files.createDirectories(tmp.resolve("self"));
        Files.createSymbolicLink(self.resolve("status"), Path.of("/proc/self/status"));
        Files.createSymbolicLink(self.resolve("stat"), Path.of("/proc/self/stat"));
        long rssKb = Files.readAllLines(self.resolve("status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElseThrow();
        assertThat(rssKb * 1024).as("precondition: this JVM is over the budget").isGreaterThan(config.watchMaxRssBytes());

        AtomicInteger sampled = new AtomicInteger();
        SampleTicks ticks = new SampleTicks(sampled::incrementAndGet, n -> { });
        Path program = Files.copy(Path.of("/bin/sleep"), tmp.resolve("fresh-sleep"), StandardCopyOption.COPY_ATTRIBUTES);
        try (Spool spool = spool(); HostDetector detector = Detectors.builtIn(HostDetector.Roots.system())) {
            SelfWatch watch = new SelfWatch(clock, self, config.watchMaxRssBytes(), config.watchMaxCpuPercent(), spool,
                    SelfWatch.ladder(detector, ticks), restarts::incrementAndGet);
            detector.observe(clock.instant()); // every executable running now is read once
            tick(watch);
            tick(watch);
            assertThat(watch.shedState()).containsEntry("content_scans", true).containsEntry("every_other_tick", false);

            Process fresh = new ProcessBuilder(program.toString(), "60").start();
            try {
                long before = detector.exeBytesRead();
                for (int i = 0; i < 3; i++) detector.observe(clock.instant());
                assertThat(detector.exeBytesRead()).as("shed: a new executable is not read").isEqualTo(before);

                tick(watch);
                tick(watch);
                for (int i = 0; i < 4; i++) ticks.run();
                assertThat(sampled).as("every other tick shed").hasValue(2);

                // Recovery: the same watch now reads a /proc/self within budget.
                Files.delete(self.resolve("status"));
                Files.writeString(self.resolve("status"), "VmRSS:\t  20000 kB\n");
                for (int i = 0; i < SelfWatch.RESTORE_CHECKS; i++) tick(watch);
                assertThat(watch.shedState()).containsValues(false, false);
                for (int i = 0; i < 4; i++) ticks.run();
                assertThat(sampled).as("every tick again").hasValue(6);
                // The scan resumes within the read budget per cycle; other builds' new processes may share it.
                long size = Files.size(program);
                for (int i = 0; i < 20 && detector.exeBytesRead() - before < size; i++) detector.observe(clock.instant());
                assertThat(detector.exeBytesRead() - before).as("restored: the new executable is read").isGreaterThanOrEqualTo(size);
            } finally {
                fresh.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            assertThat(restarts).hasValue(0);
            List<Report> events = reports(spool);
            assertThat(events).extracting(r -> r.notes().get(0)).satisfiesExactly(
                    n -> assertThat(n).contains("is over watch.max.rss 32.0 MB").contains("shed the content scans"),
                    n -> assertThat(n).contains("shed every other sample tick"),
                    n -> assertThat(n).contains("restored the content scans (executables and the memory of processes in"
                            + " question), every other sample tick"));
        }
    }

    private List<Report> reports(Spool spool) throws Exception {
        List<Report> events = new ArrayList<>();
        for (SpoolEntry e : spool.pending(100)) events.add(Envelopes.open(e.envelope(), KEY.publicKey()).report());
        return events;
    }

    private void tick(SelfWatch watch) {
        clock.advance(Duration.ofMinutes(1));
        watch.run();
    }
}
