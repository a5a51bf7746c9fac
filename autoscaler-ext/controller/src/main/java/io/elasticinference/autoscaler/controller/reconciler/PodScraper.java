package io.elasticinference.autoscaler.controller.reconciler;

import io.elasticinference.autoscaler.controller.metrics.PodSample;
import io.elasticinference.autoscaler.controller.metrics.PrometheusText;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Scrapes the function's metrics straight from each ready pod, all pods at once with a short timeout: one slow pod
 * costs one timeout, not one per pod, and a failed scrape simply leaves the pod out (the window is then missing).
 */
final class PodScraper {

    /** The function's histogram bounds (docs/metrics.md), to round the objective down to a bucket. */
    static final double[] BUCKETS = {0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.075, 0.1, 0.125,
        0.15, 0.175, 0.2, 0.25, 0.3, 0.33, 0.4, 0.5, 0.6, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0};

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

    /** A pod to scrape: its name and address. */
    record Target(String pod, String ip) {
    }

    Map<String, PodSample> scrape(List<Target> targets, int port, String path, Duration timeout, double objectiveS) {
        Map<String, CompletableFuture<PodSample>> pending = new HashMap<>();
        for (Target t : targets) {
            URI uri = URI.create("http://" + t.ip() + ":" + port + path);
            pending.put(t.pod(), http.sendAsync(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                            HttpResponse.BodyHandlers.ofString())
                    .thenApply(r -> r.statusCode() == 200
                            ? PodSample.of(PrometheusText.parse(r.body()), objectiveS, BUCKETS) : null)
                    .exceptionally(e -> null));
        }
        Map<String, PodSample> out = new HashMap<>();
        for (Map.Entry<String, CompletableFuture<PodSample>> e : pending.entrySet()) {
            PodSample s = e.getValue().join();
            if (s != null) {
                out.put(e.getKey(), s);
            }
        }
        return out;
    }
}
