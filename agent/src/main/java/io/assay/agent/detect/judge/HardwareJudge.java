package io.assay.agent.detect.judge;

import io.assay.agent.detect.Rules;
import io.assay.agent.evidence.ProcParsers;
import io.assay.agent.evidence.ProcessSnapshot;
import io.assay.agent.hardware.Gpu;
import io.assay.agent.hardware.GpuMetric;
import io.assay.agent.hardware.GpuProcessUse;
import io.assay.agent.hardware.usb.UsbDevice;
import io.assay.protocol.Finding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The hardware rules of the {@link Judge}: miner APIs, USB miners, and GPU use. Pure: the tick's
 * observations in, findings into the {@link Window} out.
 *
 * <ul>
 *   <li>{@code sig.asic.miner-api} (signature): a cgminer-style API answered on loopback, whatever
 *       process serves it (an ASIC controller burns no CPU); on the owning process when its
 *       listening socket is visible, else host-wide.
 *   <li>{@code host.asic.usb}: a USB device that is mining hardware by its strings or a strong ID.
 *       Generic bridge chips are listed in the report only.
 *   <li>{@code beh.gpu.unexplained} (behaviour, group {@code gpu}): sustained GPU compute by a process
 *       with none of the rules' ML, rendering or video libraries loaded and no encoder use. With a
 *       pool connection it is {@code MINING} (see {@link Verdicts#ofProcess}).
 * </ul>
 */
final class HardwareJudge {
    private HardwareJudge() {}

    static void observe(Rules rules, Window w, Tick tick, HardwareTick hw) {
        for (SourceNote n : hw.notes()) {
            w.notes.add(n.text());
            if (n.degrades()) w.degraded = true;
        }
        Map<Integer, Window.Proc> live = new HashMap<>();
        w.procs.forEach((k, p) -> {
            if (p.lastCycle == w.cycle) live.put(k.pid(), p);
        });
        minerApis(w, tick, hw, live);
        usb(w, hw);
        gpu(rules.gpu(), w, hw, live);
    }

    private static void minerApis(Window w, Tick tick, HardwareTick hw, Map<Integer, Window.Proc> live) {
        for (HardwareTick.MinerApi api : hw.minerApis()) {
            var a = api.answer();
            List<String> matched = new ArrayList<>(List.of(a.endpoint(), a.software(),
                    String.format(Locale.ROOT, "%.0f MH/s", a.hashRateMhs()), a.devices() + " devices"));
            matched.addAll(a.poolUrls());
            String what = "a cgminer-style miner API on " + a.endpoint() + " (" + (a.software().isEmpty() ? "no description" : a.software())
                    + String.format(Locale.ROOT, ", %.0f MH/s, %d devices", a.hashRateMhs(), a.devices())
                    + (a.poolUrls().isEmpty() ? "" : ", pools " + String.join(", ", a.poolUrls())) + ")";
            Optional<Window.Proc> owner = owner(tick, api.port(), live);
            if (owner.isPresent()) {
                ProcessSnapshot s = owner.get().snap;
                Judge.windowFinding(w, owner.get(), "sig.asic.miner-api", Finding.Kind.SIGNATURE,
                        "process " + s.pid() + " (" + s.comm() + ") serves " + what, matched, hw.at());
            } else {
                Judge.hostWideFinding(w, "sig.asic.miner-api", a.endpoint(), Finding.Kind.SIGNATURE,
                        what + " answers; the process serving it is not visible to the agent", matched, hw.at());
            }
        }
    }

    private static Optional<Window.Proc> owner(Tick tick, int port, Map<Integer, Window.Proc> live) {
        for (var e : tick.connections().entrySet()) {
            for (ProcParsers.TcpConnection c : e.getValue()) {
                if (c.state() == ProcParsers.TcpState.LISTEN && c.localPort() == port && live.containsKey(e.getKey())) {
                    return Optional.of(live.get(e.getKey()));
                }
            }
        }
        return Optional.empty();
    }

    private static void usb(Window w, HardwareTick hw) {
        for (UsbDevice d : hw.usb()) {
            if (!d.strong()) continue;
            String label = (d.manufacturer() + " " + d.product()).trim();
            Judge.hostWideFinding(w, "host.asic.usb", d.busPath(), Finding.Kind.HOST, "USB device " + d.busPath() + " (" + d.vendorProduct()
                    + (label.isEmpty() ? "" : ", " + label) + ") is mining hardware: " + d.matched(),
                    List.of(d.vendorProduct(), d.busPath(), d.matched()), hw.at());
        }
    }

    private static void gpu(Rules.GpuRules r, Window w, HardwareTick hw, Map<Integer, Window.Proc> live) {
        Map<String, Gpu> byKey = new HashMap<>();
        for (Gpu g : hw.gpus()) byKey.put(g.key(), g);
        Map<String, Integer> computeContexts = new HashMap<>();
        Map<String, Boolean> sampled = new HashMap<>();
        for (GpuProcessUse u : hw.gpuProcesses()) {
            if (u.kind() != GpuProcessUse.Kind.GRAPHICS && u.kind() != GpuProcessUse.Kind.SAMPLED_ONLY) computeContexts.merge(u.gpuKey(), 1, Integer::sum);
            if (u.smUtilPercent().isPresent()) sampled.put(u.gpuKey(), true);
        }
        // Per pid: the highest SM share on any device, and encoder/decoder use, this tick.
        Map<Integer, int[]> use = new LinkedHashMap<>(); // per pid: highest SM share (-1 none), highest encoder/decoder share
        Map<Integer, String> device = new HashMap<>();
        for (GpuProcessUse u : hw.gpuProcesses()) {
            Gpu g = byKey.get(u.gpuKey());
            int sm = u.smUtilPercent().orElse(-1);
            if (sm < 0 && g != null && !sampled.getOrDefault(u.gpuKey(), false) && u.kind() != GpuProcessUse.Kind.GRAPHICS
                    && computeContexts.getOrDefault(u.gpuKey(), 0) == 1) {
                sm = (int) g.value(GpuMetric.GPU_UTIL_PERCENT).orElse(-1); // the only compute context: the device's load is its load
            }
            int codec = Math.max(u.encoderUtilPercent().orElse(0), u.decoderUtilPercent().orElse(0));
            if (u.encoderUtilPercent().isEmpty() && g != null && !sampled.getOrDefault(u.gpuKey(), false)) {
                codec = (int) Math.max(g.value(GpuMetric.ENCODER_UTIL_PERCENT).orElse(0), g.value(GpuMetric.DECODER_UTIL_PERCENT).orElse(0));
            }
            int[] v = use.computeIfAbsent(u.pid(), p -> new int[] {-1, 0});
            if (sm > v[0]) {
                v[0] = sm;
                device.put(u.pid(), g == null ? u.gpuKey() : g.name() + " " + u.gpuKey());
            }
            v[1] = Math.max(v[1], codec);
        }
        for (var e : use.entrySet()) {
            Window.Proc t = live.get(e.getKey());
            if (t == null) continue; // a pid the process listing did not show: the host part of the judge sees hidden pids
            int sm = e.getValue()[0];
            int codec = e.getValue()[1];
            t.gpuIntervals++;
            if (sm >= r.busyPercent()) t.gpuBusyIntervals++;
            t.gpuLastSm = Math.max(sm, 0);
            t.gpuCodec = Math.max(t.gpuCodec, codec);
            List<String> libs = new ArrayList<>(hw.libraries().getOrDefault(e.getKey(), List.of()));
            libs.add(baseName(t.snap.exePath()));
            Optional<String> explained = explanation(r, libs, t.gpuCodec);
            boolean sustained = t.gpuIntervals >= r.minIntervals() && t.gpuBusyIntervals >= Math.ceil(r.busyFraction() * t.gpuIntervals);
            if (!sustained || explained.isPresent()) continue;
            List<String> matched = new ArrayList<>();
            matched.add("sm=" + t.gpuLastSm + "%");
            for (String lib : libs) if (matchesAny(r.computeLibraries(), lib)) matched.add(lib);
            ProcessSnapshot s = t.snap;
            Judge.windowFinding(w, t, "beh.gpu.unexplained", Finding.Kind.BEHAVIOUR, "process " + s.pid() + " (" + s.comm()
                    + ") kept GPU " + device.get(e.getKey()) + " busy (SMs " + t.gpuLastSm + "%) in " + t.gpuBusyIntervals + " of "
                    + t.gpuIntervals + " intervals with no ML, rendering or video library loaded and no encoder use", matched, hw.at());
        }
    }

    /** Why a process's GPU use is legitimate, if its libraries or encoder use say so. */
    static Optional<String> explanation(Rules.GpuRules r, List<String> libraries, int codecPercent) {
        for (Rules.LibraryClass c : r.explainedBy()) {
            for (String lib : libraries) {
                if (matchesAny(c.libraries(), lib)) return Optional.of(c.id() + ": loads " + lib + " (" + c.what() + ")");
            }
        }
        if (codecPercent >= r.encoderBusyPercent()) return Optional.of("video: uses the GPU's encoder/decoder (" + codecPercent + "%)");
        return Optional.empty();
    }

    private static boolean matchesAny(List<Pattern> ps, String s) {
        for (Pattern p : ps) if (p.matcher(s).find()) return true;
        return false;
    }

    private static String baseName(String p) {
        int slash = p.lastIndexOf('/');
        String b = slash >= 0 ? p.substring(slash + 1) : p;
        return b.endsWith(" (deleted)") ? b.substring(0, b.length() - 10) : b;
    }
}
