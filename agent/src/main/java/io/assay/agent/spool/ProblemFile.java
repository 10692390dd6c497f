package io.assay.agent.spool;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool's problem now, kept beside it in {@code problem.txt} for {@code assay-agent status}
 * when the spool itself cannot record it: the spool keeps its last error in its own database,
 * which cannot be written while the state directory's filesystem is full, exactly when the
 * operator most needs to see why.
 *
 * <p>So the file is written once at its full size ({@link #SIZE} bytes, flushed so the blocks are
 * allocated) while there is space, and from then on only overwritten in place, at offset 0, with
 * exactly {@link #SIZE} bytes: no new block is needed, so the write works on a full ext4, xfs or
 * tmpfs. (Copy-on-write filesystems such as btrfs or ZFS allocate even for an overwrite: there the
 * write may fail too, and the log line is the record.) The alternatives were worse: a new file or
 * a rename needs a free inode or block; the metrics port works only while it is on, and only while
 * the agent runs.
 *
 * <p>Format: a first line {@code EPOCHMS ISO-TIME TEXT}, padded with spaces; a first line of
 * spaces is "no problem". Thread-safe.
 */
public final class ProblemFile {
    private static final Logger log = LoggerFactory.getLogger(ProblemFile.class);
    public static final String NAME = "problem.txt";
    static final int SIZE = 4096;

    /** A current problem and since when (epoch ms). */
    public record Problem(String text, long sinceMs) {
        public Problem {
            requireNonNull(text, "text");
        }
    }

    private final Path file;
    private Optional<Problem> current;

    private ProblemFile(Path file, Optional<Problem> current) {
        this.file = file;
        this.current = current;
    }

    /** The problem file beside {@code spoolFile}. */
    public static Path besides(Path spoolFile) {
        return spoolFile.toAbsolutePath().resolveSibling(NAME);
    }

    /**
     * Opens (creating and allocating it at full size if needed) the problem file for writing; a
     * problem it holds from an earlier run stays until {@link #clear} (the spool clears it at its
     * first successful write).
     *
     * @throws IOException it cannot be created (no space even for 4 KiB, or no permission)
     */
    public static ProblemFile open(Path file) throws IOException {
        Optional<Problem> held = read(file);
        boolean sized = Files.exists(file) && Files.size(file) == SIZE;
        ProblemFile f = new ProblemFile(file, held);
        if (!sized) {
            f.write(held.map(ProblemFile::line).orElse(""), true);
        }
        return f;
    }

    /** What {@code file} says now; empty when it says nothing, is absent or cannot be read. */
    public static Optional<Problem> read(Path file) {
        byte[] bytes;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(SIZE);
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // read the whole (fixed-size) file
            }
            bytes = Arrays.copyOf(buf.array(), buf.position());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            log.debug("cannot read {}: {}", file, e.toString());
            return Optional.empty();
        }
        String first = new String(bytes, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
        String[] parts = first.split(" ", 3);
        if (parts.length < 3) return Optional.empty();
        try {
            return Optional.of(new Problem(parts[2], Long.parseLong(parts[0])));
        } catch (NumberFormatException e) {
            return Optional.empty(); // torn or foreign content: not a problem we can state
        }
    }

    /** The problem this file holds now, as this process knows it. */
    public synchronized Optional<Problem> current() {
        return current;
    }

    /** Sets the problem; a problem already set keeps its start time. Never throws. */
    public synchronized void set(String text, long nowMs) {
        long since = current.map(Problem::sinceMs).orElse(nowMs);
        Problem p = new Problem(text.replace('\n', ' '), since);
        if (current.equals(Optional.of(p))) return;
        current = Optional.of(p);
        writeQuietly(line(p));
    }

    /** Clears the problem (no-op when none is set). Never throws. */
    public synchronized void clear() {
        if (current.isEmpty()) return;
        current = Optional.empty();
        writeQuietly("");
    }

    private static String line(Problem p) {
        return p.sinceMs() + " " + Instant.ofEpochMilli(p.sinceMs()) + " " + p.text();
    }

    private void writeQuietly(String line) {
        try {
            write(line, false);
        } catch (IOException e) {
            log.warn("cannot update {} (what `assay-agent status` shows as the problem now): {}", file, e.toString());
        }
    }

    /** Writes exactly SIZE bytes at offset 0, so the file never grows or shrinks. */
    private void write(String line, boolean allocate) throws IOException {
        byte[] out = new byte[SIZE];
        Arrays.fill(out, (byte) ' ');
        byte[] text = (line + "\n").getBytes(StandardCharsets.UTF_8);
        int n = Math.min(text.length, SIZE - 1);
        System.arraycopy(text, 0, out, 0, n);
        out[SIZE - 1] = '\n';
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(out);
            long at = 0;
            while (buf.hasRemaining()) at += ch.write(buf, at);
            // Once, at creation: blocks reserved now are what every later overwrite reuses.
            if (allocate) ch.force(true);
        }
    }
}
