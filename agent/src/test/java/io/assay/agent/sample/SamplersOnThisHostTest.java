package io.assay.agent.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.detect.Detectors;
import io.assay.agent.detect.HostDetector;
import io.assay.agent.evidence.ProcessSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real samplers on the machine running the tests: values must be plausible. */
class SamplersOnThisHostTest {
    @Test
    void cpuLoadIsAPercentage() throws InterruptedException {
        CpuSampler cpu = new CpuSampler(Path.of("/proc"));
        Thread.sleep(200);
        Reading<CpuLoad> r = cpu.sample();
        assertThat(r).isInstanceOf(Reading.Present.class);
        double p = ((Reading.Present<CpuLoad>) r).value().percent();
        assertThat(p).isBetween(0.0, 100.0);
    }

    @Test
    void processesIncludeThisJvmWithItsCpuShareAndRss() {
        Clock clock = Clock.systemUTC();
        HostDetector detector = Detectors.builtIn(HostDetector.Roots.system());
        ProcessSampler sampler = new ProcessSampler(detector::lastListing, new UserNames());
        assertThat(sampler.sample()).as("nothing listed before the detector observed").isInstanceOf(Reading.Absent.class);
        detector.observe(clock.instant());
        sampler.sample();
        // Burn some CPU in this process so its share between samples is above zero.
        long x = 0;
        long until = System.nanoTime() + 200_000_000L;
        while (System.nanoTime() < until) x += System.nanoTime() % 7;
        detector.observe(clock.instant());
        Reading<List<ProcessObservation>> r = sampler.sample();
        assertThat(x).isPositive();
        assertThat(r).isInstanceOf(Reading.Present.class);
        List<ProcessObservation> all = ((Reading.Present<List<ProcessObservation>>) r).value();
        assertThat(all.size()).isGreaterThan(1);
        ProcessObservation me = all.stream().filter(p -> p.pid() == ProcessHandle.current().pid()).findFirst().orElseThrow();
        assertThat(me.name()).isNotEmpty();
        assertThat(me.exePath()).contains("java");
        assertThat(me.commandLine()).contains("java");
        assertThat(me.user()).isEqualTo(System.getProperty("user.name"));
        assertThat(me.rssBytes()).isGreaterThan(1 << 20);
        assertThat(me.startTimeMs()).isGreaterThan(1_600_000_000_000L);
        assertThat(me.cpuPercent()).isGreaterThan(0.0);
        assertThat(me.startTimeMs()).isCloseTo(ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli(),
                org.assertj.core.data.Offset.offset(2_000L));
        assertThat(all).allSatisfy(p -> assertThat(p.commandLine().length()).isLessThanOrEqualTo(1025));
    }

    @Test
    void aUidMissingFromPasswdIsAskedOfGetentOnceAndIsUnknownWhenNobodyKnowsIt() {
        UserNames names = new UserNames();
        int uid = 2_000_000_001;
        ProcessSnapshot s = new ProcessSnapshot(1, 0, "x", 'S', 0, 1, 0, 0, uid, Integer.toString(uid), "", ProcessSnapshot.Access.NONE,
                List.of(), "", "", 0, 0, Set.of(), List.of(), true);
        assertThat(names.of(s)).isEqualTo("unknown");
        ProcessSnapshot local = new ProcessSnapshot(1, 0, "x", 'S', 0, 1, 0, 0, 0, "root", "", ProcessSnapshot.Access.NONE,
                List.of(), "", "", 0, 0, Set.of(), List.of(), true);
        assertThat(names.of(local)).isEqualTo("root");
    }

    @Test
    void cpuLoadIsBusyTicksOverAllTicksSinceThePreviousSample(@TempDir Path proc) throws Exception {
        Files.writeString(proc.resolve("stat"), "cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3 4\n");
        CpuSampler cpu = new CpuSampler(proc);
        // +30 user, +10 system, +50 idle, +10 iowait, +0 steal: 40 busy of 100
        Files.writeString(proc.resolve("stat"), "cpu  130 0 110 750 110 0 0 0 0 0\ncpu0 1 2 3 4\n");
        assertThat(cpu.sample()).isEqualTo(Reading.present("cpu", new CpuLoad(40.0)));
        Files.delete(proc.resolve("stat"));
        assertThat(cpu.sample()).isInstanceOf(Reading.Absent.class);
    }

    @Test
    void aThrowingSamplerBecomesAnAbsentReading() {
        Sampler<CpuLoad> broken = new Sampler<>() {
            @Override
            public String source() {
                return "cpu";
            }

            @Override
            public CpuLoad read() {
                throw new IllegalStateException("no /proc/stat");
            }
        };
        assertThat(broken.sample()).isEqualTo(Reading.absent("cpu", "IllegalStateException: no /proc/stat"));
    }
}
