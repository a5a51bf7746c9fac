package io.elasticinference.loadtest.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.elasticinference.loadtest.LoadtestMain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code loadtest run} against servers of the test's own on loopback whose behaviour is known: the numbers it reports
 * must be the numbers the server produced.
 */
class RunCommandTest {

    static {
        // The JDK's HttpServer writes the headers and the body of an answer separately and leaves Nagle on: the body
        // then waited for the client's delayed ACK (~40 ms), and the 100 ms server measured 122-145 ms at p50 in some
        // runs. Read once, when the first server is made.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private HttpServer server;
    private final AtomicInteger received = new AtomicInteger();

    @TempDir
    Path tmp;

    @BeforeEach
    void images() throws IOException {
        Files.createDirectories(tmp.resolve("img"));
        Files.write(tmp.resolve("img/a.jpg"), new byte[]{(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
        Files.write(tmp.resolve("img/b.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G'});
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** A server that answers POSTs with {@code status} after {@code delayMs}; GETs (the warm-up) at once. */
    private String serve(int status, long delayMs) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        server.setExecutor(Executors.newFixedThreadPool(64));
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestMethod().equals("POST")) {
                received.incrementAndGet();
                try {
                    Thread.sleep(delayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            exchange.getResponseHeaders().add("X-Served-By", "pod-a");
            byte[] body = "{}".getBytes();
            exchange.sendResponseHeaders(exchange.getRequestMethod().equals("POST") ? status : 405, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/predict";
    }

    private JsonNode run(String target, String workload, String... extra) throws IOException {
        Path wl = tmp.resolve("workload.txt");
        Files.writeString(wl, workload);
        Path out = tmp.resolve("out-" + System.nanoTime());
        List<String> args = new java.util.ArrayList<>(List.of("run", "--target", target, "--workload", wl.toString(),
                "--images", tmp.resolve("img").toString(), "--out", out.toString(), "--quiet", "--no-plots"));
        args.addAll(List.of(extra));
        int exit = new CommandLine(new LoadtestMain()).execute(args.toArray(String[]::new));
        assertEquals(0, exit);
        assertTrue(Files.isRegularFile(out.resolve("requests.csv")));
        assertTrue(Files.isRegularFile(out.resolve("timeline.csv")));
        return JSON.readTree(out.resolve("summary.json").toFile());
    }

    @Test
    void aHundredMillisecondServerMeasuresAHundredMilliseconds() throws IOException {
        String target = serve(200, 100);
        JsonNode s = run(target, "20 20 20 20 20", "--arrival", "uniform");
        assertEquals(100, s.path("scheduled").asInt());
        assertEquals(100, s.path("ok").asInt());
        assertEquals(100, received.get());
        double p50 = s.path("p50_s").asDouble();
        assertTrue(p50 >= 0.100 && p50 <= 0.110, "p50 " + p50);
        // open loop: the schedule is kept even though every answer takes 100 ms (2 in flight at 20/s)
        assertTrue(s.path("send_lag_p99_s").asDouble() < 0.020, "send lag p99 " + s.path("send_lag_p99_s"));
        assertEquals(0.0, s.path("over_slo_share").asDouble());
    }

    @Test
    void openLoopKeepsSendingWhileTheServerIsSlow() throws IOException {
        // 1 s per answer, 50 requests in 1 s: a closed loop with few connections would send far fewer.
        String target = serve(200, 1000);
        long start = System.nanoTime();
        JsonNode s = run(target, "50", "--arrival", "uniform", "--timeout", "5s");
        assertEquals(50, s.path("ok").asInt());
        assertTrue((System.nanoTime() - start) / 1e9 < 4, "all 50 were in flight together");
        assertTrue(s.path("send_lag_p99_s").asDouble() < 0.050, "send lag " + s.path("send_lag_p99_s"));
        assertEquals(1.0, s.path("over_slo_share").asDouble(), 1e-9, "every answer took longer than 0.33 s");
    }

    @Test
    void timeoutsRejectionsAndRefusedConnectionsAreCounted() throws IOException {
        JsonNode slow = run(serve(200, 800), "5", "--timeout", "200ms");
        assertEquals(5, slow.path("timeouts").asInt(), slow::toString);
        assertEquals(0, slow.path("ok").asInt());
        stop();
        JsonNode busy = run(serve(503, 0), "5");
        assertEquals(5, busy.path("errors").path("REJECTED").asInt(), busy::toString);
        stop();
        server = null;
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        JsonNode refused = run("http://127.0.0.1:" + port + "/predict", "3");
        assertEquals(3, refused.path("errors").path("CONNECTION_ERROR").asInt(), refused::toString);
    }

    @Test
    void badArgumentsAreClearErrors() throws IOException {
        Path wl = tmp.resolve("bad.txt");
        Files.writeString(wl, "1 2 x");
        int exit = new CommandLine(new LoadtestMain()).execute("run", "--target", "http://127.0.0.1:1/",
                "--workload", wl.toString(), "--images", tmp.resolve("img").toString(), "--quiet");
        assertEquals(2, exit);
        int exit2 = new CommandLine(new LoadtestMain()).execute("run", "--target", "http://127.0.0.1:1/",
                "--workload", wl.toString(), "--slo", "fast");
        assertEquals(2, exit2);
    }
}
