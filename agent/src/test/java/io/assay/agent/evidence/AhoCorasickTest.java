package io.assay.agent.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
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

    @Test
    void findsWhatANaiveSearchFindsOverRandomPatternsAndTexts() {
        Random random = new Random(11);
        for (int round = 0; round < 300; round++) {
            // a small alphabet makes overlaps, shared prefixes and failure links common; byte 0xff and
            // bytes in no pattern exercise the shared column
            byte[] alphabet = {'a', 'b', 'c', (byte) 0xff, 0};
            List<String> patterns = new ArrayList<>();
            List<byte[]> raw = new ArrayList<>();
            for (int p = 0; p < 1 + random.nextInt(8); p++) {
                byte[] b = new byte[1 + random.nextInt(4)];
                for (int i = 0; i < b.length; i++) b[i] = alphabet[random.nextInt(3)];
                raw.add(b);
                patterns.add(new String(b, StandardCharsets.ISO_8859_1));
            }
            AhoCorasick ac = new AhoCorasick(patterns);
            byte[] text = new byte[random.nextInt(60)];
            for (int i = 0; i < text.length; i++) text[i] = alphabet[random.nextInt(alphabet.length)];
            BitSet expected = new BitSet();
            for (int p = 0; p < raw.size(); p++) if (indexOf(text, raw.get(p)) >= 0) expected.set(p);
            assertThat(ac.find(text)).as("patterns %s in %s", patterns, new String(text, StandardCharsets.ISO_8859_1))
                    .isEqualTo(expected);
        }
    }

    private static int indexOf(byte[] text, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= text.length; i++) {
            for (int j = 0; j < pattern.length; j++) if (text[i + j] != pattern[j]) continue outer;
            return i;
        }
        return -1;
    }
}
