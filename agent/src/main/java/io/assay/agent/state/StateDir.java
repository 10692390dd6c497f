package io.assay.agent.state;

import static java.util.Objects.requireNonNull;

import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.Json;
import io.assay.protocol.ProtocolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * The agent's state directory. Secret files are written to a temporary file that is created with
 * mode 0600 (so there is no moment where the bytes are readable by others, whatever the umask),
 * synced, then renamed over the target, so a crash leaves either the old or the new file.
 */
public final class StateDir {
    public static final String HOST_KEY = "host.key";
    public static final String ENROLLMENT = "enrollment.json";
    public static final String SPOOL = "spool.db";

    private static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_RWX = PosixFilePermissions.fromString("rwx------");

    private final Path root;

    public StateDir(Path root) {
        this.root = requireNonNull(root, "root").toAbsolutePath();
    }

    public Path root() {
        return root;
    }

    public Path hostKeyFile() {
        return root.resolve(HOST_KEY);
    }

    public Path enrollmentFile() {
        return root.resolve(ENROLLMENT);
    }

    public Path spoolFile() {
        return root.resolve(SPOOL);
    }

    /** Creates the directory (mode 0700) if it does not exist. */
    public void ensureExists() {
        try {
            if (!Files.isDirectory(root)) {
                if (isPosix(root.getParent() == null ? root : existingAncestor(root))) {
                    Files.createDirectories(root, PosixFilePermissions.asFileAttribute(OWNER_RWX));
                } else {
                    Files.createDirectories(root);
                }
            }
        } catch (IOException e) {
            throw new StateException("Cannot create the state directory " + root + ": " + e
                    + ". Create it (owned by the agent's user, mode 0700) or pass --state-dir.", e);
        }
    }

    public boolean isEnrolled() {
        return Files.exists(enrollmentFile());
    }

    /** The enrollment, or empty when the host has not enrolled. */
    public Optional<Enrollment> readEnrollment() {
        Path file = enrollmentFile();
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StateException("Cannot read " + file + ": " + e + ". Check that the agent runs as the user that enrolled.", e);
        }
        try {
            return Optional.of(Json.fromJson(json, Enrollment.class));
        } catch (ProtocolException e) {
            throw new StateException(file + " is damaged (" + e.getMessage()
                    + "). Enroll again with: assay-agent enroll --force --server URL --token TOKEN", e);
        }
    }

    /** The enrollment, or a {@link NotEnrolledException} saying how to enroll. */
    public Enrollment requireEnrollment() {
        return readEnrollment().orElseThrow(() -> new NotEnrolledException("This host is not enrolled: "
                + enrollmentFile() + " does not exist. Enroll it first with: assay-agent enroll --server URL --token TOKEN"
                + " --state-dir " + root));
    }

    public Ed25519Signer readHostKey() {
        Path file = hostKeyFile();
        byte[] seed;
        try {
            seed = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new StateException("Cannot read the host key " + file + ": " + e
                    + ". If it was lost the host must enroll again (assay-agent enroll --force).", e);
        }
        if (seed.length != 32) {
            throw new StateException("The host key " + file + " is damaged: " + seed.length
                    + " bytes, expected 32. The host must enroll again (assay-agent enroll --force).");
        }
        return Ed25519Signer.fromSeed(seed);
    }

    public void writeHostKey(Ed25519Signer key) {
        writeSecret(hostKeyFile(), key.exportSeedForKeyFile());
    }

    public void writeEnrollment(Enrollment enrollment) {
        writeSecret(enrollmentFile(), Json.toPrettyJson(enrollment).getBytes(StandardCharsets.UTF_8));
    }

    private void writeSecret(Path target, byte[] content) {
        ensureExists();
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            FileAttribute<?>[] attrs = isPosix(root)
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_RW)}
                    : new FileAttribute<?>[0];
            try (FileChannel ch = FileChannel.open(tmp,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (FileAlreadyExistsException e) {
            throw new StateException("Cannot write " + target + ": " + tmp + " appeared while writing; is another enroll running?", e);
        } catch (IOException e) {
            throw new StateException("Cannot write " + target + ": " + e + ". Check the state directory's owner and free space.", e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort: a stale .tmp is recreated next time
            }
        }
    }

    private static boolean isPosix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static Path existingAncestor(Path p) {
        Path a = p;
        while (a != null && !Files.exists(a)) a = a.getParent();
        return a == null ? p : a;
    }
}
