package io.elasticinference.autoscaler.controller.metrics;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Scrapes the function's metrics straight from each ready pod, all pods at once with a short timeout: one slow pod
 * costs one timeout, not one per pod, and a failed scrape simply leaves the pod out (the window is then missing).
 */
public final class PodScraper implements MetricsSource {

    /** The function's histogram bounds (docs/metrics.md), to round the objective down to a bucket. */
    public static final double[] BUCKETS = {0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.075, 0.1, 0.125,
        0.15, 0.175, 0.2, 0.25, 0.3, 0.33, 0.4, 0.5, 0.6, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0};

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    private final int port;
    private final String path;
    private final Duration timeout;
    private final Semaphore inFlight;

    /**
     * @param maxConcurrent scrapes in flight at once over all revisions: bounds the sockets and threads a large
     *                      cluster can make the controller hold
     */
    public PodScraper(int port, String path, Duration timeout, int maxConcurrent) {
        this.port = port;
        this.path = path;
        this.timeout = timeout;
        this.inFlight = new Semaphore(maxConcurrent);
    }

    @Override
    public Collected collect(String namespace, List<Pod> pods, double objectiveS) {
        Map<String, CompletableFuture<PodSample>> pending = new HashMap<>();
        for (Pod p : pods) {
            URI uri = URI.create("http://" + p.ip() + ":" + port + path);
            try {
                if (!inFlight.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    continue; // no slot within a scrape timeout: the pod counts as not scraped this tick
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            pending.put(p.name(), http.sendAsync(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                            HttpResponse.BodyHandlers.ofString())
                    .thenApply(r -> r.statusCode() == 200
                            ? PodSample.of(PrometheusText.parse(r.body()), objectiveS, BUCKETS) : null)
                    .exceptionally(e -> null)
                    .whenComplete((s, e) -> inFlight.release()));
        }
        Map<String, PodSample> out = new HashMap<>();
        for (Map.Entry<String, CompletableFuture<PodSample>> e : pending.entrySet()) {
            PodSample s = e.getValue().join();
            if (s != null) {
                out.put(e.getKey(), s);
            }
        }
        return new Collected(out, 0);
    }
}
