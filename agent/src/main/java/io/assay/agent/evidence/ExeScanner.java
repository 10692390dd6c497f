package io.assay.agent.evidence;

import io.assay.protocol.Hashes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Scans executables for miner strings and hashes them, in one streaming pass, once per file
 * version: results are cached by (device, inode, mtime, size), so a thousand processes of one
 * binary cost one read, and the second cycle reads no executable again.
 *
 * <p>Reads through {@code /proc/PID/exe}, which opens the file the process runs even when it was
 * deleted or lives in a memfd. A cycle reads at most {@code budgetBytes}; a file not finished in a
 * cycle is resumed in the next one from where it stopped (automaton state and digest are kept).
 * Files bigger than {@code maxFileBytes} are scanned up to that size and marked truncated.
 *
 * <p>Not thread-safe.
 */
public final class ExeScanner {
    private static final int CHUNK = 1 << 16;
    private static final int MAX_CACHED = 8192;

    /** Identifies one version of a file. */
    public record FileKey(long dev, long ino, long mtimeMs, long size) {}

    /** What one pass found: SHA-256 of the bytes read, indexes of patterns seen. */
    public record Result(String sha256, BitSet found, long bytesScanned, boolean truncated) {
        public Result {
            found = (BitSet) found.clone();
        }

        @Override
        public BitSet found() {
            return (BitSet) found.clone();
        }
    }

    private final AhoCorasick matcher;
    private final long maxFileBytes;
    private final Map<FileKey, Result> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<FileKey, Result> eldest) {
            return size() > MAX_CACHED;
        }
    };
    private final Map<FileKey, Job> jobs = new LinkedHashMap<>();
    private long budgetLeft;
    private long bytesRead;
    private final byte[] buf = new byte[CHUNK];

    public ExeScanner(AhoCorasick matcher, long maxFileBytes) {
        this.matcher = matcher;
        this.maxFileBytes = maxFileBytes;
    }

    /** Starts a cycle with a fresh read budget. */
    public void startCycle(long budgetBytes) {
        this.budgetLeft = budgetBytes;
    }

    /** Total bytes of executables read so far. */
    public long bytesRead() {
        return bytesRead;
    }

    /** Files started but not finished (waiting for budget). */
    public int pending() {
        return jobs.size();
    }

    /** The key of the file behind {@code exe} (following the link), if it can be stat'ed. */
    public static Optional<FileKey> keyOf(Path exe) {
        try {
            Map<String, Object> a = Files.readAttributes(exe, "unix:dev,ino,size,lastModifiedTime");
            return Optional.of(new FileKey(((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue(),
                    ((FileTime) a.get("lastModifiedTime")).toMillis(), ((Number) a.get("size")).longValue()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The cached result for this file version, without reading anything. */
    public Optional<Result> cached(FileKey key) {
        return Optional.ofNullable(cache.get(key));
    }

    /**
     * Scans {@code exe} (typically {@code /proc/PID/exe}) within the cycle's budget.
     *
     * @return the result when the file is (now) fully scanned; empty when the budget ran out (call
     *     again next cycle) or the file cannot be opened
     * @throws IOException when the file cannot be opened or read (permission denied, process gone)
     */
    public Optional<Result> scan(Path exe, FileKey key) throws IOException {
        Result done = cache.get(key);
        if (done != null) return Optional.of(done);
        if (budgetLeft <= 0) return Optional.empty();
        Job job = jobs.computeIfAbsent(key, k -> new Job());
        long limit = Math.min(key.size(), maxFileBytes);
        try (FileChannel ch = FileChannel.open(exe, StandardOpenOption.READ)) {
            ch.position(job.offset);
            while (job.offset < limit && budgetLeft > 0) {
                int want = (int) Math.min(Math.min(CHUNK, limit - job.offset), Math.max(budgetLeft, 1));
                int n = ch.read(ByteBuffer.wrap(buf, 0, want));
                if (n <= 0) break;
                job.cursor.feed(buf, 0, n);
                job.digest.update(buf, 0, n);
                job.offset += n;
                budgetLeft -= n;
                bytesRead += n;
            }
            boolean eof = job.offset >= limit || ch.position() >= ch.size();
            if (!eof) return Optional.empty();
        } catch (IOException e) {
            jobs.remove(key);
            throw e;
        }
        jobs.remove(key);
        Result r = new Result(Hashes.hex(job.digest.digest()), job.cursor.found(), job.offset, key.size() > maxFileBytes);
        cache.put(key, r);
        return Optional.of(r);
    }

    private final class Job {
        final AhoCorasick.Cursor cursor = matcher.cursor();
        final MessageDigest digest = Hashes.newSha256();
        long offset;
    }
}
