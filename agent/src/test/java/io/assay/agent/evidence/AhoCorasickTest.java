package io.assay.agent.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class AhoCorasickTest {
    @Test
    void findsOverlappingPatternsAcrossChunkBoundaries() {
        AhoCorasick ac = new AhoCorasick(List.of("stratum+tcp://", "mining.subscribe", "XMRig", "Rig", "tcp"));
        byte[] data = "....\0\0XMRig\0stratum+tcp://pool\0mining.subscri".getBytes(StandardCharsets.UTF_8);
        var c = ac.cursor();
        for (int i = 0; i < data.length; i += 3) c.feed(data, i, Math.min(3, data.length - i));
        assertThat(c.found().stream().boxed().toList()).containsExactly(0, 2, 3, 4);
        c.feed("be".getBytes(StandardCharsets.UTF_8), 0, 2);
        assertThat(c.found().get(1)).isTrue();
        assertThat(ac.find(new byte[0]).isEmpty()).isTrue();
    }

    @Test
    void matchesBinaryBytesAboveAscii() {
        AhoCorasick ac = new AhoCorasick(List.of("UPX!"));
        byte[] data = {(byte) 0xff, (byte) 0x80, 'U', 'P', 'X', '!', 0};
        assertThat(ac.find(data).get(0)).isTrue();
    }
}
