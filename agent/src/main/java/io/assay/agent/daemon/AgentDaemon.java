package io.assay.agent.daemon;

import static java.util.Objects.requireNonNull;

import io.assay.agent.config.AgentConfig;
import io.assay.agent.detect.HostDetector;
import io.assay.agent.detect.Detectors;
import io.assay.agent.exec.ExecEvents;
import io.assay.agent.report.AgentInfo;
import io.assay.agent.report.WindowAssembler;
import io.assay.agent.sample.CpuSampler;
import io.assay.agent.sample.ExecutableHasher;
import io.assay.agent.sample.ProcessSampler;
import io.assay.agent.sample.UserNames;
import io.assay.agent.schedule.ExecutorSchedule;
import io.assay.agent.schedule.PurgeJob;
import io.assay.agent.schedule.SampleJob;
import io.assay.agent.schedule.Schedule;
import io.assay.agent.schedule.ShipJob;
import io.assay.agent.ship.Backoff;
import io.assay.agent.ship.CollectorTrust;
import io.assay.agent.ship.HttpClients;
import io.assay.agent.ship.Shipper;
import io.assay.agent.spool.EventStamp;
import io.assay.agent.spool.Spool;
import io.assay.agent.state.Enrollment;
import io.assay.agent.state.StateDir;
import io.assay.agent.state.StateException;
import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.Hashes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.List;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code assay-agent run}: everything started in {@link #start} and stopped, in reverse, in
 * {@link #close()}. The run is visible in the chain: a START report (after a CRASH report when the
 * previous run never stopped cleanly, and before a CONFIG report when the configuration or rules
 * changed), and a STOP report on a clean stop whose window is the window left open. What was
 * spooled stays spooled.
 */
public final class AgentDaemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AgentDaemon.class);
    static final String SAMPLE = "sample";
    static final String SHIP = "ship";
    static final String PURGE = "purge";
    static final Duration SHIP_PERIOD = Duration.ofSeconds(5);
    static final String WATCH = "watch";

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final String hostId;

    private AgentDaemon(String hostId) {
        this.hostId = hostId;
    }

    /**
     * Starts the agent with {@code config}. Detector configuration (rules, allowlist) is read from
     * {@code configDir}.
     *
     * @throws io.assay.agent.state.NotEnrolledException the host has not enrolled
     * @throws io.assay.agent.config.ConfigException no collector URL is known
     */
    public static AgentDaemon start(AgentConfig config, Path configDir, Clock clock) {
        return start(config, configDir, clock, java.util.Optional.empty());
    }

    /**
     * As {@link #start(AgentConfig, Path, Clock)}, with the self-watch ({@code watch.max.rss},
     * {@code watch.max.cpu.percent}) on: when the agent stays over budget after shedding, it calls
     * {@code restart} (the command line exits 75 and systemd starts it again). Without it (tests,
     * which share a JVM) there is no self-watch.
     */
    public static AgentDaemon start(AgentConfig config, Path configDir, Clock clock, java.util.Optional<Runnable> restart) {
        requireNonNull(config, "config");
        StateDir state = new StateDir(config.stateDir());
        Enrollment enrollment = state.requireEnrollment();
        String server = config.serverUrl().isEmpty() ? enrollment.serverUrl() : config.serverUrl();
        Ed25519Signer signer = state.readHostKey();
        if (!signer.publicKey().keyId().equals(enrollment.keyId())) {
            throw new StateException("The host key " + state.hostKeyFile() + " (" + signer.publicKey().keyId()
                    + ") is not the key enrolled as " + enrollment.keyId() + ". Restore the right key or enroll again"
                    + " (assay-agent enroll --force).");
        }
        AgentInfo agent = AgentInfo.current();
        AgentDaemon daemon = new AgentDaemon(enrollment.hostId());
        try {
            Spool spool = daemon.own(Spool.openReplacingCorrupt(state.spoolFile(), clock, config.spoolMaxReports(),
                    config.spoolMaxBytes()));
            HostDetector detector = daemon.own(Detectors.load(configDir, HostDetector.Roots.system()));
            spool.bind(enrollment.hostId(), signer, new EventStamp(agent.version(), agent.startedMs(),
                    detector.rulesHash(), detector.allowlistHash()));
            String configHash = Hashes.sha256Hex((config.withServerUrl(server).summary() + "\n" + detector.rulesHash()
                    + "\n" + detector.allowlistHash()).getBytes(StandardCharsets.UTF_8));
            spool.keepProblemFile(); // what `status` shows when the spool itself cannot be written (disk full)
            spool.recordStart(configHash);
            // Popped after the schedule has stopped and before the spool closes: the last report of a run.
            daemon.resources.push(() -> spool.recordStop("agent stopped cleanly"));
            log.info("host {}: assay-agent {} starting (start #{} on this spool, {} report(s) waiting); {}",
                    enrollment.hostId(), agent.version(), spool.status().starts(), spool.depth(),
                    config.withServerUrl(server).summary());
            OkHttpClient http = HttpClients.create(config.shipTimeout(), CollectorTrust.readPinned(state.root()), server);
            daemon.resources.push(() -> HttpClients.close(http));
            Shipper shipper = new Shipper(http, server, enrollment.hostId(), enrollment.hostToken(), spool,
                    config.shipBatchSize(), new Backoff(config.shipBackoffMin(), config.shipBackoffMax(), new SecureRandom()),
                    clock);

            WindowAssembler assembler = new WindowAssembler(detector, new ExecutableHasher(config.hashMaxBytesPerCycle()),
                    agent, config.reportWindow(), config.reportTopProcesses(), clock.instant());
            Schedule schedule = new ExecutorSchedule(2);
            SampleJob sample = new SampleJob(clock, new CpuSampler(HostDetector.Roots.system().proc()),
                    new ProcessSampler(detector::lastListing, new UserNames()), assembler, spool, enrollment.hostId(), signer,
                    () -> {
                        shipper.expedite();
                        schedule.runNow(SHIP);
                    });
            AtomicReference<SelfWatch> watch = new AtomicReference<>();
            LocalMetrics metrics = daemon.own(LocalMetrics.start(config.metricsListen(), spool,
                    () -> watch.get() == null ? Map.of() : watch.get().shedState()));
            SampleTicks ticks = new SampleTicks(sample, metrics.cycles());
            schedule.every(SAMPLE, config.sampleInterval(), config.sampleInterval(), ticks);
            watchExecs(config, detector, sample, daemon);
            schedule.every(SHIP, SHIP_PERIOD, Duration.ZERO, new ShipJob(shipper, metrics.ships()));
            schedule.every(PURGE, Duration.ofDays(1), Duration.ofMinutes(1),
                    new PurgeJob(spool, clock, config.spoolRetentionAcked()));
            if (restart.isPresent()) {
                watch.set(new SelfWatch(clock, Path.of("/proc/self"), config.watchMaxRssBytes(), config.watchMaxCpuPercent(),
                        spool, SelfWatch.ladder(detector, ticks), restart.get()));
                schedule.every(WATCH, config.watchInterval(), config.watchInterval(), watch.get());
            }
            daemon.resources.push(schedule); // closed first: jobs stop before what they use
            schedule.start();
            return daemon;
        } catch (RuntimeException e) {
            daemon.close();
            throw e;
        }
    }

    /**
     * Exec events ({@code exec.events}): new programs are looked at on exec by the sample job's
     * detector; where the kernel refuses, every report says the agent samples only.
     */
    private static void watchExecs(AgentConfig config, HostDetector detector, SampleJob sample, AgentDaemon daemon) {
        if (!config.execEvents()) {
            detector.noteEachWindow(() -> List.of("exec events off (exec.events = false); new processes are seen at the next sample"));
            return;
        }
        try {
            ExecEvents events = daemon.own(ExecEvents.start(ExecEvents.Settings.defaults(), sample::lookAtNew));
            detector.noteEachWindow(events::windowNotes);
            log.info("host {}: exec events on: new programs are looked at on exec", daemon.hostId);
        } catch (ExecEvents.ExecEventsException e) {
            String note = "exec events unavailable: " + e.getMessage() + "; sampling only";
            detector.noteEachWindow(() -> List.of(note));
            log.warn("host {}: {} (new processes are seen at the next sample, every {})", daemon.hostId, note,
                    config.sampleInterval());
        }
    }

    private <T extends AutoCloseable> T own(T resource) {
        resources.push(resource);
        return resource;
    }

    @Override
    public void close() {
        while (!resources.isEmpty()) {
            AutoCloseable r = resources.pop();
            try {
                r.close();
            } catch (Exception e) {
                log.warn("host {}: closing {} failed: {}", hostId, r.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
