package io.elasticinference.loadtest.coldstart;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The poller against in-process servers: what it sends, when it stops, what it timed. */
class PollerTest {

    private static final byte[] BODY = "not really a jpeg".getBytes(StandardCharsets.UTF_8);

    @Test
    void answersBefore2xxCountAsFirstAnswerAndPollingGoesOnUntilThe2xx() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger requests = new AtomicInteger();
        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        server.createContext("/", exchange -> {
            bodies.add(exchange.getRequestBody().readAllBytes());
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + exchange.getRequestHeaders().getFirst("Content-Type"));
            exchange.sendResponseHeaders(requests.incrementAndGet() <= 2 ? 503 : 200, -1);
            exchange.close();
        });
        server.start();
        try {
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/predict");
            Poller poller = new Poller(url, BODY, "image/jpeg", Duration.ofMillis(5));
            assertTrue(poller.accepting());
            poller.warmUp();
            long t0 = System.nanoTime();
            Poller.Result r = poller.awaitFirst2xx(t0 + 10_000_000_000L, () -> true);
            assertEquals(Poller.End.READY, r.end());
            assertEquals(503, r.firstAnswerStatus());
            assertEquals(200, r.lastStatus());
            assertEquals(3, r.polls());
            assertTrue(t0 < r.portOpenNanos() && r.portOpenNanos() <= r.firstAnswerNanos()
                    && r.firstAnswerNanos() < r.first2xxNanos(), r.toString());
            // the 2xx poll waited its interval after the one before (sleeps round to the ms, hence 4 not 5)
            assertTrue(r.first2xxNanos() - r.firstAnswerNanos() >= 4_000_000L, r.toString());
            assertEquals(3, bodies.size());
            for (byte[] b : bodies) {
                assertArrayEquals(BODY, b);
            }
            assertEquals("POST /predict image/jpeg", seen.get(0));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aClosedPortIsPolledUntilTheDeadlineWithoutHttp() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Poller poller = new Poller(URI.create("http://127.0.0.1:" + port + "/"), BODY, "image/jpeg",
                Duration.ofMillis(10));
        assertFalse(poller.accepting());
        long t0 = System.nanoTime();
        Poller.Result r = poller.awaitFirst2xx(t0 + 300_000_000L, () -> true);
        long took = System.nanoTime() - t0;
        assertEquals(Poller.End.TIMED_OUT, r.end());
        assertEquals(-1, r.portOpenNanos());
        assertEquals(-1, r.lastStatus());
        assertTrue(took >= 300_000_000L && took < 2_000_000_000L, "took " + took);
        // every 10 ms for 0.3 s: about 30 polls, not a busy loop
        assertTrue(r.polls() >= 10 && r.polls() <= 40, "polls " + r.polls());
    }

    @Test
    void aDeadChildEndsTheWaitAtOnce() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Poller poller = new Poller(URI.create("http://127.0.0.1:" + port + "/"), BODY, "image/jpeg",
                Duration.ofMillis(5));
        AtomicInteger checks = new AtomicInteger();
        Poller.Result r = poller.awaitFirst2xx(System.nanoTime() + 10_000_000_000L,
                () -> checks.incrementAndGet() < 4);
        assertEquals(Poller.End.EXITED, r.end());
        assertEquals(3, r.polls());
    }
}
