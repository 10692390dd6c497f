package io.assay.verify;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.assay.protocol.Ed25519PublicKey;
import io.assay.protocol.Envelopes;
import io.assay.protocol.ProtocolException;
import io.assay.protocol.Report;
import io.assay.protocol.VerificationException;
import io.assay.protocol.api.RawEnvelope;
import io.assay.protocol.coverage.Coverage;
import io.assay.protocol.coverage.CoverageInput;
import io.assay.protocol.evidence.EvidenceBundle;
import io.assay.protocol.log.Checkpoint;
import io.assay.protocol.log.Cosignature;
import io.assay.protocol.log.Merkle;
import io.assay.protocol.log.NoteVerifierKey;
import io.assay.protocol.log.SignedNote;
import io.assay.protocol.log.TreeHash;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Verifies an evidence bundle ({@link EvidenceBundle}) as it streams past: the checkpoint's log
 * signature, the required witness cosignatures, consistency with a checkpoint the auditor saved,
 * and for every report its inclusion proof (leaf = the envelope's exact bytes), its signature by
 * the pinned key, its seq/prev link and its place in time and in the log. Every failure is a
 * {@link Problem} naming the seq and the check; verification goes on after one, so the auditor
 * sees all of them. Then the period's coverage from the valid reports.
 */
public final class BundleVerifier {
    /** Uncovered stretches between reports of one agent run up to this long are scheduler jitter. */
    static final long SLACK_MS = 1_000;

    /** What the auditor brings: trusted keys and a saved checkpoint, all optional. */
    public record Options(Optional<NoteVerifierKey> logKey, Optional<String> savedCheckpoint,
            List<NoteVerifierKey> witnessKeys, int witnessesRequired) {
        public Options {
            witnessKeys = List.copyOf(witnessKeys);
        }
    }

    /** One failed check. {@code seq} is 0 when the problem is not about one report. */
    public record Problem(long seq, String check, String detail) {
        @Override
        public String toString() {
            return (seq > 0 ? "seq " + seq + ": " : "") + check + ": " + detail;
        }
    }

    /** The outcome; {@code notes} are lines to show that are not failures. */
    public record Result(String hostId, String keyId, Checkpoint checkpoint, int reports, List<Problem> problems,
            List<String> notes, Coverage coverage) {
        public boolean isValid() {
            return problems.isEmpty();
        }
    }

    private final Options options;
    private final List<Problem> problems = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<CoverageInput.Entry> entries = new ArrayList<>();

    private BundleVerifier(Options options) {
        this.options = options;
    }

    /**
     * @throws IOException the bundle cannot be read or is not JSON of the bundle's shape
     */
    public static Result verify(Reader bundle, Options options) throws IOException {
        return new BundleVerifier(options).run(new JsonReader(bundle));
    }

    private void problem(long seq, String check, String detail) {
        problems.add(new Problem(seq, check, detail));
    }

    private Result run(JsonReader in) throws IOException {
        String hostId = "";
        String keyId = "";
        Ed25519PublicKey hostKey = null;
        long enrolledAt = 0;
        long from = 0;
        long to = 0;
        NoteVerifierKey logKey = options.logKey().orElse(null);
        Checkpoint cp = null;
        String checkpointNote = null;
        List<long[]> consistencySizes = new ArrayList<>();
        List<List<TreeHash>> consistencyProofs = new ArrayList<>();
        int reports = 0;
        in.beginObject();
        while (in.hasNext()) {
            String name = in.nextName();
            switch (name) {
                case "format" -> {
                    String f = in.nextString();
                    if (!f.equals(EvidenceBundle.FORMAT)) {
                        throw new IOException("not an evidence bundle of format " + EvidenceBundle.FORMAT + " (found " + f + ")");
                    }
                }
                case "host" -> {
                    in.beginObject();
                    String publicKey = null;
                    while (in.hasNext()) {
                        switch (in.nextName()) {
                            case "hostId" -> hostId = in.nextString();
                            case "publicKey" -> publicKey = in.nextString();
                            case "keyId" -> keyId = in.nextString();
                            case "enrolledAt" -> enrolledAt = in.nextLong();
                            default -> in.skipValue();
                        }
                    }
                    in.endObject();
                    try {
                        hostKey = Ed25519PublicKey.fromBase64(publicKey == null ? "" : publicKey);
                        if (!hostKey.keyId().equals(keyId)) {
                            problem(0, "host key", "key id " + keyId + " does not match the pinned key (" + hostKey.keyId() + ")");
                        }
                    } catch (ProtocolException e) {
                        problem(0, "host key", e.getMessage());
                    }
                }
                case "period" -> {
                    in.beginObject();
                    while (in.hasNext()) {
                        switch (in.nextName()) {
                            case "from" -> from = in.nextLong();
                            case "to" -> to = in.nextLong();
                            default -> in.skipValue();
                        }
                    }
                    in.endObject();
                }
                case "logKey" -> {
                    String k = in.nextString();
                    if (logKey == null) {
                        logKey = NoteVerifierKey.parse(k);
                        notes.add("log key taken from the bundle (" + k + "); pass --log-key with the key from a trusted"
                                + " source (assay-server log key, GET /api/v1/log/key) so the bundle cannot choose it");
                    } else if (!logKey.encode().equals(k)) {
                        notes.add("the bundle names log key " + k + "; checking against --log-key instead");
                    }
                }
                case "checkpoint" -> {
                    checkpointNote = in.nextString();
                    cp = checkpoint(checkpointNote, logKey);
                }
                case "consistency" -> {
                    in.beginArray();
                    while (in.hasNext()) {
                        in.beginObject();
                        long a = 0;
                        long b = 0;
                        List<TreeHash> hashes = List.of();
                        while (in.hasNext()) {
                            switch (in.nextName()) {
                                case "from" -> a = in.nextLong();
                                case "to" -> b = in.nextLong();
                                case "hashes" -> hashes = hashes(in);
                                default -> in.skipValue();
                            }
                        }
                        in.endObject();
                        consistencySizes.add(new long[] {a, b});
                        consistencyProofs.add(hashes);
                    }
                    in.endArray();
                }
                case "reports" -> reports = reports(in, hostId, hostKey, cp);
                default -> in.skipValue();
            }
        }
        in.endObject();
        if (in.peek() != JsonToken.END_DOCUMENT) throw new IOException("trailing data after the bundle");
        if (cp == null) problem(0, "checkpoint", "the bundle has no checkpoint");
        if (cp != null && checkpointNote != null) {
            witnesses(checkpointNote, cp);
            saved(logKey, cp, consistencySizes, consistencyProofs);
        }
        Coverage coverage = Coverage.compute(new CoverageInput(from, Math.max(to, from + 1), enrolledAt, SLACK_MS, entries));
        return new Result(hostId, keyId, cp, reports, List.copyOf(problems), List.copyOf(notes), coverage);
    }

    private Checkpoint checkpoint(String note, NoteVerifierKey logKey) {
        try {
            if (logKey == null) throw new VerificationException("no log key (neither --log-key nor one in the bundle)");
            return Checkpoint.open(note, logKey).checkpoint();
        } catch (VerificationException | ProtocolException e) {
            problem(0, "checkpoint signature", e.getMessage());
            try {
                return Checkpoint.parseBody(SignedNote.parse(note).text());
            } catch (ProtocolException unreadable) {
                return null;
            }
        }
    }

    private void witnesses(String note, Checkpoint cp) {
        if (options.witnessKeys().isEmpty()) return;
        SignedNote sn;
        try {
            sn = SignedNote.parse(note);
        } catch (ProtocolException e) {
            problem(0, "witnesses", e.getMessage());
            return;
        }
        List<String> ok = new ArrayList<>();
        for (NoteVerifierKey w : options.witnessKeys()) {
            for (SignedNote.Signature s : sn.signaturesBy(w)) {
                try {
                    Cosignature.verify(w, s, cp);
                    ok.add(w.name());
                    break;
                } catch (VerificationException e) {
                    problem(0, "witnesses", "the cosignature of " + w.name() + " does not verify: " + e.getMessage());
                }
            }
        }
        if (ok.size() < options.witnessesRequired()) {
            problem(0, "witnesses", ok.size() + " of the " + options.witnessesRequired()
                    + " required witness cosignatures verify" + (ok.isEmpty() ? "" : " (" + String.join(", ", ok) + ")"));
        } else {
            notes.add("witnesses: " + ok.size() + " cosignature(s) verify: " + String.join(", ", ok));
        }
    }

    private void saved(NoteVerifierKey logKey, Checkpoint cp, List<long[]> sizes, List<List<TreeHash>> proofs) {
        if (options.savedCheckpoint().isEmpty()) return;
        Checkpoint saved;
        try {
            saved = Checkpoint.open(options.savedCheckpoint().get(), logKey).checkpoint();
        } catch (VerificationException | ProtocolException e) {
            problem(0, "saved checkpoint", "does not verify with the log key: " + e.getMessage());
            return;
        }
        if (saved.size() == cp.size()) {
            if (!saved.root().equals(cp.root())) {
                problem(0, "consistency", "your saved checkpoint and the bundle's both have tree size " + cp.size()
                        + " but different roots: the log was rebuilt or forked (split view)");
            } else {
                notes.add("saved checkpoint " + saved.size() + ": same tree as the bundle's");
            }
            return;
        }
        long lo = Math.min(saved.size(), cp.size());
        long hi = Math.max(saved.size(), cp.size());
        for (int i = 0; i < sizes.size(); i++) {
            if (sizes.get(i)[0] == lo && sizes.get(i)[1] == hi) {
                TreeHash loRoot = lo == saved.size() ? saved.root() : cp.root();
                TreeHash hiRoot = hi == saved.size() ? saved.root() : cp.root();
                try {
                    Merkle.verifyConsistency(lo, hi, loRoot, hiRoot, proofs.get(i));
                    notes.add("saved checkpoint " + saved.size() + ": consistent with the bundle's checkpoint " + cp.size());
                } catch (VerificationException e) {
                    problem(0, "consistency", "your saved checkpoint " + saved.size() + " and the bundle's checkpoint "
                            + cp.size() + " are not one append-only log: " + e.getMessage()
                            + " (the log was truncated, rebuilt or forked)");
                }
                return;
            }
        }
        problem(0, "consistency", "the bundle has no consistency proof between your saved checkpoint " + saved.size()
                + " and its checkpoint " + cp.size() + "; export again with --consistency-with " + saved.size()
                + (saved.size() > cp.size() ? " (if the collector cannot, its log shrank below your saved checkpoint)" : ""));
    }

    private static List<TreeHash> hashes(JsonReader in) throws IOException {
        List<TreeHash> out = new ArrayList<>();
        in.beginArray();
        while (in.hasNext()) out.add(TreeHash.fromBase64(in.nextString()));
        in.endArray();
        return out;
    }

    /** The previous verified report, for the chain, time and log-order checks. */
    private record Prev(long seq, String payloadHash, long windowStartMs, long leafIndex) {}

    private int reports(JsonReader in, String hostId, Ed25519PublicKey hostKey, Checkpoint cp) throws IOException {
        int count = 0;
        Prev prev = null;
        boolean firstSeen = false;
        in.beginArray();
        while (in.hasNext()) {
            long seq = 0;
            boolean anchor = false;
            long leafIndex = -1;
            byte[] envelope = new byte[0];
            List<TreeHash> proof = List.of();
            in.beginObject();
            while (in.hasNext()) {
                switch (in.nextName()) {
                    case "seq" -> seq = in.nextLong();
                    case "anchor" -> anchor = in.nextBoolean();
                    case "leafIndex" -> {
                        if (in.peek() == JsonToken.NULL) in.nextNull(); else leafIndex = in.nextLong();
                    }
                    case "envelope" -> envelope = Base64.getDecoder().decode(in.nextString());
                    case "proof" -> proof = hashes(in);
                    default -> in.skipValue();
                }
            }
            in.endObject();
            if (!anchor) count++;
            prev = report(seq, anchor, leafIndex, envelope, proof, hostId, hostKey, cp, prev, !firstSeen);
            firstSeen = true;
        }
        in.endArray();
        return count;
    }

    private Prev report(long seq, boolean anchor, long leafIndex, byte[] envelope, List<TreeHash> proof, String hostId,
            Ed25519PublicKey hostKey, Checkpoint cp, Prev prev, boolean first) {
        int before = problems.size();
        if (leafIndex < 0) {
            problem(seq, "log", "not in the transparency log under checkpoint " + (cp == null ? "?" : cp.size())
                    + " (inserted into the database, never logged, or newer than the checkpoint)");
        } else if (cp != null) {
            try {
                Merkle.verifyInclusion(leafIndex, cp.size(), Merkle.leafHash(envelope), proof, cp.root());
            } catch (VerificationException e) {
                problem(seq, "inclusion proof", e.getMessage() + " (the stored envelope's bytes are not the logged ones)");
            }
        }
        Report report;
        String payloadHash;
        try {
            if (hostKey == null) throw new VerificationException("no pinned host key in the bundle");
            Envelopes.SignedReport sr = Envelopes.open(RawEnvelope.parse(envelope).envelope(), hostKey);
            report = sr.report();
            payloadHash = sr.payloadHash();
        } catch (VerificationException | ProtocolException e) {
            problem(seq, "signature", e.getMessage());
            return prev;
        }
        if (report.seq() != seq) {
            problem(seq, "row", "the row of seq " + seq + " holds the signed report of seq " + report.seq()
                    + " (rows swapped or edited)");
        }
        if (!report.hostId().equals(hostId)) {
            problem(seq, "host", "the report names host " + report.hostId() + ", not " + hostId);
        }
        boolean trusted = problems.size() == before;
        boolean linked = true;
        if (prev != null) {
            if (report.seq() != prev.seq() + 1) {
                linked = false;
                problem(report.seq(), "chain", report.seq() <= prev.seq() ? "seq does not follow seq " + prev.seq()
                        + " (rows out of order)" : "seq " + (prev.seq() + 1) + (report.seq() - 1 > prev.seq() + 1
                                ? ".." + (report.seq() - 1) : "") + " missing (a row was deleted)");
            } else if (!report.prev().equals(prev.payloadHash())) {
                linked = false;
                problem(report.seq(), "chain", "prev is not the hash of seq " + prev.seq() + "'s payload");
            }
            if (report.windowStartMs() < prev.windowStartMs()) {
                problem(report.seq(), "time", "its window starts before seq " + prev.seq()
                        + "'s: a back-dated report");
            }
            if (leafIndex >= 0 && prev.leafIndex() >= 0 && leafIndex < prev.leafIndex()) {
                problem(report.seq(), "log order", "logged as leaf " + leafIndex + ", before seq " + prev.seq()
                        + " (leaf " + prev.leafIndex() + "): inserted out of order");
            }
        } else if (first && report.seq() > 1 && !anchor) {
            linked = false;
            problem(report.seq(), "chain", "seq " + (report.seq() - 1) + ", which the first link needs, is missing"
                    + " (a row was deleted)");
        } else if (report.seq() == 1 && !report.prev().isEmpty()) {
            problem(1, "chain", "seq 1 must have an empty prev");
        }
        if (!anchor && trusted) {
            entries.add(CoverageInput.Entry.report(report.seq(), report.windowStartMs(), report.windowEndMs(),
                    report.verdict(), report.events(), report.agentStartedMs(), linked));
        }
        return new Prev(report.seq(), payloadHash, report.windowStartMs(), leafIndex);
    }
}
