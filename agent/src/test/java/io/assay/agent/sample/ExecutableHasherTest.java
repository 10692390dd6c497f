package io.assay.agent.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.protocol.Hashes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutableHasherTest {
    @TempDir
    Path tmp;

    @Test
    void hashesOnceWhileUnchangedAndAgainWhenMtimeChanges() throws IOException {
        Path exe = tmp.resolve("tool");
        byte[] content = "#!/bin/sh\necho hi\n".getBytes();
        Files.write(exe, content);
        Files.setLastModifiedTime(exe, FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
        ExecutableHasher h = new ExecutableHasher(1 << 20);

        assertThat(h.hash(exe.toString())).isEqualTo(Hashes.sha256Hex(content));
        assertThat(h.bytesReadTotal()).isEqualTo(content.length);
        h.beginCycle();
        assertThat(h.hash(exe.toString())).isEqualTo(Hashes.sha256Hex(content));
        assertThat(h.bytesReadTotal()).as("unchanged file is not read again").isEqualTo(content.length);

        // Same size, new content, new mtime: must be read again.
        byte[] changed = "#!/bin/sh\necho ho\n".getBytes();
        Files.write(exe, changed);
        Files.setLastModifiedTime(exe, FileTime.from(Instant.parse("2026-01-02T00:00:00Z")));
        h.beginCycle();
        assertThat(h.hash(exe.toString())).isEqualTo(Hashes.sha256Hex(changed));
        assertThat(h.bytesReadTotal()).isEqualTo(content.length + changed.length);
    }

    @Test
    void unreadableOrMissingGivesEmptyWithoutThrowing() throws IOException {
        ExecutableHasher h = new ExecutableHasher(1 << 20);
        assertThat(h.hash(tmp.resolve("gone").toString())).isEmpty();
        assertThat(h.hash("")).isEmpty();
        assertThat(h.hash(tmp.toString())).as("a directory").isEmpty();
        assertThat(h.hash("\0bad")).isEmpty();
        Path secret = tmp.resolve("secret");
        Files.write(secret, new byte[] {1});
        secret.toFile().setReadable(false, false);
        if (!Files.isReadable(secret)) { // root reads anything; the check only means something otherwise
            assertThat(h.hash(secret.toString())).isEmpty();
        }
    }

    @Test
    void stopsAtTheByteBudgetAndCatchesUpNextCycle() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Files.write(a, new byte[600]);
        Files.write(b, new byte[600]);
        ExecutableHasher h = new ExecutableHasher(1000);
        h.beginCycle();
        assertThat(h.hash(a.toString())).isNotEmpty();
        assertThat(h.hash(b.toString())).as("over budget this cycle").isEmpty();
        assertThat(h.deferredThisCycle()).isEqualTo(1);
        h.beginCycle();
        assertThat(h.hash(b.toString())).isNotEmpty();
        assertThat(h.hash(a.toString())).as("cached, costs nothing").isNotEmpty();
        assertThat(h.bytesReadTotal()).isEqualTo(1200);
    }
}
