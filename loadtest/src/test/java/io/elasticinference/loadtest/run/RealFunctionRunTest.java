package io.elasticinference.loadtest.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.elasticinference.loadtest.LoadtestMain;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code loadtest run} against the real function on loopback (the jar the reactor built before this module), with
 * the ImageNet sample photos: every request answered, latencies plausible, the serving pod recorded.
 */
class RealFunctionRunTest {

    @Test
    void replaysAWorkloadAgainstTheRealFunction(@TempDir Path tmp) throws Exception {
        Path jar = Path.of("..", "function", "target", "function-runner.jar");
        Path images = Path.of(System.getProperty("shared.dir", "../../shared"), "imagenet", "sample");
        if (!Files.exists(jar) || !Files.isDirectory(images)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("function jar or sample images missing: " + jar + ", " + images);
            }
            Assumptions.abort("build the function first (./mvnw package): " + jar);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process function = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1", "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("function.log").toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode() == 200) {
                        break;
                    }
                } catch (java.io.IOException e) {
                    // not listening yet
                }
                assertTrue(System.nanoTime() < deadline, Files.readString(tmp.resolve("function.log")));
                Thread.sleep(100);
            }
            Path workload = tmp.resolve("w.txt");
            Files.writeString(workload, "5 10 10\n");
            Path out = tmp.resolve("run");
            int exit = new CommandLine(new LoadtestMain()).execute("run", "--target",
                    "http://127.0.0.1:" + port + "/predict", "--workload", workload.toString(), "--images",
                    images.toString(), "--out", out.toString(), "--quiet", "--arrival", "uniform");
            assertEquals(0, exit);
            JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
            assertEquals(25, s.path("ok").asInt(), s.toString());
            assertTrue(s.path("p50_s").asDouble() > 0.005 && s.path("p50_s").asDouble() < 2, s.toString());
            List<String> rows = Files.readAllLines(out.resolve("requests.csv"));
            assertEquals(26, rows.size());
            String[] first = rows.get(1).split(",", -1);
            assertEquals("OK", first[5], rows.get(1));
            assertTrue(!first[7].isEmpty(), "the serving pod (X-Served-By) is recorded: " + rows.get(1));
            assertEquals(4, Files.readAllLines(out.resolve("timeline.csv")).size());
            assertTrue(Files.size(out.resolve("latency.png")) > 1000);
        } finally {
            function.destroy();
            function.waitFor(40, TimeUnit.SECONDS);
        }
    }
}
