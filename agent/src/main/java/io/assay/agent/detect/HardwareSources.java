package io.assay.agent.detect;

import static java.util.Objects.requireNonNull;

import io.assay.agent.detect.judge.HardwareTick;
import io.assay.agent.detect.judge.SourceNote;
import io.assay.agent.hardware.EnergyMeter;
import io.assay.agent.hardware.Gpu;
import io.assay.agent.hardware.GpuMetric;
import io.assay.agent.hardware.GpuProcessUse;
import io.assay.agent.hardware.GpuSnapshot;
import io.assay.agent.hardware.amd.AmdGpuSource;
import io.assay.agent.hardware.cgminer.CgminerClient;
import io.assay.agent.hardware.cgminer.MinerApiAnswer;
import io.assay.agent.hardware.nvidiasmi.NvidiaSmiSource;
import io.assay.agent.hardware.nvml.NvmlSource;
import io.assay.agent.hardware.rapl.RaplSource;
import io.assay.agent.hardware.rapl.RaplZone;
import io.assay.agent.hardware.usb.UsbDevice;
import io.assay.agent.hardware.usb.UsbMinerRules;
import io.assay.agent.hardware.usb.UsbMinerSource;
import io.assay.agent.sample.Reading;
import io.assay.protocol.Hardware;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The hardware sources of the detector, read once per tick: NVIDIA GPUs (NVML; {@code nvidia-smi}
 * only where NVML cannot be loaded), AMD GPUs (sysfs), the libraries GPU processes have loaded
 * ({@code /proc/PID/maps}), RAPL energy, and once per window the USB bus and the cgminer API on
 * loopback. Each tick's observations go to the judge as a {@link HardwareTick}; the window's
 * figures (GPU averages and maxima, per-process GPU use, ASIC devices, joules and watts per energy
 * source, absent sources with why) are summed here and handed over by {@link #closeWindow}.
 *
 * <p>Confined to the agent's sampling thread. Never throws: a source that fails is absent, with why.
 */
public final class HardwareSources implements AutoCloseable {
    /** Bytes of one process's {@code /proc/PID/maps} read at most (a large JVM maps ~2,000 files: ~250 KB). */
    private static final int MAPS_MAX_BYTES = 1 << 20;
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /**
     * Absent sources are restated in full every this many windows (the 1st, 61st, …); in between a
     * window lists only absences that are new or whose reason changed. A host without a GPU would
     * otherwise repeat ~500 bytes of the same reasons every minute: ~0.7 MB a day, half the budget
     * of a clean host-day (DESIGN.md: 1.5 MB).
     */
    static final int RESTATE_ABSENT_WINDOWS = 60;

    /** Where the sources look; tests point them at fakes. */
    public record Settings(String nvmlLibrary, Path nvidiaSmi, int cgminerPort, Clock clock) {
        public Settings {
            requireNonNull(nvmlLibrary, "nvmlLibrary");
            requireNonNull(nvidiaSmi, "nvidiaSmi");
            requireNonNull(clock, "clock");
            if (cgminerPort < 1 || cgminerPort > 65535) throw new IllegalArgumentException("cgminerPort must be 1..65535, was " + cgminerPort);
        }

        /** The driver's NVML, {@code /usr/bin/nvidia-smi}, port 4028, the system clock. */
        public static Settings system() {
            return new Settings(NvmlSource.LIBRARY, Path.of("/usr/bin/nvidia-smi"), CgminerClient.WELL_KNOWN_PORT, Clock.systemUTC());
        }
    }

    private final Path procRoot;
    private final Settings settings;
    private final NvmlSource nvml;
    private final NvidiaSmiSource nvidiaSmi;
    private final AmdGpuSource amd;
    private final RaplSource rapl;
    private final Path usbSysRoot;
    /** The loopback port is asked only on the live host: a recorded tree's miner API would be another host's. */
    private final boolean liveHost;
    private Rules rules;
    private UsbMinerSource usb;
    private CgminerClient cgminer;
    private final EnergyMeter energy = new EnergyMeter();

    // ---- the current window ----
    private boolean windowStarted;
    private final Map<String, GpuSums> gpus = new LinkedHashMap<>();
    private final Map<String, ProcSums> gpuProcs = new LinkedHashMap<>();
    private final Map<String, Hardware.Asic> asics = new LinkedHashMap<>();
    private final Map<String, String> absent = new TreeMap<>();
    private final Set<String> present = new LinkedHashSet<>();
    private Map<String, String> lastAbsent = Map.of();
    private int windowsSinceRestated = RESTATE_ABSENT_WINDOWS;

    public HardwareSources(Path procRoot, Path sysRoot, Rules rules, Settings settings) {
        this.procRoot = requireNonNull(procRoot, "procRoot");
        this.settings = requireNonNull(settings, "settings");
        this.nvml = new NvmlSource(settings.nvmlLibrary(), sysRoot, settings.clock());
        this.nvidiaSmi = new NvidiaSmiSource(settings.nvidiaSmi(), Duration.ofSeconds(5), settings.clock());
        this.amd = new AmdGpuSource(sysRoot, settings.clock());
        this.rapl = new RaplSource(sysRoot);
        this.usbSysRoot = sysRoot;
        this.liveHost = procRoot.toAbsolutePath().normalize().equals(Path.of("/proc"));
        useRules(rules);
    }

    /** Reads with new rules from now on (USB patterns, API budgets, which libraries matter). */
    public void useRules(Rules r) {
        this.rules = r;
        List<UsbMinerRules.Id> ids = new ArrayList<>();
        for (Rules.HardwareId h : r.hardware()) ids.add(new UsbMinerRules.Id(h.usbId(), h.name(), h.strong()));
        this.usb = new UsbMinerSource(usbSysRoot, new UsbMinerRules(ids, r.usbStrings()));
        Rules.MinerApis apis = r.minerApis();
        this.cgminer = new CgminerClient(apis.timeoutMs(), apis.maxBytes());
    }

    /** Reads this tick's hardware. */
    public HardwareTick read(Instant now) {
        List<SourceNote> notes = new ArrayList<>();
        List<Gpu> gpuList = new ArrayList<>();
        List<GpuProcessUse> uses = new ArrayList<>();
        Reading<GpuSnapshot> nv = nvml.read();
        if (nv instanceof Reading.Absent<GpuSnapshot> a && (a.reason().startsWith("cannot load") || a.reason().contains("is not NVML"))) {
            Reading<GpuSnapshot> smi = nvidiaSmi.read();
            if (smi instanceof Reading.Present<GpuSnapshot>) {
                absent("nvml", a.reason());
                nv = smi;
            } else {
                absent("nvidia-smi", ((Reading.Absent<GpuSnapshot>) smi).reason());
            }
        }
        for (Reading<GpuSnapshot> r : List.of(nv, amd.read())) {
            if (r instanceof Reading.Present<GpuSnapshot> p) {
                presentSource(p.source());
                gpuList.addAll(p.value().gpus());
                uses.addAll(p.value().processes());
                for (String n : p.value().notes()) notes.add(SourceNote.informational(p.source() + ": " + n));
            } else {
                absent(r.source(), ((Reading.Absent<GpuSnapshot>) r).reason());
            }
        }
        Map<Integer, List<String>> libraries = new LinkedHashMap<>();
        for (GpuProcessUse u : uses) libraries.computeIfAbsent(u.pid(), this::gpuLibraries);
        readEnergy(now, gpuList);

        List<HardwareTick.MinerApi> apis = new ArrayList<>();
        List<UsbDevice> devices = new ArrayList<>();
        if (!windowStarted) { // the bus and the well-known port once per window: they change rarely
            windowStarted = true;
            Reading<MinerApiAnswer> api = liveHost ? cgminer.ask(LOOPBACK, settings.cgminerPort())
                    : Reading.absent("cgminer-api", "not asked: the agent reads a recorded host under " + procRoot);
            if (api instanceof Reading.Present<MinerApiAnswer> p) {
                presentSource("cgminer-api");
                apis.add(new HardwareTick.MinerApi(settings.cgminerPort(), p.value()));
                MinerApiAnswer m = p.value();
                asics.put(m.endpoint(), new Hardware.Asic("cgminer-api", m.endpoint(), m.software(), true, m.hashRateMhs(), m.devices(), m.poolUrls()));
            } else {
                absent("cgminer-api", ((Reading.Absent<MinerApiAnswer>) api).reason());
            }
            Reading<List<UsbDevice>> u = usb.read();
            if (u instanceof Reading.Present<List<UsbDevice>> p) {
                presentSource("usb");
                devices.addAll(p.value());
                for (UsbDevice d : p.value()) {
                    String label = (d.manufacturer() + " " + d.product()).trim();
                    asics.put("usb " + d.busPath(), new Hardware.Asic("usb", d.busPath(), d.vendorProduct() + " " + d.matched()
                            + (label.isEmpty() ? "" : " (" + label + ")"), d.strong(), 0, 0, List.of()));
                }
            } else {
                absent("usb", ((Reading.Absent<List<UsbDevice>>) u).reason());
            }
        }
        sum(now, gpuList, uses, libraries);
        return new HardwareTick(now, gpuList, uses, libraries, apis, devices, notes);
    }

    private void readEnergy(Instant now, List<Gpu> gpuList) {
        Reading<Map<String, RaplZone>> zones = rapl.read();
        if (zones instanceof Reading.Present<Map<String, RaplZone>> p) {
            p.value().forEach((source, z) -> {
                if (z.energyMicrojoules().isPresent()) {
                    energy.counter(source, now, z.energyMicrojoules().getAsLong(), z.maxEnergyRangeMicrojoules(), 1e-6);
                } else {
                    energy.absent(source, z.why());
                }
            });
        } else {
            energy.absent("rapl", ((Reading.Absent<Map<String, RaplZone>>) zones).reason());
        }
        for (Gpu g : gpuList) {
            String source = "gpu:" + g.key();
            if (g.value(GpuMetric.ENERGY_MILLIJOULES).isPresent()) {
                energy.counter(source, now, g.value(GpuMetric.ENERGY_MILLIJOULES).getAsLong(), 0, 1e-3);
            } else if (g.value(GpuMetric.POWER_MILLIWATTS).isPresent()) {
                energy.power(source, now, g.value(GpuMetric.POWER_MILLIWATTS).getAsLong() / 1000.0);
            } else {
                energy.absent(source, "no energy counter or power reading: " + g.missing().getOrDefault(GpuMetric.POWER_MILLIWATTS, "?"));
            }
        }
    }

    /**
     * The GPU-relevant libraries a process has mapped (base names matching the rules' explaining or
     * compute libraries): what tells training, rendering and transcoding from mining.
     */
    private List<String> gpuLibraries(int pid) {
        Path maps = procRoot.resolve(Integer.toString(pid)).resolve("maps");
        String text;
        try (InputStream in = Files.newInputStream(maps)) {
            text = new String(in.readNBytes(MAPS_MAX_BYTES), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
        List<Pattern> wanted = new ArrayList<>(rules.gpu().computeLibraries());
        for (Rules.LibraryClass c : rules.gpu().explainedBy()) wanted.addAll(c.libraries());
        Set<String> out = new LinkedHashSet<>();
        for (String line : text.split("\n")) {
            int slash = line.indexOf('/');
            if (slash < 0) continue;
            String path = line.substring(slash);
            String base = path.substring(path.lastIndexOf('/') + 1);
            if (base.endsWith(" (deleted)")) base = base.substring(0, base.length() - 10);
            for (Pattern p : wanted) {
                if (p.matcher(base).find()) {
                    out.add(base);
                    break;
                }
            }
        }
        return List.copyOf(out);
    }

    // ---- window sums ----

    private static final class GpuSums {
        final Gpu first;
        int samples;
        final Map<GpuMetric, Double> sum = new LinkedHashMap<>();
        final Map<GpuMetric, Double> max = new LinkedHashMap<>();
        final Map<GpuMetric, String> missing = new LinkedHashMap<>();

        GpuSums(Gpu first) {
            this.first = first;
        }
    }

    private static final class ProcSums {
        final GpuProcessUse first;
        int samples;
        long maxMemory = -1;
        double sm;
        int smSamples;
        double enc;
        double dec;
        int codecSamples;
        List<String> libraries = List.of();

        ProcSums(GpuProcessUse first) {
            this.first = first;
        }
    }

    private void sum(Instant now, List<Gpu> gpuList, List<GpuProcessUse> uses, Map<Integer, List<String>> libraries) {
        for (Gpu g : gpuList) {
            GpuSums s = gpus.computeIfAbsent(g.key(), k -> new GpuSums(g));
            s.samples++;
            g.values().forEach((m, v) -> {
                if (m == GpuMetric.ENERGY_MILLIJOULES) return; // a counter: the energy section has its difference
                s.sum.merge(m, (double) v, Double::sum);
                s.max.merge(m, (double) v, Math::max);
            });
            s.missing.putAll(g.missing());
        }
        for (GpuProcessUse u : uses) {
            ProcSums s = gpuProcs.computeIfAbsent(u.gpuKey() + "|" + u.pid(), k -> new ProcSums(u));
            s.samples++;
            if (u.usedMemoryBytes().isPresent()) s.maxMemory = Math.max(s.maxMemory, u.usedMemoryBytes().getAsLong());
            if (u.smUtilPercent().isPresent()) {
                s.sm += u.smUtilPercent().getAsInt();
                s.smSamples++;
            }
            if (u.encoderUtilPercent().isPresent()) {
                s.enc += u.encoderUtilPercent().getAsInt();
                s.dec += u.decoderUtilPercent().orElse(0);
                s.codecSamples++;
            }
            s.libraries = libraries.getOrDefault(u.pid(), List.of());
        }
    }

    private void absent(String source, String why) {
        absent.put(source, why);
    }

    private void presentSource(String source) {
        present.add(source);
    }

    /** Ends the window: its hardware section. Sums start again; energy counters carry over. */
    public Hardware closeWindow(Map<Integer, String> processNames) {
        List<Hardware.Gpu> gpuOut = new ArrayList<>();
        gpus.forEach((key, s) -> {
            Map<String, Double> avg = new LinkedHashMap<>();
            Map<String, Double> max = new LinkedHashMap<>();
            s.sum.forEach((m, v) -> avg.put(m.wireName(), round(v / s.samples)));
            s.max.forEach((m, v) -> max.put(m.wireName(), (double) v));
            Map<String, String> missing = new LinkedHashMap<>();
            s.missing.forEach((m, why) -> {
                if (!s.sum.containsKey(m)) missing.put(m.wireName(), why);
            });
            gpuOut.add(new Hardware.Gpu(s.first.source(), key, s.first.name(), s.first.pciBusId(), s.samples, avg, max, missing));
        });
        List<Hardware.GpuProcess> procOut = new ArrayList<>();
        gpuProcs.values().forEach(s -> {
            Map<String, Double> f = new LinkedHashMap<>();
            if (s.maxMemory >= 0) f.put("maxMemoryBytes", (double) s.maxMemory);
            if (s.smSamples > 0) f.put("avgSmUtilPercent", round(s.sm / s.smSamples));
            if (s.codecSamples > 0) {
                f.put("avgEncoderUtilPercent", round(s.enc / s.codecSamples));
                f.put("avgDecoderUtilPercent", round(s.dec / s.codecSamples));
            }
            int pid = s.first.pid();
            procOut.add(new Hardware.GpuProcess(s.first.gpuKey(), pid, processNames.getOrDefault(pid, ""), s.first.kind().name(),
                    s.samples, f, s.libraries));
        });
        EnergyMeter.Closed e = energy.close();
        List<Hardware.Energy> energyOut = new ArrayList<>();
        for (EnergyMeter.Window w : e.measured()) {
            energyOut.add(new Hardware.Energy(w.source(), round(w.joules()), round(w.avgWatts()), w.measuredMs(), w.method()));
        }
        Map<String, String> nowAbsent = new LinkedHashMap<>();
        absent.forEach((source, why) -> {
            if (!present.contains(source)) nowAbsent.put(source, why);
        });
        nowAbsent.putAll(e.absent());
        boolean restate = windowsSinceRestated >= RESTATE_ABSENT_WINDOWS;
        windowsSinceRestated = restate ? 1 : windowsSinceRestated + 1;
        List<Hardware.Absent> absentOut = new ArrayList<>();
        nowAbsent.forEach((source, why) -> {
            if (restate || !why.equals(lastAbsent.get(source))) absentOut.add(new Hardware.Absent(source, why));
        });
        lastAbsent = Map.copyOf(nowAbsent);
        Hardware h = new Hardware(gpuOut, procOut, new ArrayList<>(asics.values()), energyOut, absentOut);
        gpus.clear();
        gpuProcs.clear();
        asics.clear();
        absent.clear();
        present.clear();
        windowStarted = false;
        return h;
    }

    private static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    @Override
    public void close() {
        nvml.close();
    }
}
