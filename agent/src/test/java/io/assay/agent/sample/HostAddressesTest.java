package io.assay.agent.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostAddressesTest {
    @Test
    void keepsRoutableAddressesAsCanonicalTextAndDropsLoopbackAndLinkLocal() throws Exception {
        List<InetAddress> in = List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1"),
                InetAddress.getByName("fe80::1%1"), InetAddress.getByName("169.254.3.4"),
                InetAddress.getByName("10.20.30.40"), InetAddress.getByName("2001:db8:0:0:0:0:0:5"),
                InetAddress.getByName("10.20.30.40"), InetAddress.getByName("0.0.0.0"));
        assertThat(HostAddresses.reportable(in)).containsExactly("10.20.30.40", "2001:db8:0:0:0:0:0:5");
    }

    @Test
    void thisHostsAddressesNeverIncludeLoopback() {
        assertThat(HostAddresses.read()).doesNotContain("127.0.0.1", "0:0:0:0:0:0:0:1");
    }
}
