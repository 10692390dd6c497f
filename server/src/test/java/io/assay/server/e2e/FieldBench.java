package io.assay.server.e2e;

import io.assay.server.Collector;
import io.assay.server.ServerConfig;
import io.assay.server.store.Role;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.assay.testing.ChildProcesses;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Field benchmark (not a test): the real agent jar, with the shipped JVM flags and the production
 * default intervals (10 s samples, 60 s windows), reporting to a real collector on loopback, once
 * with exec events on (the default) and once with them off ({@code exec.events = false}).
 *
 * <ol>
 *   <li>Time to the collector: K times, a miner-like process is started (two variants: miner code
 *       with pool flags; a build without miner strings reading its pool and wallet from a
 *       config.json) and the clock runs until a MINING report naming its pid is stored; p50 and p95
 *       (nearest rank) per mode.
 *   <li>False positives: legitimate full loads (gzip -9, xz -9, sha256sum of a large file, a
 *       compile loop writing pool.o, a busy JVM) run one after another for S seconds each; every
 *       window stored during that time is counted by verdict, and MINING windows are extrapolated
 *       to a host-day (with the 95% upper bound when there are none).
 * </ol>
 *
 * <pre>cd server && java -cp target/classes:target/test-classes:$(test classpath) io.assay.server.e2e.FieldBench [K] [S] [MODES]</pre>
 * K runs of each variant per mode (10), S seconds per legitimate load (60; 0 skips the false-positive
 * part, which runs with the first mode), MODES {@code on,off} (default) or one of them.
 */
public final class FieldBench {

    private FieldBench() {}

