package io.assay.agent.detect;

import io.assay.agent.detect.judge.SourceNote;
import io.assay.agent.detect.judge.WireSample;
import io.assay.agent.evidence.PacketCapture;
import io.assay.agent.evidence.ProcParsers;
import io.assay.agent.evidence.ProcessSnapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the TCP connections of processes in question, passively ({@link PacketCapture}), within
 * the rules' {@code sources.capture} bounds: each connection once, for at most {@code seconds} and
 * {@code bytes} per direction, at most {@code flows} at a time. Returns what each sample shows so
 * far on every tick, so the judge can decide as soon as a stratum message passes.
 *
 * <p>Confined to the sampling thread (the captures run on their own daemon threads).
 */
final class WireSource implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WireSource.class);
    private static final int MAX_LINES = 32;
    private static final int MAX_LINE = 1024;

    private record Running(ProcessSnapshot.Key process, PacketCapture capture) {}

    private final Path sysRoot;
    private Rules.Sources cfg;
    private final Map<String, Running> running = new LinkedHashMap<>();
    private final Set<String> tried = new HashSet<>();
    private Optional<String> refused = Optional.empty();
    private long bytesSeen;
    private long cpuNanos;
    private int flowsStarted;

    WireSource(Path sysRoot, Rules.Sources cfg) {
        this.sysRoot = sysRoot;
        this.cfg = cfg;
    }

    void useRules(Rules.Sources c) {
        this.cfg = c;
        refused = Optional.empty();
        if (!c.captureEnabled()) close();
    }

    /** Payload bytes seen by all captures so far (the bench's cost figure). */
    long bytesSeen() {
        return bytesSeen;
    }

    int flowsStarted() {
        return flowsStarted;
    }

    /** CPU time of the captures that finished so far. */
    long cpuNanos() {
        return cpuNanos;
    }

    List<WireSample> look(Set<ProcessSnapshot.Key> inQuestion, List<ProcessSnapshot> snaps,
            Map<Integer, List<ProcParsers.TcpConnection>> conns, List<SourceNote> notes) {
        Set<ProcessSnapshot.Key> live = new HashSet<>();
        for (ProcessSnapshot s : snaps) live.add(s.key());
        for (ProcessSnapshot s : snaps) {
            if (!inQuestion.contains(s.key())) continue;
            for (ProcParsers.TcpConnection c : conns.getOrDefault(s.pid(), List.of())) {
                if (c.state() != ProcParsers.TcpState.ESTABLISHED || c.localAddress().contains(":")) continue; // IPv4 only
                String id = s.pid() + "|" + s.startTicks() + "|" + c.localAddress() + ":" + c.localPort() + ">" + c.remote();
                if (!cfg.captureEnabled()) {
                    notes.add(SourceNote.informational("traffic capture is switched off (sources.capture.enabled): the connections of"
                            + " processes in question are not read for stratum"));
                    break;
                }
                if (refused.isPresent()) {
                    notes.add(SourceNote.degrading("cannot read the connection of process " + s.pid() + " (" + s.comm() + ") to " + c.remote()
                            + " for stratum: " + refused.get() + "; grant CAP_NET_RAW in the unit, or switch capture off in"
                            + " local-rules.json (sources.capture.enabled)"));
                    break;
                }
                if (tried.contains(id) || running.size() >= cfg.captureFlows()) continue;
                tried.add(id);
                try {
                    PacketCapture pc = PacketCapture.start(new PacketCapture.Flow(c.localAddress(), c.localPort(), c.remoteAddress(),
                            c.remotePort()), cfg.captureSeconds(), cfg.captureBytes(), sysRoot);
                    running.put(id, new Running(s.key(), pc));
                    flowsStarted++;
                    log.debug("sampling the connection of process {} ({}) to {} for up to {} s", s.pid(), s.comm(), c.remote(),
                            cfg.captureSeconds());
                } catch (PacketCapture.CaptureException e) {
                    if (e.notPermitted()) {
                        refused = Optional.of(e.getMessage());
                        notes.add(SourceNote.degrading("cannot read the connection of process " + s.pid() + " (" + s.comm() + ") to "
                                + c.remote() + " for stratum: " + e.getMessage() + "; grant CAP_NET_RAW in the unit, or switch capture"
                                + " off in local-rules.json (sources.capture.enabled)"));
                    } else {
                        notes.add(SourceNote.informational("cannot sample the connection of process " + s.pid() + " to " + c.remote()
                                + ": " + e.getMessage()));
                    }
                }
            }
        }
        List<WireSample> out = new ArrayList<>();
        Iterator<Map.Entry<String, Running>> it = running.entrySet().iterator();
        while (it.hasNext()) {
            Running r = it.next().getValue();
            PacketCapture.Sample s = r.capture().sample();
            if (!live.contains(r.process())) {
                r.capture().close();
                it.remove();
                continue;
            }
            out.add(toObservation(r.process(), s));
            if (s.finished()) {
                bytesSeen += s.bytesToRemote() + s.bytesFromRemote();
                cpuNanos += s.cpuNanos();
                it.remove();
            }
        }
        tried.removeIf(id -> live.stream().noneMatch(k -> id.startsWith(k.pid() + "|" + k.startTicks() + "|")));
        return out;
    }

    private static WireSample toObservation(ProcessSnapshot.Key k, PacketCapture.Sample s) {
        boolean tls = looksLikeTls(s.toRemote()) || looksLikeTls(s.fromRemote());
        double seconds = (System.currentTimeMillis() - s.startedMs()) / 1000.0;
        return new WireSample(k, s.flow().remote(), s.flow().remotePort(), s.bytesToRemote(), s.bytesFromRemote(), s.packetsToRemote(),
                s.packetsFromRemote(), tls ? List.of() : jsonLines(s.toRemote()), tls ? List.of() : jsonLines(s.fromRemote()), tls,
                seconds, s.finished());
    }

    /** A TLS record starts with its content type (0x14-0x17) and version 3.x. */
    private static boolean looksLikeTls(String p) {
        return p.length() >= 3 && p.charAt(0) >= 0x14 && p.charAt(0) <= 0x17 && p.charAt(1) == 3 && p.charAt(2) <= 4;
    }

    /** Complete lines that look like JSON objects, the first few, cut short: all the judge needs of a payload. */
    static List<String> jsonLines(String payload) {
        List<String> out = new ArrayList<>();
        int start = 0;
        while (out.size() < MAX_LINES) {
            int nl = payload.indexOf('\n', start);
            if (nl < 0) break;
            String line = payload.substring(start, nl).trim();
            start = nl + 1;
            if (line.startsWith("{")) out.add(line.length() > MAX_LINE ? line.substring(0, MAX_LINE) : line);
        }
        return out;
    }

    @Override
    public void close() {
        for (Running r : running.values()) r.capture().close();
        running.clear();
    }
}
