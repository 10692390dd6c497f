package io.assay.agent.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class QuartzScheduleTest {

    @Test
    void runsJobsPeriodicallyOnNamedThreadsKeepsFailingJobsAndRunsOnDemand() throws InterruptedException {
        CountDownLatch ticks = new CountDownLatch(3);
        CountDownLatch failures = new CountDownLatch(2);
        CountDownLatch onDemand = new CountDownLatch(1);
        AtomicInteger slowRuns = new AtomicInteger();
        Thread[] worker = new Thread[1];
        try (QuartzSchedule schedule = new QuartzSchedule(2, Clock.systemUTC())) {
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
}
