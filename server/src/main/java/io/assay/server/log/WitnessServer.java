package io.assay.server.log;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.assay.protocol.Hashes;
import io.assay.protocol.ProtocolException;
import io.assay.protocol.VerificationException;
import io.assay.protocol.log.Checkpoint;
import io.assay.protocol.log.Cosignature;
import io.assay.protocol.log.Merkle;
import io.assay.protocol.log.NoteSigner;
import io.assay.protocol.log.NoteVerifierKey;
import io.assay.protocol.log.SignedNote;
import io.assay.protocol.log.TreeHash;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small {@code c2sp.org/tlog-witness} witness: {@code POST /add-checkpoint}. For each log it
 * knows (by origin and key) it keeps the newest checkpoint it cosigned, in one file per log in
 * the state directory, written and synced before it answers. It never cosigns a checkpoint that
 * is not consistent with the one it holds (a fork: same size and another root, or a proof that
 * does not verify) nor a smaller tree; a restart reads the files again, so this holds across
 * restarts. Requests are handled one at a time: check and persist are atomic, so two racing
 * submissions cannot roll the held size back.
 *
 * <p>Answers as the spec says: 404 unknown origin, 403 no valid log signature, 400 malformed or
 * old size above the checkpoint's, 409 {@code text/x.tlog.size} when the old size is not the
 * held one, 409 with the held checkpoint (text/plain) when the submission forks from it, 422 when
 * the consistency proof does not verify, 200 with the cosignature line.
 */
