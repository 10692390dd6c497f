package io.assay.agent.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ExecutorScheduleTest {

    @Test
    void runsJobsPeriodicallyOnNamedThreadsKeepsFailingJobsAndRunsOnDemand() throws InterruptedException {
        CountDownLatch ticks = new CountDownLatch(3);
        CountDownLatch failures = new CountDownLatch(2);
        CountDownLatch onDemand = new CountDownLatch(1);
        AtomicInteger slowRuns = new AtomicInteger();
        Thread[] worker = new Thread[1];
        try (ExecutorSchedule schedule = new ExecutorSchedule(2)) {
            schedule.every("tick", Duration.ofMillis(100), Duration.ZERO, () -> {
                worker[0] = Thread.currentThread();
                ticks.countDown();
            });
            schedule.every("boom", Duration.ofMillis(100), Duration.ZERO, () -> {
                failures.countDown();
                throw new IllegalStateException("job failure is logged, not fatal");
            });
            schedule.every("rare", Duration.ofHours(1), Duration.ofHours(1), () -> {
                slowRuns.incrementAndGet();
                onDemand.countDown();
            });
            schedule.start();
            schedule.runNow("rare");
            assertThat(ticks.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(failures.await(20, TimeUnit.SECONDS)).as("a throwing job runs again").isTrue();
            assertThat(onDemand.await(20, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(worker[0].getName()).startsWith("assay-job");
        assertThat(slowRuns).hasValue(1);
        worker[0].join(10_000);
        assertThat(worker[0].isAlive()).as("close() stops the worker threads").isFalse();
    }

    @Test
    void aJobRunOnDemandWaitsForItsRunUnderWayAndMissedRunsAreNotReplayed() throws InterruptedException {
        AtomicInteger running = new AtomicInteger();
        AtomicBoolean overlapped = new AtomicBoolean();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch twoDone = new CountDownLatch(2);
        try (ExecutorSchedule schedule = new ExecutorSchedule(2)) {
            schedule.every("slow", Duration.ofMillis(50), Duration.ZERO, () -> {
                if (running.incrementAndGet() > 1) overlapped.set(true);
                firstStarted.countDown();
                int run = runs.incrementAndGet();
                try {
                    if (run == 1) Thread.sleep(500); // overruns ten periods
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                running.decrementAndGet();
                twoDone.countDown();
            });
            schedule.start();
            assertThat(firstStarted.await(20, TimeUnit.SECONDS)).isTrue();
            schedule.runNow("slow"); // the other thread is free, yet it must wait for the run under way
            assertThat(twoDone.await(20, TimeUnit.SECONDS)).isTrue();
            int afterOverrun = runs.get();
            Thread.sleep(120);
            // Ten periods were missed during the first run; replaying them would add about ten runs at once.
            assertThat(runs.get() - afterOverrun).as("runs in the 120 ms after the overrun").isLessThanOrEqualTo(4);
        }
        assertThat(overlapped).as("a job never runs concurrently with itself").isFalse();
    }
}
