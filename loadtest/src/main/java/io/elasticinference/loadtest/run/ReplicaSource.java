package io.elasticinference.loadtest.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.elasticinference.loadtest.record.ClusterSample;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Ready replicas over time from a Prometheus server's HTTP API (an instant query once a second), for the replicas
 * plot and the cost columns of a real run. A failed query leaves a gap (unknown), never a zero.
 */
public final class ReplicaSource implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI queryUri;
    private final DoubleSupplier clock;
    private final List<ClusterSample> samples = new ArrayList<>();
    private final Thread poller;
    private volatile boolean running = true;

    public ReplicaSource(String prometheusUrl, String query, DoubleSupplier clock) {
        String base = prometheusUrl.endsWith("/") ? prometheusUrl : prometheusUrl + "/";
        this.queryUri = URI.create(base + "api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
        this.clock = clock;
        this.poller = new Thread(this::poll, "replica-source");
        this.poller.setDaemon(true);
    }

    public void start() {
        poller.start();
    }

    private void poll() {
        while (running) {
            double t = clock.getAsDouble();
            int ready = queryOnce();
            synchronized (samples) {
                samples.add(new ClusterSample(t, ClusterSample.UNKNOWN, ready, ClusterSample.UNKNOWN,
                        ClusterSample.UNKNOWN, ClusterSample.UNKNOWN));
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The query's value rounded to whole replicas, or UNKNOWN. */
    int queryOnce() {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(queryUri).timeout(Duration.ofSeconds(2))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return ClusterSample.UNKNOWN;
            }
            JsonNode result = JSON.readTree(r.body()).path("data").path("result");
            if (!result.isArray() || result.isEmpty()) {
                return ClusterSample.UNKNOWN;
            }
            double sum = 0;
            for (JsonNode series : result) {
                sum += Double.parseDouble(series.path("value").get(1).asText());
            }
            return (int) Math.round(sum);
        } catch (Exception e) {
            return ClusterSample.UNKNOWN;
        }
    }

    public List<ClusterSample> samples() {
        synchronized (samples) {
            return new ArrayList<>(samples);
        }
    }

    @Override
    public void close() {
        running = false;
        poller.interrupt();
    }
}
