package io.elasticinference.function.it;

import io.elasticinference.function.SharedData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Prometheus server (Debian's package) scrapes the running function and answers the query the latency
 * autoscaler and the dashboard rely on: the p99 of the request-duration histogram.
 */
@QuarkusTest
class PrometheusScrapeTest {

    private static final String P99 = "histogram_quantile(0.99, sum(rate("
            + "inference_request_duration_seconds_bucket{outcome=\"ok\"}[20s])) by (le))";

    @TestHTTPResource("/")
    URL app;

    @TempDir
    Path tmp;

    @Test
    void prometheusComputesTheP99FromOurHistogram() throws Exception {
        Path prometheus = ExternalTools.require("/usr/bin/prometheus", "prometheus");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (RestAssured.get("/q/health/ready").statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(tmp.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: function
                    metrics_path: /q/metrics
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(app.getPort()));
        Process p = new ProcessBuilder(prometheus.toString(), "--config.file=" + tmp.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + tmp.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
        try {
            byte[] image = Files.readAllBytes(SharedData.dir().resolve("reference/n01986214_hermit_crab.JPEG"));
            HttpClient http = HttpClient.newHttpClient();
            URI query = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                    + URLEncoder.encode(P99, StandardCharsets.UTF_8));
            double p99 = Double.NaN;
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < until) {
                for (int i = 0; i < 10; i++) {
                    given().contentType("image/jpeg").body(image).post("/predict").then().statusCode(200);
                }
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(query).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                    JsonNode result = new ObjectMapper().readTree(r.body()).path("data").path("result");
                    if (result.isArray() && !result.isEmpty()) {
                        p99 = Double.parseDouble(result.get(0).path("value").get(1).asText());
                        if (!Double.isNaN(p99)) {
                            break;
                        }
                    }
                } catch (java.io.IOException e) {
                    // Prometheus still starting
                }
                Thread.sleep(500);
            }
            assertTrue(p99 > 0 && p99 < 5, "p99 from Prometheus: " + p99 + "\n"
                    + Files.readString(tmp.resolve("prometheus.log")));
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

}
