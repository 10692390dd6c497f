package io.assay.server.log;

import io.assay.protocol.Ed25519Signer;
import io.assay.protocol.ProtocolException;
import io.assay.protocol.log.NoteSigner;
import io.assay.protocol.log.NoteVerifierKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads or creates a note signer key file (the log's key, or a witness's). The file holds Go's
 * signer key string and is created with mode 0600 atomically (never world-readable, not even
 * for a moment). A file of the wrong type or unreadable is an error, never replaced.
 */
public final class LogKeyFile {
    private static final Logger log = LoggerFactory.getLogger(LogKeyFile.class);

    private LogKeyFile() {}

    /** Loads the key at {@code file}, or creates one named {@code name} of {@code type} if the file is absent. */
    public static NoteSigner loadOrCreate(Path file, String name, int type) {
        if (!Files.exists(file)) {
            NoteSigner created = new NoteSigner(name, type, Ed25519Signer.generate(new SecureRandom()));
            try {
                Files.writeString(Files.createFile(file, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------"))), created.encodeForKeyFile() + "\n",
                        StandardCharsets.UTF_8, StandardOpenOption.WRITE);
                log.info("Created key {} at {} (mode 0600); its verifier key is {}", name, file,
                        created.verifierKey().encode());
                return created;
            } catch (FileAlreadyExistsException e) {
                // Another process created it between our check and create: use theirs.
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create key file " + file + ": " + e.getMessage(), e);
            }
        }
        return load(file, type);
    }

    /** Loads an existing key file of {@code type}. */
    public static NoteSigner load(Path file, int type) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read key file " + file + ": " + e.getMessage(), e);
        }
        NoteSigner signer;
        try {
            signer = NoteSigner.parse(text);
        } catch (ProtocolException e) {
            throw new IllegalArgumentException("key file " + file + " does not hold a note signer key: " + e.getMessage(), e);
        }
        if (signer.verifierKey().type() != type) {
            throw new IllegalArgumentException("key file " + file + " holds a key of type " + signer.verifierKey().type()
                    + ", expected " + (type == NoteVerifierKey.ED25519 ? "a log key (1)" : "a witness key (4)"));
        }
        return signer;
    }
}
