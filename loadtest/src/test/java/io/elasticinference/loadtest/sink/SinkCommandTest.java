package io.elasticinference.loadtest.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.elasticinference.loadtest.LoadtestMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sink answers after the delay it was given, and the load tester measures exactly that through it. */
class SinkCommandTest {

    @TempDir
    Path tmp;

    @Test
    void aSinkWithA50MsDelayIsMeasuredAt50Ms() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int sinkPort = port;
        Thread sink = new Thread(() -> new CommandLine(new LoadtestMain()).execute("sink", "--port",
                Integer.toString(sinkPort), "--delay", "50ms", "--for", "20s"));
        sink.setDaemon(true);
        sink.start();
        waitForPort(port);

        Files.createDirectories(tmp.resolve("img"));
        Files.write(tmp.resolve("img/a.jpg"), new byte[]{(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
        Files.writeString(tmp.resolve("wl.txt"), "40 40 40");
        Path out = tmp.resolve("out");
        int exit = new CommandLine(new LoadtestMain()).execute("run", "--target",
                "http://127.0.0.1:" + port + "/predict", "--workload", tmp.resolve("wl.txt").toString(),
                "--images", tmp.resolve("img").toString(), "--out", out.toString(), "--quiet", "--no-plots");
        assertEquals(0, exit);
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(120, s.path("ok").asInt(), s::toString);
        double p50 = s.path("p50_s").asDouble();
        assertTrue(p50 >= 0.050 && p50 <= 0.060, "p50 " + p50);
        assertTrue(Files.readString(out.resolve("requests.csv")).contains(",sink"), "the serving pod header is kept");
    }

    private static void waitForPort(int port) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("the sink did not start listening on " + port);
    }
}