public final class WitnessServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WitnessServer.class);
    /** The spec caps consistency proofs at 63 lines; bodies are small. */
    private static final int MAX_BODY = 64 * 1024;

    private final NoteSigner key;
    private final Map<String, NoteVerifierKey> logs;
    private final Path stateDir;
    private final Clock clock;
    private final HttpServer http;
    private final ExecutorService executor;

    private WitnessServer(NoteSigner key, List<NoteVerifierKey> logKeys, Path stateDir, Clock clock, HttpServer http,
            ExecutorService executor) {
        this.key = key;
        this.logs = logKeys.stream().collect(java.util.stream.Collectors.toUnmodifiableMap(NoteVerifierKey::name, k -> k));
        this.stateDir = stateDir;
        this.clock = clock;
        this.http = http;
        this.executor = executor;
    }

    /** Binds {@code listen} and starts answering; {@code stateDir} must exist. */
    public static WitnessServer start(InetSocketAddress listen, NoteSigner key, List<NoteVerifierKey> logKeys,
            Path stateDir, Clock clock) throws IOException {
        if (!Files.isDirectory(stateDir)) throw new IOException("witness state directory " + stateDir + " does not exist");
        for (NoteVerifierKey k : logKeys) {
            if (k.type() != NoteVerifierKey.ED25519) throw new IllegalArgumentException("log key " + k.name()
                    + " is not an Ed25519 note key");
        }
        HttpServer http = HttpServer.create(listen, 0);
        // One thread: check-and-persist must be atomic per log, and witnesses see little traffic.
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "assay-witness"));
        WitnessServer w = new WitnessServer(key, logKeys, stateDir, clock, http, executor);
        http.setExecutor(executor);
        http.createContext("/", w::handle);
        http.start();
        log.info("Witness {} listening on {} for logs {}; its cosignature key is {}", key.name(), w.url(),
                w.logs.keySet(), key.verifierKey().encode());
        return w;
    }

    public URI url() {
        InetSocketAddress a = http.getAddress();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create("http://" + host + ":" + a.getPort());
    }

    private void handle(HttpExchange ex) {
        try (ex) {
            if (!ex.getRequestURI().getPath().equals("/add-checkpoint")) {
                send(ex, 404, "text/plain", "no such endpoint; this witness answers POST /add-checkpoint\n");
                return;
            }
            if (!ex.getRequestMethod().equals("POST")) {
                ex.getResponseHeaders().set("Allow", "POST");
                send(ex, 405, "text/plain", "use POST\n");
                return;
            }
            byte[] body = ex.getRequestBody().readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                send(ex, 413, "text/plain", "request larger than " + MAX_BODY + " bytes\n");
                return;
            }
            Answer a = addCheckpoint(new String(body, StandardCharsets.UTF_8));
            if (a.status() != 200) log.info("witness: refused a checkpoint: {} {}", a.status(), a.body().strip().lines()
                    .findFirst().orElse(""));
            send(ex, a.status(), a.contentType(), a.body());
        } catch (IOException e) {
            log.debug("witness: client connection failed: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.error("witness: internal error", e);
        }
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    /** A reply: status, content type, body. */
    record Answer(int status, String contentType, String body) {
        static Answer text(int status, String body) {
            return new Answer(status, "text/plain; charset=utf-8", body.endsWith("\n") ? body : body + "\n");
        }
    }

    /** The protocol, apart from HTTP. Runs on the single witness thread. */
    Answer addCheckpoint(String body) throws IOException {
        int blank = body.indexOf("\n\n");
        if (!body.startsWith("old ") || blank < 0) {
            return Answer.text(400, "the body must be: old SIZE, proof lines, a blank line, the checkpoint");
        }
        String[] head = body.substring(0, blank).split("\n");
        long old;
        List<TreeHash> proof = new ArrayList<>();
        Checkpoint.Verified submitted;
        try {
            if (!head[0].substring(4).matches("0|[1-9][0-9]{0,18}")) throw new ProtocolException("bad old size " + head[0]);
            old = Long.parseLong(head[0].substring(4));
            for (int i = 1; i < head.length; i++) proof.add(TreeHash.fromBase64(head[i]));
            if (proof.size() > 63) throw new ProtocolException("more than 63 proof lines");
            String note = body.substring(blank + 2);
            String origin = note.substring(0, Math.max(0, note.indexOf('\n')));
            NoteVerifierKey logKey = logs.get(origin);
            if (logKey == null) return Answer.text(404, "unknown log \"" + origin + "\"");
            try {
                submitted = Checkpoint.open(note, logKey);
            } catch (VerificationException e) {
                return Answer.text(403, "the checkpoint's log signature does not verify: " + e.getMessage());
            }
        } catch (ProtocolException | NumberFormatException e) {
            return Answer.text(400, "malformed request: " + e.getMessage());
        }
        Checkpoint cp = submitted.checkpoint();
        if (old > cp.size()) return Answer.text(400, "old size " + old + " is above the checkpoint's size " + cp.size());
        Optional<Checkpoint.Verified> held = held(cp.origin());
        long heldSize = held.map(h -> h.checkpoint().size()).orElse(0L);
        if (old != heldSize) return new Answer(409, "text/x.tlog.size", heldSize + "\n");
        if (held.isPresent() && cp.size() == heldSize) {
            if (!cp.root().equals(held.get().checkpoint().root())) {
                log.warn("witness: log {} forked: a second root for tree size {}", cp.origin(), cp.size());
                return Answer.text(409, held.get().note().encode());
            }
        } else if (held.isPresent()) {
            try {
                Merkle.verifyConsistency(heldSize, cp.size(), held.get().checkpoint().root(), cp.root(), proof);
            } catch (VerificationException e) {
                log.warn("witness: log {}: checkpoint {} is not consistent with held {}: {}", cp.origin(), cp.size(),
                        heldSize, e.getMessage());
                return Answer.text(422, "not consistent with the checkpoint this witness holds: " + e.getMessage()
                        + "\n\n" + held.get().note().encode());
            }
        } else if (!proof.isEmpty()) {
            return Answer.text(422, "the proof must be empty when the old size is 0");
        }
        persist(cp.origin(), new SignedNote(submitted.note().text(), submitted.note().signaturesBy(logs.get(cp.origin()))));
        SignedNote.Signature cosig = Cosignature.sign(key, clock.instant().getEpochSecond(), cp);
        return Answer.text(200, cosig.line());
    }

    private Path stateFile(String origin) {
        return stateDir.resolve(Hashes.sha256Hex(origin.getBytes(StandardCharsets.UTF_8)) + ".checkpoint");
    }

    private Optional<Checkpoint.Verified> held(String origin) throws IOException {
        Path f = stateFile(origin);
        if (!Files.exists(f)) return Optional.empty();
        try {
            return Optional.of(Checkpoint.open(Files.readString(f, StandardCharsets.UTF_8), logs.get(origin)));
        } catch (VerificationException | ProtocolException e) {
            // Never fall back to "nothing held": that would let a fork through.
            throw new IOException("witness state " + f + " for log " + origin + " does not verify: " + e.getMessage(), e);
        }
    }

    /** Writes, syncs and renames, then syncs the directory: the held checkpoint survives a power cut. */
    private void persist(String origin, SignedNote note) throws IOException {
        Path f = stateFile(origin);
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(note.encodeBytes()));
            ch.force(true);
        }
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(stateDir, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            log.debug("witness: cannot sync directory {}: {}", stateDir, e.getMessage());
        }
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }
}
