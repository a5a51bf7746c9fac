package io.elasticinference.autoscaler.controller.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Prometheus metrics source against a real Prometheus server (Debian's package) that scrapes two fake pods
 * serving the function's exposition format: the source must give exactly what a direct scrape of each pod gives.
 */
class PrometheusApiSourceTest {

    private static final double OBJECTIVE = 0.33;

    @TempDir
    Path tmp;
    private final List<HttpServer> pods = new ArrayList<>();
    private final Map<String, String> exposition = new ConcurrentHashMap<>();
    private Process prometheus;

    @AfterEach
    void stop() throws InterruptedException {
        pods.forEach(s -> s.stop(0));
        if (prometheus != null) {
            prometheus.destroy();
            prometheus.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void givesWhatEachPodExposesAndDropsAPodWhoseScrapesFail() throws Exception {
        Path binary = Path.of("/usr/bin/prometheus");
        if (!Files.isExecutable(binary)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("prometheus is missing: apt-get install prometheus");
            }
            Assumptions.abort("prometheus is not installed (apt-get install prometheus)");
        }
        exposition.put("rev-a-1", functionMetrics(120, 3, 40, 2.5, 118, 4, 1));
        exposition.put("rev-a-2", functionMetrics(80, 0, 2, 1.1, 79, 1, 0));
        exposition.put("other-1", functionMetrics(7, 0, 0, 0.1, 7, 0, 0));
        StringBuilder config = new StringBuilder("global:\n  scrape_interval: 1s\nscrape_configs:\n"
                + "  - job_name: function\n    metrics_path: /q/metrics\n    static_configs:\n");
        for (String pod : List.of("rev-a-1", "rev-a-2", "other-1")) {
            config.append("      - targets: ['127.0.0.1:").append(servePod(pod)).append("']\n")
                    .append("        labels: {pod: ").append(pod).append(", namespace: ns1}\n");
        }
        Files.writeString(tmp.resolve("prometheus.yml"), config);
        int port = freePort();
        prometheus = new ProcessBuilder(binary.toString(), "--config.file=" + tmp.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + tmp.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile()).start();

        PrometheusApiSource source = new PrometheusApiSource(URI.create("http://127.0.0.1:" + port), "pod",
                "namespace", Duration.ofSeconds(2), Duration.ofSeconds(5));
        List<MetricsSource.Pod> revision = List.of(new MetricsSource.Pod("rev-a-1", "10.0.0.1"),
                new MetricsSource.Pod("rev-a-2", "10.0.0.2"));
        MetricsSource.Collected got = await(() -> source.collect("ns1", revision, OBJECTIVE),
                c -> c.samples().size() == 2);
        assertEquals(Map.of("rev-a-1", 0, "rev-a-2", 0).keySet(), got.samples().keySet(),
                "only the revision's pods, not other-1");
        for (String pod : List.of("rev-a-1", "rev-a-2")) {
            assertSameSample(direct(pod), got.samples().get(pod));
        }
        assertTrue(got.ageS() >= 0 && got.ageS() < 5, "age " + got.ageS());
        assertTrue(source.collect("ns2", revision, OBJECTIVE).samples().isEmpty(), "another namespace's pods");

        // rev-a-2's scrapes start failing: once its samples are older than the allowed age it is left out
        exposition.remove("rev-a-2");
        MetricsSource.Collected later = await(() -> source.collect("ns1", revision, OBJECTIVE),
                c -> c.samples().size() == 1);
        assertTrue(later.samples().containsKey("rev-a-1"), later.toString());

        prometheus.destroy();
        prometheus.waitFor(10, TimeUnit.SECONDS);
        assertTrue(source.collect("ns1", revision, OBJECTIVE).samples().isEmpty(), "Prometheus down: no samples");
    }

    @Test
    void bucketBoundsAreReadTheWayTheFunctionWritesThem() throws Exception {
        ObjectMapper json = new ObjectMapper();
        // Prometheus 3 writes classic-histogram bounds as canonical floats ("1", not "1.0"); target labels go
        assertEquals("inference_request_duration_seconds_bucket{outcome=\"ok\",le=\"1.0\"}",
                PrometheusApiSource.seriesKey(json.readTree("""
                        {"__name__": "inference_request_duration_seconds_bucket", "le": "1", "outcome": "ok",
                         "pod": "p", "namespace": "n", "job": "function", "instance": "10.0.0.1:8080"}""")));
        assertEquals("inference_inflight_requests", PrometheusApiSource.seriesKey(json.readTree("""
                {"__name__": "inference_inflight_requests", "pod": "p"}""")));
    }

    private PodSample direct(String pod) {
        return PodSample.of(PrometheusText.parse(exposition.get(pod)), OBJECTIVE, PodScraper.BUCKETS);
    }

    private static void assertSameSample(PodSample want, PodSample got) {
        assertTrue(got != null, "no sample");
        assertEquals(want.requests(), got.requests(), 1e-9);
        assertEquals(want.answered(), got.answered(), 1e-9);
        assertEquals(want.overObjective(), got.overObjective(), 1e-9);
        assertEquals(want.modelSeconds(), got.modelSeconds(), 1e-9);
        assertEquals(want.modelImages(), got.modelImages(), 1e-9);
        assertEquals(want.inFlight(), got.inFlight(), 1e-9);
        assertEquals(want.queued(), got.queued(), 1e-9);
        assertArrayEquals(want.okBuckets(), got.okBuckets(), 1e-9);
    }

    /** A pod's exposition as the function writes it (docs/metrics.md), with ok latencies spread over the buckets. */
    private static String functionMetrics(int ok, int rejected, int overObjective, double modelSeconds,
                                          int images, int inFlight, int queued) {
        StringBuilder b = new StringBuilder();
        b.append("# TYPE inference_requests_total counter\n");
        b.append("inference_requests_total{outcome=\"ok\"} ").append(ok).append(".0\n");
        b.append("inference_requests_total{outcome=\"rejected\"} ").append(rejected).append(".0\n");
        b.append("inference_requests_total{outcome=\"server_error\"} 0.0\n");
        b.append("inference_requests_total{outcome=\"client_error\"} 2.0\n");
        b.append("# TYPE inference_request_duration_seconds histogram\n");
        double[] bounds = PodScraper.BUCKETS;
        for (double bound : bounds) {
            // within the objective: all but overObjective, reached evenly; beyond it: the rest by 10 s
            long within = bound <= OBJECTIVE ? Math.round((ok - overObjective) * Math.min(1, bound / OBJECTIVE))
                    : ok - overObjective + Math.round(overObjective * Math.min(1, (bound - OBJECTIVE) / 9.67));
            b.append("inference_request_duration_seconds_bucket{outcome=\"ok\",le=\"").append(bound).append("\"} ")
                    .append(within).append(".0\n");
        }
        b.append("inference_request_duration_seconds_bucket{outcome=\"ok\",le=\"+Inf\"} ").append(ok).append(".0\n");
        b.append("inference_request_duration_seconds_count{outcome=\"ok\"} ").append(ok).append(".0\n");
        b.append("inference_request_duration_seconds_sum{outcome=\"ok\"} 3.5\n");
        b.append("inference_model_duration_seconds_count ").append(images / 2).append(".0\n");
        b.append("inference_model_duration_seconds_sum ").append(modelSeconds).append('\n');
        // Lone runs on two threads make thread-seconds exceed wall time: the source must carry both series through.
        b.append("inference_model_thread_seconds_total ").append(modelSeconds * 1.5).append('\n');
        b.append("inference_model_threads 1.0\n");
        b.append("inference_batch_size_count ").append(images / 2).append(".0\n");
        b.append("inference_batch_size_sum ").append(images).append(".0\n");
        b.append("inference_inflight_requests ").append(inFlight).append(".0\n");
        b.append("inference_queued_requests ").append(queued).append(".0\n");
        return b.toString();
    }

    private int servePod(String pod) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/q/metrics", exchange -> {
            String text = exposition.get(pod);
            byte[] body = (text == null ? "gone" : text).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(text == null ? 500 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        pods.add(server);
        return server.getAddress().getPort();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private MetricsSource.Collected await(java.util.function.Supplier<MetricsSource.Collected> collect,
                                          Predicate<MetricsSource.Collected> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        MetricsSource.Collected last = null;
        while (System.nanoTime() < deadline) {
            last = collect.get();
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("not reached in 30 s; last: " + last + "\n"
                + Files.readString(tmp.resolve("prometheus.log")));
    }
}