    public static void main(String[] args) throws Exception {
        int k = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int loadSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        List<String> modes = List.of((args.length > 2 ? args[2] : "on,off").split(","));
        Path tmp = Files.createTempDirectory("assay-field-bench");
        Path state = tmp.resolve("agent-state");
        try (Collector collector = Collector.start(ServerConfig.builder()
                        .listen(new InetSocketAddress("127.0.0.1", 0)).db(tmp.resolve("assay.db")).build(), Clock.systemUTC());
                ServerSocket pool = MinerKit.startPool()) {
            URI url = collector.url();
            AuditorClient auditor = new AuditorClient(url, collector.issueToken(Role.AUDITOR, "bench"));
            String hostId = AgentProcess.enroll(tmp, url, collector.issueToken(Role.ENROLL, "bench"), state);
            Path withStrings = MinerKit.compile(tmp, "worker", false);
            Path plain = MinerKit.compile(tmp, "kthreadd-helper", true);
            Files.writeString(tmp.resolve("config.json"), "{\"pools\": [{\"url\": \"127.0.0.1:" + pool.getLocalPort()
                    + "\", \"user\": \"" + moneroLikeWallet() + "\", \"pass\": \"x\", \"keepalive\": true}],"
                    + " \"donate-level\": 1, \"randomx\": {\"mode\": \"auto\"}}\n");
            Map<String, List<Double>> summary = new java.util.LinkedHashMap<>();
            for (int m = 0; m < modes.size(); m++) {
                String mode = modes.get(m);
                if (!mode.equals("on") && !mode.equals("off")) throw new IllegalArgumentException("mode: on or off, not " + mode);
                Path config = Files.writeString(tmp.resolve("agent-" + mode + ".conf"),
                        "server.url = " + url + "\nstate.dir = " + state + "\nexec.events = " + mode.equals("on") + "\n");
                try (AgentProcess agent = AgentProcess.start(tmp.resolve("agent-" + mode + ".log"), "--config", config.toString())) {
                    Thread.sleep(12_000); // first samples of the clean host
                    System.out.printf(Locale.ROOT, "%ntime from miner start to MINING stored at the collector "
                            + "(agent defaults: 10 s samples, 60 s windows; exec events %s; load average %s)%n", mode, loadAverage());
                    System.out.printf(Locale.ROOT, "%-44s %-8s %-8s %-8s%n", "variant", "run", "seconds", "seq");
                    List<Double> times = new ArrayList<>();
                    int missed = 0;
                    for (int i = 1; i <= k; i++) {
                        for (var v : List.of(
                                Map.entry("miner code + pool flags", List.of(withStrings.toString(), "-o", "127.0.0.1:" + pool.getLocalPort(),
                                        "-u", "w1", "--threads", "1")),
                                Map.entry("no miner strings, config.json, throttled", List.of(plain.toString(), "--throttle")))) {
                            OptionalDouble t = timeToCollector(v.getKey(), i, auditor, hostId, agent, tmp, v.getValue());
                            if (t.isPresent()) times.add(t.getAsDouble());
                            else missed++;
                        }
                    }
                    System.out.printf(Locale.ROOT, "exec events %s: %s; load average after: %s%n", mode, percentiles(times, missed),
                            loadAverage());
                    summary.put(mode, times);
                    if (m == 0 && loadSeconds > 0) falsePositives(loadSeconds, auditor, hostId, agent, tmp);
                }
            }
            System.out.printf(Locale.ROOT, "%nsummary (%d runs per mode, both variants together)%n", 2 * k);
            summary.forEach((mode, times) -> System.out.printf(Locale.ROOT, "  exec events %-3s %s%n", mode,
                    percentiles(times, 2 * k - times.size())));
        } finally {
            try (var files = Files.walk(tmp)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** p50, p95 (nearest rank) and max of the measured times. */
    static String percentiles(List<Double> times, int missed) {
        if (times.isEmpty()) return "no detection (" + missed + " missed)";
        List<Double> s = new ArrayList<>(times);
        java.util.Collections.sort(s);
        return String.format(Locale.ROOT, "p50 %.1f s, p95 %.1f s, max %.1f s over %d runs%s", rank(s, 0.50), rank(s, 0.95),
                s.get(s.size() - 1), s.size(), missed > 0 ? ", " + missed + " missed (90 s)" : "");
    }

    private static double rank(List<Double> sorted, double q) {
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static OptionalDouble timeToCollector(String variant, int run, AuditorClient auditor, String hostId,
            AgentProcess agent, Path cwd, List<String> command) throws Exception {
        long after = auditor.lastSeq(hostId);
        // A random phase against the agent's 10 s sampling: the time to detection depends on it.
        Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(10_000));
        long started = System.nanoTime();
        Process p = ChildProcesses.start(new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD));
        try {
            long deadline = started + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline) {
                if (!agent.isAlive()) throw new IllegalStateException("agent died:\n" + agent.log());
                for (JsonObject row : auditor.reports(hostId, after)) {
                    if (!row.get("verdict").getAsString().equals("MINING")) continue;
                    JsonObject report = auditor.report(hostId, row.get("seq").getAsLong());
                    for (JsonElement f : report.getAsJsonObject("payload").getAsJsonArray("findings")) {
                        if (f.getAsJsonObject().get("pid").getAsLong() == p.pid()) {
                            double seconds = (System.nanoTime() - started) / 1e9;
                            System.out.printf(Locale.ROOT, "%-44s %-8d %-8.1f %-8d%n", variant, run, seconds,
                                    row.get("seq").getAsLong());
                            return OptionalDouble.of(seconds);
                        }
                    }
                }
                Thread.sleep(50);
            }
            System.out.printf(Locale.ROOT, "%-44s %-8d %-8s%n", variant, run, "MISSED (90 s)");
            return OptionalDouble.empty();
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Thread.sleep(3_000); // its pid is gone; the next run's miner has another pid
        }
    }

    private static void falsePositives(int loadSeconds, AuditorClient auditor, String hostId, AgentProcess agent,
            Path tmp) throws Exception {
        // The legitimate loads get a directory of their own: the miners' config.json lies in tmp, and a
        // busy process working next to a miner config is a signature (sig.config.miner) by design.
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path big = work.resolve("big.bin");
        Path busy = work.resolve("Busy.java");
        Files.writeString(busy, "public class Busy { public static void main(String[] a) { long x = 0;"
                + " while (true) { x += System.nanoTime() % 7; if (x == 42) System.out.println(x); } } }\n");
        Path source = work.resolve("unit.c");
        Files.writeString(source, "int f(int x) { return x * 7; }\n");
        // Each busy program is the direct child (reading /dev/urandom itself, not from a pipeline), so that it
        // dies with this JVM even when the JVM is killed (ChildProcesses); the loops' members are short-lived.
        Map<String, List<String>> loads = new java.util.LinkedHashMap<>();
        loads.put("gzip -9", List.of("gzip", "-9", "-c", "/dev/urandom"));
        loads.put("xz -9", List.of("sh", "-c", "exec xz -9 -T1 -c < /dev/urandom"));
        loads.put("sha256sum of a large file", List.of("sh", "-c", "head -c 500000000 /dev/urandom > " + big
                + " && while :; do sha256sum " + big + " > /dev/null; done"));
        loads.put("compile loop writing pool.o", List.of("sh", "-c", "cd " + work + " && while :; do gcc -pipe -O2 -c unit.c -o pool.o; done"));
        loads.put("busy JVM", List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), busy.toString()));
        long after = auditor.lastSeq(hostId);
        long startMs = System.currentTimeMillis();
        for (var load : loads.entrySet()) {
            Process p = ChildProcesses.start(new ProcessBuilder(load.getValue()).directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD));
            try {
                Thread.sleep(loadSeconds * 1000L);
            } finally {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            if (!agent.isAlive()) throw new IllegalStateException("agent died:\n" + agent.log());
        }
        Thread.sleep(65_000); // the last window closes and ships
        long observedMs = System.currentTimeMillis() - startMs;
        Map<String, Integer> verdicts = new TreeMap<>();
        List<JsonObject> rows = auditor.reports(hostId, after);
        for (JsonObject row : rows) verdicts.merge(row.get("verdict").getAsString(), 1, Integer::sum);
        int mining = verdicts.getOrDefault("MINING", 0);
        double days = observedMs / 86_400_000.0;
        System.out.printf(Locale.ROOT, "%nfalse positives under legitimate full load (%d loads x %d s, %.1f min observed)%n",
                loads.size(), loadSeconds, observedMs / 60_000.0);
        System.out.printf(Locale.ROOT, "windows by verdict: %s%n", verdicts);
        System.out.printf(Locale.ROOT, "MINING windows: %d -> %.1f false positives per host-day%s%n", mining, mining / days,
                mining == 0 ? String.format(Locale.ROOT, " (95%% upper bound from this much observation: %.0f)", 3 / days) : "");
    }

    private static String moneroLikeWallet() {
        // Not checksum-valid on purpose: this variant must be caught without a wallet signature.
        return "4" + "A".repeat(94);
    }
}
