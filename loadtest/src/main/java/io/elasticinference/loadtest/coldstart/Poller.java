package io.elasticinference.loadtest.coldstart;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Polls a URL from inside this JVM until it answers 2xx. Measuring with spawned clients (curl in a shell loop) took
 * enough CPU on 2 cores to delay the very start being measured by ~0.4 s, so while the port is closed a poll is one
 * refused TCP connect, and HTTP is only spoken once something accepts.
 */
final class Poller {

    /** How a wait ended; times are System.nanoTime() values, -1 when not reached. */
    enum End { READY, EXITED, TIMED_OUT }

    record Result(End end, long portOpenNanos, long firstAnswerNanos, int firstAnswerStatus, long first2xxNanos,
                  int lastStatus, String lastError, int polls) {
    }

    private final URI url;
    private final InetSocketAddress address;
    private final HttpClient client;
    private final byte[] body;
    private final String contentType;
    private final long intervalNanos;

    /** A null body polls with GET (a hello world, a health endpoint). */
    Poller(URI url, byte[] body, String contentType, Duration interval) throws UnknownHostException {
        this.url = url;
        int port = url.getPort() >= 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
        // resolved once: a name lookup per poll would be the kind of cost this class exists to avoid
        this.address = new InetSocketAddress(InetAddress.getByName(url.getHost()), port);
        // HTTP/1.1 as curl and bench.py speak it; the default would first offer the server an h2c upgrade
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
        this.body = body;
        this.contentType = contentType;
        this.intervalNanos = interval.toNanos();
    }

    /**
     * Sends a few polls to a throwaway in-process server first: the first send of a fresh JVM's HTTP client took
     * 0.16-0.24 s here (class loading), which would otherwise be timed as part of COMMAND's start.
     */
    void warmUp() throws IOException, InterruptedException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try {
            URI local = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
            for (int i = 0; i < 20; i++) {
                client.send(request(local, Duration.ofSeconds(5).toNanos()), HttpResponse.BodyHandlers.discarding());
            }
        } finally {
            server.stop(0);
        }
    }

    /** The address polled, as host:port. */
    String hostPort() {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** True when something accepts a TCP connection at the URL's host and port. */
    boolean accepting() {
        if (address.getAddress().isLoopbackAddress()) {
            // A refused loopback connect returns at once, so no timeout is needed, and a blocking channel is the
            // cheapest probe found: ~0.4 ms CPU per poll at 5 ms on this 2-core machine, ~0.6 ms for a Socket with a
            // connect timeout (which adds a non-blocking connect and a poll).
            try (SocketChannel c = SocketChannel.open()) {
                c.connect(address);
                return true;
            } catch (IOException e) {
                return false;
            }
        }
        try (Socket s = new Socket()) {
            s.connect(address, 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits until connections are refused; false if they are still accepted after {@code bound}. */
    boolean awaitRefused(Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (accepting()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Polls every interval until a 2xx, the deadline, or {@code alive} turning false, whichever comes first. */
    Result awaitFirst2xx(long deadlineNanos, BooleanSupplier alive) throws InterruptedException {
        long portOpen = -1;
        long firstAnswer = -1;
        int firstStatus = -1;
        int lastStatus = -1;
        String lastError = "connection refused";
        int polls = 0;
        while (true) {
            long start = System.nanoTime();
            if (start - deadlineNanos >= 0) {
                return new Result(End.TIMED_OUT, portOpen, firstAnswer, firstStatus, -1, lastStatus, lastError,
                        polls);
            }
            if (!alive.getAsBoolean()) {
                return new Result(End.EXITED, portOpen, firstAnswer, firstStatus, -1, lastStatus, lastError, polls);
            }
            polls++;
            if (portOpen < 0 && accepting()) {
                portOpen = System.nanoTime();
            }
            if (portOpen >= 0) {
                try {
                    // a slow first answer is waited for, not abandoned: servers often hold requests while loading
                    HttpResponse<Void> r = client.send(request(url, Math.max(deadlineNanos - System.nanoTime(),
                            1_000_000)), HttpResponse.BodyHandlers.discarding());
                    long now = System.nanoTime();
                    lastStatus = r.statusCode();
                    if (firstAnswer < 0) {
                        firstAnswer = now;
                        firstStatus = lastStatus;
                    }
                    if (lastStatus / 100 == 2) {
                        return new Result(End.READY, portOpen, firstAnswer, firstStatus, now, lastStatus, null, polls);
                    }
                } catch (IOException e) {
                    lastError = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
                }
            }
            long sleep = Math.min(start + intervalNanos, deadlineNanos) - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            }
        }
    }

    private HttpRequest request(URI to, long timeoutNanos) {
        HttpRequest.Builder request = HttpRequest.newBuilder(to).timeout(Duration.ofNanos(timeoutNanos));
        return body == null ? request.GET().build()
                : request.header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }
}
