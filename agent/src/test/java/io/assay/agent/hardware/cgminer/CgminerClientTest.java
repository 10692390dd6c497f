package io.assay.agent.hardware.cgminer;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.agent.sample.Reading;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client against a fake API on an ephemeral loopback port. */
class CgminerClientTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final CgminerClient client = new CgminerClient(500, 65_536);

    @Test
    void aWellFormedApiGivesHashRateDevicesAndPools() throws Exception {
        try (FakeCgminerApi api = FakeCgminerApi.start(FakeCgminerApi.Mode.WELL_FORMED)) {
            MinerApiAnswer a = ((Reading.Present<MinerApiAnswer>) client.ask(LOOPBACK, api.port())).value();

            assertThat(a.endpoint()).isEqualTo("127.0.0.1:" + api.port());
            assertThat(a.software()).isEqualTo("bmminer 1.0.0");
            assertThat(a.hashRateMhs()).isEqualTo(13_598_710.0);
            assertThat(a.accepted()).isEqualTo(51_234);
            assertThat(a.devices()).isEqualTo(3);
            assertThat(a.poolUrls()).containsExactly("stratum+tcp://btc.example-pool.test:3333",
                    "stratum+tcp://backup.example-pool.test:443");
            assertThat(a.notes()).isEmpty();
            assertThat(api.connections()).isEqualTo(3);
        }
    }

    @Test
    void anApiThatAnswersOnlySummaryIsStillAMinerWithNotes() throws Exception {
        try (FakeCgminerApi api = FakeCgminerApi.start(FakeCgminerApi.Mode.SUMMARY_ONLY)) {
            MinerApiAnswer a = ((Reading.Present<MinerApiAnswer>) client.ask(LOOPBACK, api.port())).value();
            assertThat(a.devices()).isZero();
            assertThat(a.poolUrls()).isEmpty();
            assertThat(a.notes()).containsExactly("devs: no DEVS list in the answer", "pools: no POOLS list in the answer");
        }
    }

    @Test
    void aSlowApiIsAbsentAfterTheTimeAndOnlyOneConnection() throws Exception {
        try (FakeCgminerApi api = FakeCgminerApi.start(FakeCgminerApi.Mode.SLOW)) {
            assertThat(client.ask(LOOPBACK, api.port())).isEqualTo(Reading.absent("cgminer-api",
                    "127.0.0.1:" + api.port() + " closed the connection or gave no answer within 500 ms"));
            assertThat(api.connections()).isEqualTo(1);
        }
    }

    @Test
    void garbageIsNotAMinerAndIsQuotedSafely() throws Exception {
        try (FakeCgminerApi api = FakeCgminerApi.start(FakeCgminerApi.Mode.GARBAGE)) {
            assertThat(client.ask(LOOPBACK, api.port())).isEqualTo(Reading.absent("cgminer-api",
                    "127.0.0.1:" + api.port() + " answered, but not as a cgminer API: \"\\xde\\xadHELLO\\x01\\x7f{\""));
        }
    }

    @Test
    void aConnectionClosedEarlyIsAbsent() throws Exception {
        try (FakeCgminerApi api = FakeCgminerApi.start(FakeCgminerApi.Mode.CLOSED_EARLY)) {
            assertThat(client.ask(LOOPBACK, api.port())).isEqualTo(Reading.absent("cgminer-api",
                    "127.0.0.1:" + api.port() + " closed the connection or gave no answer within 500 ms"));
        }
    }

    @Test
    void nothingListeningIsAbsent() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            port = s.getLocalPort(); // a port that was free a moment ago and is closed now
        }
        assertThat(client.ask(LOOPBACK, port)).isEqualTo(Reading.absent("cgminer-api", "nothing listens on 127.0.0.1:" + port));
    }

    @Test
    void answersAreParsedOnlyWhenTheyAreJsonObjects() {
        assertThat(CgminerClient.parse("[1,2]")).isEmpty();
        assertThat(CgminerClient.parse("{\"a\":")).isEmpty();
        assertThat(List.of(FakeCgminerApi.SUMMARY, FakeCgminerApi.DEVS, FakeCgminerApi.POOLS))
                .allSatisfy(s -> assertThat(CgminerClient.parse(s)).isPresent());
    }
}
