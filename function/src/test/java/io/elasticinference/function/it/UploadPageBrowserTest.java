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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The upload page in a real headless Chromium (Debian's chromium + chromium-driver), driven over the W3C WebDriver
 * protocol: pick a photo, see the top-5 and the weights note. A screenshot lands in target/upload-page.png.
 */
@QuarkusTest
class UploadPageBrowserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

    @TestHTTPResource("/")
    URL app;

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();
    private String base;

    @Test
    void pickAnImageAndSeeTheTop5() throws Exception {
        ExternalTools.require("/usr/bin/chromium", "chromium");
        Path driver = ExternalTools.require("/usr/bin/chromedriver", "chromium-driver");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (RestAssured.get("/q/health/ready").statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process chromedriver = new ProcessBuilder(driver.toString(), "--port=" + port)
                .redirectErrorStream(true).redirectOutput(tmp.resolve("chromedriver.log").toFile()).start();
        base = "http://127.0.0.1:" + port;
        String session = null;
        try {
            waitForDriver();
            JsonNode created = call("POST", "/session", Map.of("capabilities", Map.of("alwaysMatch", Map.of(
                    "browserName", "chrome",
                    "goog:chromeOptions", Map.of("binary", "/usr/bin/chromium", "args", List.of("--headless",
                            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                            "--disable-background-networking", "--disable-component-update", "--disable-sync",
                            "--no-first-run", "--window-size=1000,1000",
                            "--user-data-dir=" + tmp.resolve("profile")))))));
            session = created.path("value").path("sessionId").asText();
            String s = "/session/" + session;
            call("POST", s + "/url", Map.of("url", app.toString()));
            JsonNode found = call("POST", s + "/element", Map.of("using", "css selector", "value", "#file"));
            String input = found.path("value").path(ELEMENT).asText();
            assertTrue(!input.isEmpty(), "file input not found: " + found);
            Path photo = SharedData.dir().resolve("reference/n02112137_chow.JPEG").toAbsolutePath().normalize();
            call("POST", s + "/element/" + input + "/value", Map.of("text", photo.toString()));

            JsonNode rows = null;
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < until) {
                rows = call("POST", s + "/elements", Map.of("using", "css selector", "value", "tr.prediction"))
                        .path("value");
                if (rows.size() == 5) {
                    break;
                }
                Thread.sleep(200);
            }
            assertEquals(5, rows.size(), "the page must list the top-5");
            String first = call("GET", s + "/element/" + rows.get(0).path(ELEMENT).asText() + "/text", null)
                    .path("value").asText();
            assertTrue(first.matches("(?s).+\\d+\\.\\d%.*"), "a label and a percentage: " + first);
            String model = call("POST", s + "/element", Map.of("using", "css selector", "value", "#model"))
                    .path("value").path(ELEMENT).asText();
            String note = call("GET", s + "/element/" + model + "/text", null).path("value").asText();
            assertTrue(note.contains("resnet18"), note);
            String png = call("GET", s + "/screenshot", null).path("value").asText();
            Files.write(Path.of("target", "upload-page.png"), Base64.getDecoder().decode(png));
        } finally {
            if (session != null) {
                call("DELETE", "/session/" + session, null);
            }
            chromedriver.destroy();
            chromedriver.waitFor();
        }
    }

    private void waitForDriver() throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < until) {
            try {
                if (call("GET", "/status", null).path("value").path("ready").asBoolean()) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("chromedriver did not start: " + Files.readString(tmp.resolve("chromedriver.log")));
    }

    private JsonNode call(String method, String path, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = JSON.readTree(r.body());
        if (r.statusCode() != 200) {
            throw new AssertionError(method + " " + path + " -> " + r.statusCode() + ": " + r.body());
        }
        return json;
    }
}
