package io.elasticinference.function.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged function started as a process: a free port for it, and its first answered prediction. */
final class FirstPrediction {

    private static final long TIMEOUT_SECONDS = 60;

    private FirstPrediction() {
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * Posts {@code image} to the function's /predict until it answers 200, and returns that answer; fails with the
     * function's log (after {@code diedMessage} if the process exits first) or after a minute.
     */
    static HttpResponse<String> await(Process function, int port, Path image, Path log, String diedMessage)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        HttpResponse<String> answer = null;
        while (answer == null || answer.statusCode() != 200) {
            assertTrue(function.isAlive(), diedMessage + Files.readString(log));
            assertTrue(System.nanoTime() < deadline, Files.readString(log));
            try {
                answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/predict"))
                        .header("Content-Type", "image/jpeg").POST(HttpRequest.BodyPublishers.ofFile(image))
                        .build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                Thread.sleep(50); // not listening yet
            }
        }
        return answer;
    }
}
