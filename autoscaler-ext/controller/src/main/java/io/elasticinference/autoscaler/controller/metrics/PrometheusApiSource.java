package io.elasticinference.autoscaler.controller.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Reads the function's metrics from a Prometheus server's HTTP API instead of scraping the pods: one instant query
 * for the series of the revision's ready pods, one for when each pod was last scraped. The values are the same
 * cumulative counters and gauges a direct scrape gives, only as old as Prometheus' scrape interval; the age is
 * reported so the window measures time between scrapes, not between ticks. A pod whose samples are older than
 * {@code maxAge} (its scrapes fail, or Prometheus lags) is left out, and with it the tick is missing: the policy holds.
 */
public final class PrometheusApiSource implements MetricsSource {

    private static final Logger LOG = Logger.getLogger(PrometheusApiSource.class);

    /** Series the policy reads (docs/metrics.md). */
    static final List<String> SERIES = List.of("inference_requests_total", "inference_request_duration_seconds_bucket",
            "inference_request_duration_seconds_count", "inference_model_duration_seconds_sum",
            "inference_model_thread_seconds_total", "inference_model_threads", "inference_batch_size_sum",
            "inference_inflight_requests", "inference_queued_requests");
    /** The function's own labels; everything else on a series (pod, namespace, job, instance...) is Prometheus'. */
    static final Set<String> FUNCTION_LABELS = Set.of("outcome", "le");

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http;
    private final URI queryUri;
    private final String podLabel;
    private final String namespaceLabel;
    private final Duration timeout;
    private final double maxAgeS;
    private volatile boolean failing;

    public PrometheusApiSource(URI prometheus, String podLabel, String namespaceLabel, Duration timeout,
                               Duration maxAge) {
        this.queryUri = prometheus.resolve("/api/v1/query");
        this.podLabel = podLabel;
        this.namespaceLabel = namespaceLabel;
        this.timeout = timeout;
        this.maxAgeS = maxAge.toMillis() / 1000.0;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public Collected collect(String namespace, List<Pod> pods, double objectiveS) {
        if (pods.isEmpty()) {
            return Collected.none();
        }
        String selector = namespaceLabel + "=\"" + namespace + "\"," + podLabel + "=~\""
                + pods.stream().map(p -> java.util.regex.Pattern.quote(p.name()).replace("\\", "\\\\"))
                .collect(Collectors.joining("|")) + "\"";
        try {
            JsonNode values = query("{__name__=~\"" + String.join("|", SERIES) + "\"," + selector + "}");
            JsonNode scraped = query("timestamp(inference_requests_total{outcome=\"ok\"," + selector + "})");
            if (values == null || scraped == null) {
                return failed("it answered with an error");
            }
            if (failing) {
                failing = false;
                LOG.infof("Prometheus at %s answers again", queryUri);
            }
            return toSamples(values, scraped, objectiveS);
        } catch (IOException e) {
            return failed(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Collected.none();
        }
    }

    /** Logged once when queries start failing (every revision then holds its scale), not once per tick. */
    private Collected failed(String why) {
        if (!failing) {
            failing = true;
            LOG.warnf("Prometheus at %s cannot be queried (%s): revisions hold their scale until it answers",
                    queryUri, why);
        }
        return Collected.none();
    }

    /** The result of an instant query (the "data" object), or null when Prometheus answered with an error. */
    private JsonNode query(String promql) throws IOException, InterruptedException {
        URI uri = URI.create(queryUri + "?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            return null;
        }
        JsonNode body = json.readTree(r.body());
        return "success".equals(body.path("status").asText()) ? body.path("data") : null;
    }

    /**
     * Groups the series by pod into the exposition's form ({@code name{outcome="ok",le="0.33"}}) that
     * {@link PodSample#of} reads, and drops pods whose last scrape is older than the allowed age.
     *
     * @param values  data of the series query
     * @param scraped data of the timestamp query: per pod, when it was last scraped (evaluation time alongside)
     */
    Collected toSamples(JsonNode values, JsonNode scraped, double objectiveS) {
        Map<String, Double> ageByPod = new HashMap<>();
        for (JsonNode r : scraped.path("result")) {
            String pod = r.path("metric").path(podLabel).asText(null);
            JsonNode v = r.path("value");
            if (pod != null && v.size() == 2) {
                double evaluatedAt = v.get(0).asDouble();
                double scrapedAt = Double.parseDouble(v.get(1).asText());
                ageByPod.merge(pod, Math.max(0, evaluatedAt - scrapedAt), Math::max);
            }
        }
        Map<String, Map<String, Double>> byPod = new HashMap<>();
        for (JsonNode r : values.path("result")) {
            JsonNode metric = r.path("metric");
            String pod = metric.path(podLabel).asText(null);
            JsonNode v = r.path("value");
            if (pod == null || v.size() != 2) {
                continue;
            }
            try {
                byPod.computeIfAbsent(pod, k -> new HashMap<>()).put(seriesKey(metric),
                        Double.parseDouble(v.get(1).asText()));
            } catch (NumberFormatException e) {
                // one odd value must not throw the pod's other series away; PodSample refuses the pod if it matters
            }
        }
        Map<String, PodSample> samples = new HashMap<>();
        double oldest = 0;
        for (Map.Entry<String, Map<String, Double>> e : byPod.entrySet()) {
            Double age = ageByPod.get(e.getKey());
            if (age == null || age > maxAgeS) {
                continue;
            }
            PodSample s = PodSample.of(PrometheusText.of(e.getValue()), objectiveS, PodScraper.BUCKETS);
            if (s != null) {
                samples.put(e.getKey(), s);
                oldest = Math.max(oldest, age);
            }
        }
        return new Collected(samples, oldest);
    }

    /**
     * The series as the function's exposition writes it: only its own labels, sorted by name with {@code le} last,
     * and bucket bounds written the way {@link PodSample} looks them up ("1.0", not Prometheus 3's "1").
     */
    static String seriesKey(JsonNode metric) {
        String name = metric.path("__name__").asText();
        Map<String, String> labels = new TreeMap<>();
        String le = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = metric.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> l = it.next();
            if (!FUNCTION_LABELS.contains(l.getKey())) {
                continue;
            }
            if ("le".equals(l.getKey())) {
                le = l.getValue().asText();
            } else {
                labels.put(l.getKey(), l.getValue().asText());
            }
        }
        List<String> parts = new ArrayList<>();
        labels.forEach((k, v) -> parts.add(k + "=\"" + v + "\""));
        if (le != null) {
            parts.add("le=\"" + ("+Inf".equals(le) ? le : PodSample.format(Double.parseDouble(le))) + "\"");
        }
        return parts.isEmpty() ? name : name + "{" + String.join(",", parts) + "}";
    }
}
