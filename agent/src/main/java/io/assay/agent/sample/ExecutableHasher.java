package io.assay.agent.sample;

import io.assay.protocol.Hashes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * SHA-256 of executables, cached per (path, file key/inode, mtime, size) so an unchanged binary is
 * read once. At most {@code maxBytesPerCycle} bytes are read between two {@link #beginCycle()}
 * calls, so a host full of new large binaries cannot make one sample cycle slow; what did not fit
 * is hashed in a later cycle. Never throws: an unreadable file (gone, no permission, not a
 * regular file) yields "". Confined to the sampling thread.
 */
public final class ExecutableHasher {
    private static final int MAX_CACHE_ENTRIES = 4096;

    private record Key(String path, Object fileKey, long mtimeMs, long size) {}

    private final long maxBytesPerCycle;
    private final Map<Key, String> cache = new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, String> eldest) {
            return size() > MAX_CACHE_ENTRIES;
        }
    };
    private long bytesThisCycle;
    private long bytesReadTotal;
    private int deferredThisCycle;

    public ExecutableHasher(long maxBytesPerCycle) {
        if (maxBytesPerCycle < 0) throw new IllegalArgumentException("maxBytesPerCycle must be >= 0");
        this.maxBytesPerCycle = maxBytesPerCycle;
    }

    /** Starts a new budget of {@code maxBytesPerCycle} bytes. */
    public void beginCycle() {
        bytesThisCycle = 0;
        deferredThisCycle = 0;
    }

    /** Bytes read from disk since this hasher was made; a test's way to see the cache work. */
    public long bytesReadTotal() {
        return bytesReadTotal;
    }

    /** Files left unhashed in this cycle because the byte budget ran out. */
    public int deferredThisCycle() {
        return deferredThisCycle;
    }

    /** The lowercase hex SHA-256 of {@code exePath}, or "" when unreadable or over this cycle's budget. */
    public String hash(String exePath) {
        if (exePath.isEmpty()) return "";
        try {
            Path path = Path.of(exePath);
            BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
            if (!attrs.isRegularFile()) return "";
            Key key = new Key(exePath, Objects.requireNonNullElse(attrs.fileKey(), ""),
                    attrs.lastModifiedTime().toMillis(), attrs.size());
            String cached = cache.get(key);
            if (cached != null) return cached;
            if (bytesThisCycle + attrs.size() > maxBytesPerCycle) {
                deferredThisCycle++;
                return "";
            }
            bytesThisCycle += attrs.size();
            String hex = digest(path);
            cache.put(key, hex);
            return hex;
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private String digest(Path path) throws IOException {
        MessageDigest sha = Hashes.newSha256();
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(path)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
                bytesReadTotal += n;
            }
        }
        return Hashes.hex(sha.digest());
    }
}
