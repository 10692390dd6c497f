package io.assay.agent.schedule;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Schedule} on Quartz with an in-memory job store and a small pool of named daemon threads
 * ({@code assay-job-1}, ...). Missed runs (the host slept, a job overran) are skipped, not
 * replayed in a burst.
 */
public final class QuartzSchedule implements Schedule {
    private static final Logger log = LoggerFactory.getLogger(QuartzSchedule.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final String RUNNABLE = "runnable";

    private final Scheduler scheduler;
    private final Clock clock;

    /** @param clock the clock first runs are timed from (the daemon's injected clock) */
    public QuartzSchedule(int threads, Clock clock) {
        this.clock = requireNonNull(clock, "clock");
        if (threads < 1 || threads > 4) throw new IllegalArgumentException("threads must be 1..4");
        Properties p = new Properties();
        // Quartz keeps schedulers in a JVM-wide registry by name; tests create several.
        p.setProperty("org.quartz.scheduler.instanceName", "assay-" + INSTANCES.incrementAndGet());
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
        p.setProperty("org.quartz.scheduler.threadName", "assay-scheduler");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        p.setProperty("org.quartz.jobStore.misfireThreshold", "1000");
        p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(threads));
        p.setProperty("org.quartz.threadPool.threadNamePrefix", "assay-job");
        p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
        try {
            scheduler = new StdSchedulerFactory(p).getScheduler();
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot create the Quartz scheduler: " + e.getMessage(), e);
        }
    }

    @Override
    public void every(String name, Duration period, Duration initialDelay, Runnable job) {
        requireNonNull(job, "job");
        JobDataMap data = new JobDataMap();
        data.put(RUNNABLE, job);
        JobDetail detail = JobBuilder.newJob(RunnableJob.class).withIdentity(name).usingJobData(data).build();
        Trigger trigger = TriggerBuilder.newTrigger()
                .withIdentity(name + "-trigger")
                .startAt(new Date(clock.millis() + initialDelay.toMillis()))
                .withSchedule(SimpleScheduleBuilder.simpleSchedule()
                        .withIntervalInMilliseconds(period.toMillis())
                        .repeatForever()
                        .withMisfireHandlingInstructionNextWithRemainingCount())
                .build();
        try {
            scheduler.scheduleJob(detail, trigger);
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot schedule job " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void runNow(String name) {
        try {
            scheduler.triggerJob(JobKey.jobKey(name));
        } catch (SchedulerException e) {
            log.warn("cannot trigger job {} now: {}; it runs at its next scheduled time", name, e.getMessage());
        }
    }

    @Override
    public void start() {
        try {
            scheduler.start();
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot start the Quartz scheduler: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            scheduler.shutdown(true);
        } catch (SchedulerException e) {
            log.warn("scheduler did not shut down cleanly: {}", e.getMessage());
        }
    }

    /** Quartz's view of one of our Runnables. Public because Quartz instantiates it reflectively. */
    @DisallowConcurrentExecution
    public static final class RunnableJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            Runnable job = (Runnable) context.getMergedJobDataMap().get(RUNNABLE);
            try {
                job.run();
            } catch (RuntimeException e) {
                // The daemon never dies of one job's failure; it runs again at its next time.
                log.error("job {} failed: {}", context.getJobDetail().getKey().getName(), e.toString(), e);
            }
        }
    }
}
