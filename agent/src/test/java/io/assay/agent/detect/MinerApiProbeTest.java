package io.assay.agent.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.assay.agent.evidence.LoopbackClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The miner API classifier over representative answers, and the probe sequence against real sockets on 127.0.0.1. */
class MinerApiProbeTest {
    static final Rules.MinerApis BUILT_IN = new RuleSource(Optional.empty()).rules().minerApis();
    /**
     * The built-in requests and answers with a patient timeout: the fake servers here are threads of
     * this JVM, and on a loaded 2-core machine they may answer later than the built-in 300 ms, which
     * would test the scheduler, not the probe (a late answer to the first GET turns the probe to raw
     * requests). What the probe sends and how it classifies is what these tests are about.
     */
    static final Rules.MinerApis APIS = new Rules.MinerApis(5_000, BUILT_IN.maxBytes(), BUILT_IN.probesPerCycle(),
            BUILT_IN.requests(), BUILT_IN.answers());

    // Answers written after each project's documented format (values shortened).
    static final String XMRIG = """
            HTTP/1.1 200 OK\r
            Content-Type: application/json\r
            \r
            {"id":"92f3104f9a2ee78c","worker_id":"web-07","uptime":5031,"restricted":true,"resources":{"memory":{"free":1,"total":2}},
             "features":["api","asm","http","hwloc","tls"],"results":{"diff_current":400000,"shares_good":12,"shares_total":12},
             "algo":"rx/0","connection":{"pool":"pool.example:3333","ip":"10.0.0.1","uptime":5020,"ping":31},
             "version":"6.21.0","kind":"miner","ua":"XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0",
             "cpu":{"brand":"AMD EPYC","aes":true,"threads":8},"donate_level":1,"paused":false,"algorithms":["rx/0","rx/wow"],
             "hashrate":{"total":[4210.5,4199.1,null],"highest":4310.2,"threads":[[540.1,538.2,null]]},"hugepages":true}
            """;
    static final String XMR_STAK = """
            HTTP/1.0 200 OK\r
            \r
            {"version":"xmr-stak/2.10.8/e29cb42/master/lin/nvidia-amd-cpu/20","hashrate":{"threads":[[101.2,100.9,null]],
             "total":[812.0,810.3,null],"highest":830.0},"results":{"diff_current":120001,"shares_good":30,"shares_total":30,
             "avg_time":60.1,"hashes_total":3600000,"best":[1,2],"error_log":[]},"connection":{"pool":"pool.example:4444",
             "uptime":1800,"ping":40,"error_log":[]}}
            """;
    static final String CGMINER = "{\"STATUS\":[{\"STATUS\":\"S\",\"When\":1718000000,\"Code\":11,\"Msg\":\"Summary\","
            + "\"Description\":\"bmminer 1.0.0\"}],\"SUMMARY\":[{\"Elapsed\":93121,\"GHS 5s\":\"13512.4\",\"GHS av\":13498.12,"
            + "\"Found Blocks\":0,\"Getworks\":3172,\"Accepted\":15631,\"Rejected\":17,\"Hardware Errors\":52,"
            + "\"Utility\":10.07}],\"id\":1}\0";
    static final String TREX = """
            HTTP/1.1 200 OK\r
            \r
            {"accepted_count":44,"active_pool":{"retries":0,"url":"stratum+tcp://pool.example:4553","user":"wallet.rig"},
             "algorithm":"kawpow","api":"3.0","cuda":"11.10","description":"T-Rex NVIDIA GPU miner","gpu_total":1,
             "gpus":[{"device_id":0,"hashrate":23071112,"power":180,"temperature":61,"fan_speed":70}],"hashrate":23071112,
             "name":"t-rex","rejected_count":0,"solved_count":0,"uptime":3600,"version":"0.26.8"}
            """;
    static final String NBMINER = """
            HTTP/1.1 200 OK\r
            \r
            {"miner":{"devices":[{"id":0,"hashrate":"30.12 M","accepted_shares":10}],"total_hashrate":"30.12 M",
             "total_hashrate_raw":30120000.0,"total_power_consume":120},"start_time":1718000000,
             "stratum":{"accepted_shares":10,"rejected_shares":0,"algorithm":"ethash","url":"pool.example:4444",
             "user":"0xabc.rig","latency":35},"version":"42.3"}
            """;
    static final String CLAYMORE = "{\"id\": 0, \"result\": [\"15.0 - ETH\", \"219\", \"185000;3341;0\","
            + " \"30502;30457;30297\", \"0;0;0\", \"off;off;off\", \"53;71;57;67;61;72\", \"eth-eu1.example.org:9999\","
            + " \"0;0;0;0\"], \"error\": null}\n";

    @Test
    void minerAnswersAreRecognisedByTheirShape() {
        assertThat(MinerApiProbe.classify(APIS, XMRIG)).contains("xmrig");
        assertThat(MinerApiProbe.classify(APIS, XMR_STAK)).contains("xmr-stak");
        assertThat(MinerApiProbe.classify(APIS, CGMINER)).contains("cgminer");
        assertThat(MinerApiProbe.classify(APIS, TREX)).contains("t-rex");
        assertThat(MinerApiProbe.classify(APIS, NBMINER)).contains("nbminer");
        assertThat(MinerApiProbe.classify(APIS, CLAYMORE)).contains("claymore");
    }

