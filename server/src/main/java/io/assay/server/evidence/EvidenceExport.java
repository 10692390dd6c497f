package io.assay.server.evidence;

import com.google.gson.stream.JsonWriter;
import io.assay.protocol.evidence.EvidenceBundle;
import io.assay.protocol.log.Checkpoint;
import io.assay.protocol.log.Merkle;
import io.assay.protocol.log.SignedNote;
import io.assay.protocol.log.TreeHash;
import io.assay.server.log.StoredSubtrees;
import io.assay.server.log.TransparencyLog;
import io.assay.server.store.HostEvent;
import io.assay.server.store.HostRecord;
import io.assay.server.store.LogTables;
import io.assay.server.store.ReportQuery;
import io.assay.server.store.ReportRow;
import io.assay.server.store.Store;
import io.assay.server.store.StoredReport;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.OptionalLong;

/**
 * Writes an evidence bundle from the store alone (no collector, no log key needed): the newest
 * signed checkpoint is the one every inclusion proof is against. Reports integrated after it, or
 * not integrated yet, are written with {@code leafIndex: null}; {@code assay-verify} names them.
 * Streams: memory does not grow with the number of reports. One read snapshot for the whole file.
 */
public final class EvidenceExport {
    private static final int PAGE = 1000;

    private EvidenceExport() {}

    /** What an export request names. {@code consistencyWith}: tree sizes of checkpoints the auditor saved. */
    public record Request(String hostId, long fromMs, long toMs, List<Long> consistencyWith) {
        public Request {
            if (fromMs >= toMs) throw new IllegalArgumentException("from must be before to");
            consistencyWith = List.copyOf(consistencyWith);
        }
    }

    /** What was written. */
    public record Summary(int reports, int proven, long checkpointSize) {}

    /** Why nothing can be exported. */
    public static final class ExportException extends Exception {
        private static final long serialVersionUID = 1L;

        public ExportException(String message) {
            super(message);
        }
    }

    /** Checks that the export can be made (host known, a checkpoint signed), before any byte is written. */
    public static void check(Store store, Request r) throws ExportException {
        if (store.read(tx -> tx.findHost(r.hostId())).isEmpty()) {
            throw new ExportException("no host " + r.hostId() + " is enrolled in this database");
        }
        var cp = store.read(tx -> tx.log().latestCheckpoint());
        if (cp.isEmpty()) {
            throw new ExportException("this database holds no signed checkpoint yet; start the collector once so it signs one");
        }
        for (long s : r.consistencyWith()) {
            long size = store.read(tx -> tx.log().size());
            if (s < 0 || s > size) {
                throw new ExportException("--consistency-with " + s + " is not a tree size of this log (0.." + size
                        + "); a saved checkpoint larger than the log means the log shrank");
            }
        }
    }

    /** Writes the bundle for {@code r} to {@code out} (not closed). Call {@link #check} first. */
    public static Summary write(Store store, Request r, Instant exportedAt, OutputStream out) throws IOException {
        try {
            return store.read(tx -> {
                try {
                    return writeIn(tx, r, exportedAt, out);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static Summary writeIn(Store.ReadTx tx, Request r, Instant exportedAt, OutputStream out) throws IOException {
        HostRecord host = tx.findHost(r.hostId()).orElseThrow();
        LogTables.StoredCheckpoint stored = tx.log().latestCheckpoint().orElseThrow();
        Checkpoint cp = Checkpoint.parseBody(SignedNote.parse(stored.note()).text());
        StoredSubtrees nodes = new StoredSubtrees(tx.log());
        JsonWriter w = new JsonWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        w.setHtmlSafe(false);
        w.beginObject();
        w.name("format").value(EvidenceBundle.FORMAT);
        w.name("exportedAt").value(exportedAt.toString());
        w.name("host").beginObject();
        w.name("hostId").value(host.hostId());
        w.name("publicKey").value(host.publicKey());
        w.name("keyId").value(host.keyId());
        w.name("enrolledAt").value(host.enrolledAt().toEpochMilli());
        w.name("hostname").value(host.identity().hostname());
        w.name("systemUuid").value(host.identity().systemUuid());
        w.name("boardSerial").value(host.identity().boardSerial());
        w.name("macs").beginArray();
        for (String m : host.identity().macs()) w.value(m);
        w.endArray();
        w.endObject();
        w.name("period").beginObject().name("from").value(r.fromMs()).name("to").value(r.toMs()).endObject();
        w.name("logKey").value(stored.logKey());
        w.name("checkpoint").value(TransparencyLog.withCosignatures(stored));
        w.name("consistency").beginArray();
        for (long s : r.consistencyWith()) {
            long lo = Math.min(s, cp.size());
            long hi = Math.max(s, cp.size());
            w.beginObject().name("from").value(lo).name("to").value(hi);
            hashes(w.name("hashes"), Merkle.consistencyProof(nodes, lo, hi));
            w.endObject();
        }
        w.endArray();
        w.name("reports").beginArray();
        int count = 0;
        int proven = 0;
        long after = 0;
        boolean first = true;
        while (true) {
            List<ReportRow> page = tx.listReports(r.hostId(), new ReportQuery(r.fromMs(), r.toMs(), after, PAGE));
            for (ReportRow row : page) {
                if (first && row.seq() > 1) {
                    // The report before the period: its hash is what the first report's prev must be.
                    var anchor = tx.findReport(r.hostId(), row.seq() - 1);
                    if (anchor.isPresent() && report(w, tx, nodes, cp, anchor.get(), true)) proven++;
                }
                first = false;
                StoredReport sr = tx.findReport(r.hostId(), row.seq()).orElseThrow();
                if (report(w, tx, nodes, cp, sr, false)) proven++;
                count++;
            }
            if (page.size() < PAGE) break;
            after = page.get(page.size() - 1).seq();
        }
        w.endArray();
        w.name("events").beginArray();
        for (HostEvent e : tx.listEvents(r.hostId())) {
            w.beginObject().name("kind").value(e.kind().wireName()).name("seq").value(e.seq())
                    .name("detail").value(e.detail()).name("at").value(e.at().toString()).endObject();
        }
        w.endArray();
        w.endObject();
        w.flush();
        return new Summary(count, proven, cp.size());
    }

    /** Writes one report; true when it carries an inclusion proof. */
    private static boolean report(JsonWriter w, Store.ReadTx tx, StoredSubtrees nodes, Checkpoint cp, StoredReport sr,
            boolean anchor) throws IOException {
        w.beginObject();
        w.name("seq").value(sr.row().seq());
        if (anchor) w.name("anchor").value(true);
        OptionalLong index = tx.log().leafIndexOf(sr.row().hostId(), sr.row().seq());
        boolean proven = index.isPresent() && index.getAsLong() < cp.size();
        w.name("leafIndex");
        if (proven) w.value(index.getAsLong()); else w.nullValue();
        w.name("envelope").value(Base64.getEncoder().encodeToString(sr.envelopeJson().getBytes(StandardCharsets.UTF_8)));
        hashes(w.name("proof"), proven ? Merkle.inclusionProof(nodes, index.getAsLong(), cp.size()) : List.of());
        w.endObject();
        return proven;
    }

    private static void hashes(JsonWriter w, List<TreeHash> list) throws IOException {
        w.beginArray();
        for (TreeHash h : list) w.value(h.base64());
        w.endArray();
    }
}
