package io.assay.agent.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.protocol.Ed25519Signer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirTest {
    @TempDir
    Path tmp;

    @Test
    void writesSecretsOwnerOnlyAndReadsThemBack() throws IOException {
        StateDir state = new StateDir(tmp.resolve("state"));
        Ed25519Signer key = Ed25519Signer.generate(new SecureRandom());
        state.writeHostKey(key);
        state.writeEnrollment(new Enrollment("h1", "https://c.example", "tok-secret", key.publicKey().keyId()));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.root()))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.hostKeyFile()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.enrollmentFile()))).isEqualTo("rw-------");
        assertThat(state.readHostKey().publicKey()).isEqualTo(key.publicKey());
        assertThat(state.requireEnrollment().hostToken()).isEqualTo("tok-secret");
        assertThat(state.requireEnrollment().toString()).doesNotContain("tok-secret");
        try (var files = Files.list(state.root())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("host.key", "enrollment.json");
        }
    }

    @Test
    void notEnrolledAndDamagedFilesSayWhatToDo() throws IOException {
        StateDir state = new StateDir(tmp);
        assertThat(state.readEnrollment()).isEmpty();
        assertThatThrownBy(state::requireEnrollment).isInstanceOf(NotEnrolledException.class)
                .hasMessageContaining("assay-agent enroll");
        Files.writeString(state.enrollmentFile(), "{not json");
        assertThatThrownBy(state::readEnrollment).isInstanceOf(StateException.class).hasMessageContaining("--force");
        Files.write(state.hostKeyFile(), new byte[5]);
        assertThatThrownBy(state::readHostKey).isInstanceOf(StateException.class).hasMessageContaining("5 bytes");
    }
}