    @Test
    void innocentAnswersWithOneMinerLikeWordAreNot() {
        List<String> innocent = List.of(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><h1>Mining dashboard</h1><p>hashrate: n/a</p></body></html>",
                "HTTP/1.1 200 OK\r\n\r\n{\"status\":\"ok\",\"algo\":\"lz4\",\"hashrate\":null,\"uptime\":12,\"version\":\"1.4.2\"}",
                "HTTP/1.1 200 OK\r\n\r\n{\"name\":\"node-1\",\"cluster_name\":\"logs\",\"version\":{\"number\":\"8.13.0\"},\"tagline\":\"You Know, for Search\"}",
                "{\"id\":0,\"jsonrpc\":\"2.0\",\"result\":[\"ok\"]}\n",
                "{\"id\":1,\"jsonrpc\":\"2.0\",\"result\":{\"hashrate\":{\"total\":1},\"algo\":\"sha256\"}}\n",
                "{\"STATUS\":\"ok\",\"SUMMARY\":\"all green\"}",
                "HTTP/1.1 404 Not Found\r\n\r\n",
                "");
        for (String a : innocent) assertThat(MinerApiProbe.classify(APIS, a)).as(a).isEmpty();
    }

    @Test
    void anAnswerShapeOfOnePatternIsRefused() {
        String local = "{\"minerApis\": {\"requests\": [{\"id\": \"x\", \"send\": \"hi\"}],\n"
                + "  \"answers\": [{\"kind\": \"lazy\", \"allOf\": [\"hashrate\"]}]}}";
        assertThatThrownBy(() -> Rules.parse("built-in", RulesAndWalletsTest.RuleSourceText.builtIn(), "local.json", local))
                .isInstanceOfSatisfying(RulesException.class, e -> {
                    assertThat(e.file()).isEqualTo("local.json");
                    assertThat(e.line()).isEqualTo(2);
                    assertThat(e.reason()).contains("at least two patterns");
                });
    }

    @Test
    void onlyLoopbackIsEverConnectedTo() throws Exception {
        assertThat(LoopbackClient.loopbackFor("0.0.0.0")).contains(InetAddress.getByName("127.0.0.1"));
        assertThat(LoopbackClient.loopbackFor("127.0.0.1")).contains(InetAddress.getByName("127.0.0.1"));
        assertThat(LoopbackClient.loopbackFor("0:0:0:0:0:0:0:0")).contains(InetAddress.getByName("::1"));
        assertThat(LoopbackClient.loopbackFor("0:0:0:0:0:0:0:1")).contains(InetAddress.getByName("::1"));
        assertThat(LoopbackClient.loopbackFor("10.0.2.15")).isEmpty();
        assertThat(LoopbackClient.loopbackFor("127.0.0.53")).isEmpty();
        assertThat(LoopbackClient.loopbackFor("fe80:0:0:0:0:0:0:1")).isEmpty();
        assertThat(LoopbackClient.loopbackFor("pool.example")).as("never a name lookup").isEmpty();
        assertThatThrownBy(() -> LoopbackClient.exchange(InetAddress.getByName("10.0.2.15"), 80, new byte[0], 100, 100, b -> false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCgminerApiOnARawSocketIsRecognisedAfterTheHttpRequestFails() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        byte[] buf = new byte[2048];
                        int n = s.getInputStream().read(buf);
                        String req = new String(buf, 0, Math.max(0, n), StandardCharsets.ISO_8859_1);
                        requests.add(req);
                        // cgminer answers what it does not understand with a plain-text error, NUL-terminated
                        String ans = req.contains("\"command\":\"summary\"") ? CGMINER
                                : "STATUS=E,When=1718000000,Code=14,Msg=Invalid command,Description=cgminer 4.11.1|\0";
                        s.getOutputStream().write(ans.getBytes(StandardCharsets.ISO_8859_1));
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "fake-cgminer");
            t.setDaemon(true);
            t.start();
            MinerApiProbe.Result r = MinerApiProbe.probe(APIS, InetAddress.getByName("127.0.0.1"), server.getLocalPort());
            assertThat(r.kind()).contains("cgminer");
            assertThat(r.requestId()).isEqualTo("cgminer-rpc");
            assertThat(requests).hasSize(2).first().asString().startsWith("GET /1/summary ");
        }
    }

    @Test
    void anHttpServerGetsOnlyGetRequestsAndIsNotAMiner() throws Exception {
        List<String> paths = new CopyOnWriteArrayList<>();
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        http.createContext("/", ex -> {
            paths.add(ex.getRequestURI().getPath());
            byte[] body = "{\"status\":\"ok\",\"algo\":\"lz4\",\"hashrate\":null,\"uptime\":12}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            try (var out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        try {
            MinerApiProbe.Result r = MinerApiProbe.probe(APIS, InetAddress.getByName("127.0.0.1"), http.getAddress().getPort());
            assertThat(r.kind()).isEmpty();
            assertThat(paths).containsExactly("/1/summary", "/2/summary", "/api.json", "/summary", "/api/v1/status");
            assertThat(r.connections()).isEqualTo(5);
        } finally {
            http.stop(0);
        }
    }

    @Test
    void aClosedPortEndsTheProbeAtOnce() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        MinerApiProbe.Result r = MinerApiProbe.probe(APIS, InetAddress.getByName("127.0.0.1"), port);
        assertThat(r.kind()).isEmpty();
        assertThat(r.connections()).isEqualTo(1);
    }
}
