package io.elasticinference.function.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JVM image's AOT cache, recorded by the same script Dockerfile.jvm runs, on the JDK 25 of this machine: the
 * script must leave a cache, and the function must start with it under {@code -XX:AOTMode=on}, which refuses to run
 * rather than silently ignore a cache that does not fit.
 */
class AotCacheIT {

    private static final Path APP = Path.of("target", "quarkus-app");
    private static final Path SCRIPT = Path.of("src", "main", "docker", "train-aot-cache.sh");
    private static final Path IMAGE = Path.of("src", "main", "docker", "training.jpg");

    @Test
    void theTrainingScriptRecordsACacheTheFunctionStartsWith() throws Exception {
        Path java = jdk25().orElse(null);
        if (java == null) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("no JDK 25 under /usr/lib/jvm (set JDK25 to its java)");
            }
            Assumptions.abort("no JDK 25 under /usr/lib/jvm: set JDK25 to a JDK 25 java to run this test");
        }
        Path cache = Files.createTempDirectory("aot").resolve("app.aot");
        Path trainLog = Files.createTempFile("train", ".log");
        Process train = new ProcessBuilder("bash", SCRIPT.toString(), java.toString(), APP.toString(),
                cache.toString(), IMAGE.toString(), "3")
                .redirectErrorStream(true).redirectOutput(trainLog.toFile()).start();
        train.getOutputStream().close();
        assertTrue(train.waitFor(180, TimeUnit.SECONDS), "training did not finish: " + Files.readString(trainLog));
        assertEquals(0, train.exitValue(), Files.readString(trainLog));
        assertTrue(Files.size(cache) > 0, "no cache written");

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = Files.createTempFile("function-aot", ".log");
        Process function = new ProcessBuilder(java.toString(), "-XX:AOTMode=on", "-XX:AOTCache=" + cache.toAbsolutePath(),
                "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1", "-jar", "quarkus-run.jar")
                .directory(APP.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            HttpResponse<String> answer = null;
            while (answer == null || answer.statusCode() != 200) {
                assertTrue(function.isAlive(), "the function refused its AOT cache: " + Files.readString(log));
                assertTrue(System.nanoTime() < deadline, Files.readString(log));
                try {
                    answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/predict"))
                            .header("Content-Type", "image/jpeg")
                            .POST(HttpRequest.BodyPublishers.ofFile(IMAGE)).build(),
                            HttpResponse.BodyHandlers.ofString());
                } catch (IOException e) {
                    Thread.sleep(50); // not listening yet
                }
            }
            assertTrue(answer.body().contains("\"predictions\""), answer.body());
        } finally {
            function.destroy();
            function.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static Optional<Path> jdk25() throws IOException {
        String configured = System.getenv("JDK25");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured));
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(jvms)) {
            List<Path> found = dirs.filter(d -> d.getFileName().toString().matches(".*-25([.-].*)?"))
                    .map(d -> d.resolve("bin").resolve("java")).filter(Files::isExecutable)
                    .sorted(Comparator.reverseOrder()).toList();
            return found.stream().findFirst();
        }
    }
}
