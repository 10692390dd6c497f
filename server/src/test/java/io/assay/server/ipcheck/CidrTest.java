package io.assay.server.ipcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CidrTest {
    @Test
    void blocksContainTheirAddressesOnly() {
        Cidr block = Cidr.parse("203.0.113.77/24");
        assertThat(block.text()).isEqualTo("203.0.113.0/24");
        assertThat(block.contains("203.0.113.255")).isTrue();
        assertThat(block.contains("203.0.114.0")).isFalse();
        assertThat(block.contains("2001:db8::1")).isFalse();
        assertThat(Cidr.parse("2001:db8::/32").contains("2001:db8:ffff::9")).isTrue();
        assertThat(Cidr.parse("2001:db8::5").text()).isEqualTo("2001:db8:0:0:0:0:0:5");
        assertThat(Cidr.parse("0.0.0.0/0").contains("8.8.8.8")).isTrue();
    }

    @Test
    void onlyLiteralsAreAcceptedSoNothingIsResolved() {
        assertThatThrownBy(() -> Cidr.parse("example.com")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> Cidr.parse("1.2.3")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("0..32");
        assertThat(Cidr.canonical("cafe")).isEmpty();
    }
}
