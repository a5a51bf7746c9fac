package io.elasticinference.autoscaler.controller.metrics;

import io.elasticinference.autoscaler.policy.latency.LatencyObservation;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ObservationWindowTest {

    static final double[] BUCKETS = {0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.075, 0.1, 0.125,
        0.15, 0.175, 0.2, 0.25, 0.3, 0.33, 0.4, 0.5, 0.6, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0};

    /** A real scrape of the function after 5 predictions and one 415 (captured from the running service). */
    static String realScrape() throws IOException {
        try (InputStream in = ObservationWindowTest.class.getResourceAsStream(
                "/scrapes/function-after-5-predictions.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsTheFunctionsOwnScrape() throws IOException {
        PodSample s = PodSample.of(PrometheusText.parse(realScrape()), 0.33, BUCKETS);
        assertEquals(6, s.requests(), "5 ok + 1 client error");
        assertEquals(5, s.answered(), "client mistakes are not the server's latency");
        assertEquals(5, s.modelImages());
        assertTrue(s.modelSeconds() > 0 && s.modelSeconds() < 5);
        assertTrue(s.overObjective() >= 0 && s.overObjective() <= 5);
        assertEquals(0, s.inFlight());
        assertEquals(0, s.queued());
    }

    @Test
    void somethingElsesMetricsAreNotASample() {
        assertNull(PodSample.of(PrometheusText.parse("# HELP x\nprocess_cpu_seconds_total 12.5\n"), 0.33, BUCKETS));
    }

    @Test
    void objectiveBetweenBucketsCountsConservatively() {
        String text = """
                inference_requests_total{outcome="ok"} 10.0
                inference_requests_total{outcome="rejected"} 1.0
                inference_requests_total{outcome="server_error"} 0.0
                inference_requests_total{outcome="client_error"} 2.0
                inference_request_duration_seconds_count{outcome="ok"} 10.0
                inference_request_duration_seconds_bucket{outcome="ok",le="0.3"} 7.0
                inference_request_duration_seconds_bucket{outcome="ok",le="0.33"} 8.0
                inference_model_duration_seconds_sum 0.2
                inference_batch_size_sum 10.0
                inference_inflight_requests 2.0
                inference_queued_requests 3.0
                """;
        PodSample at = PodSample.of(PrometheusText.parse(text), 0.33, BUCKETS);
        assertEquals(2 + 1, at.overObjective(), 1e-9);
        PodSample between = PodSample.of(PrometheusText.parse(text), 0.32, BUCKETS);
        assertEquals(3 + 1, between.overObjective(), 1e-9, "0.32 s rounds down to the 0.3 s bucket");
        assertEquals(13, at.requests());
    }

    @Test
    void modelTimeIsTheSharedSessionsWhereTheFunctionReportsThreadSeconds() {
        // 10 images: 6 lone runs on 2 threads (12 ms each) and 4 shared runs on 1 thread (22 ms each).
        String common = """
                inference_requests_total{outcome="ok"} 10.0
                inference_requests_total{outcome="rejected"} 0.0
                inference_requests_total{outcome="server_error"} 0.0
                inference_request_duration_seconds_count{outcome="ok"} 10.0
                inference_request_duration_seconds_bucket{outcome="ok",le="0.33"} 10.0
                inference_model_duration_seconds_sum 0.16
                inference_batch_size_sum 10.0
                inference_inflight_requests 0.0
                inference_queued_requests 0.0
                """;
        PodSample older = PodSample.of(PrometheusText.parse(common), 0.33, BUCKETS);
        assertEquals(0.16, older.modelSeconds(), 1e-9, "a function without thread-seconds: its wall time");
        PodSample withThreads = PodSample.of(PrometheusText.parse(common + """
                inference_model_thread_seconds_total 0.232
                inference_model_threads 1.0
                """), 0.33, BUCKETS);
        assertEquals(0.232, withThreads.modelSeconds(), 1e-9,
                "lone runs count at the cost they would have on the shared session");
        PodSample twoThreadRuns = PodSample.of(PrometheusText.parse(common + """
                inference_model_thread_seconds_total 0.32
                inference_model_threads 2.0
                """), 0.33, BUCKETS);
        assertEquals(0.16, twoThreadRuns.modelSeconds(), 1e-9, "runs on 2 threads each: their wall time again");
    }

    static PodSample sample(double requests, double over, double calls, double queued) {
        return new PodSample(requests, requests, over, calls * 0.015, calls, 1, queued, new double[BUCKETS.length + 1]);
    }

    @Test
    void deltasOverPodsWithRestartsAndNewPods() {
        ObservationWindow w = new ObservationWindow(BUCKETS, 0.99);
        assertTrue(w.next(0, Map.of("a", sample(100, 0, 100, 0)), 1, 0).isMissing(), "no window yet");
        LatencyObservation o = w.next(2, Map.of("a", sample(160, 3, 160, 0), "b", sample(5, 0, 5, 0)), 2, 0);
        assertFalse(o.isMissing());
        assertEquals(2, o.windowS());
        assertEquals(60, o.arrivals(), "pod b is new: its counters cover its life, not the window");
        assertEquals(3, o.overObjective());
        assertEquals(60 * 0.015, o.serviceDemandS(), 1e-9);
        o = w.next(4, Map.of("a", sample(10, 0, 10, 4), "b", sample(25, 1, 25, 0)), 2, 0);
        assertEquals(10 + 20, o.arrivals(), "a restarted: its new count is the delta");
        assertEquals(4, o.queued());
        assertEquals(2 + 4, o.inFlight(), "in flight counts the queued too");
    }

    @Test
    void aPodThatCouldNotBeScrapedMakesTheWindowMissing() {
        ObservationWindow w = new ObservationWindow(BUCKETS, 0.99);
        w.next(0, Map.of("a", sample(0, 0, 0, 0), "b", sample(0, 0, 0, 0)), 2, 0);
        assertTrue(w.next(2, Map.of("a", sample(50, 0, 50, 0)), 2, 0).isMissing(),
                "partial data must not read as less load");
        assertTrue(w.next(4, Map.of(), 2, 0).isMissing());
    }

    /** Cumulative ok-bucket counts for {@code fast} requests at 20 ms and {@code slow} at 400 ms. */
    static double[] buckets(double fast, double slow) {
        double[] b = new double[BUCKETS.length + 1];
        for (int i = 0; i < BUCKETS.length; i++) {
            b[i] = (BUCKETS[i] >= 0.02 ? fast : 0) + (BUCKETS[i] >= 0.4 ? slow : 0);
        }
        b[BUCKETS.length] = fast + slow;
        return b;
    }

    static PodSample withLatencies(double fast, double slow) {
        double n = fast + slow;
        return new PodSample(n, n, slow, n * 0.015, n, 0, 0, buckets(fast, slow));
    }

    @Test
    void observedQuantileComesFromTheWindowsBucketDeltasOverAllPods() {
        ObservationWindow w = new ObservationWindow(BUCKETS, 0.99);
        w.next(0, Map.of("a", withLatencies(1000, 500), "b", withLatencies(0, 0)), 2, 0);
        assertTrue(Double.isNaN(w.observedQuantileS()), "no window yet");
        // In the window: a served 100 fast, b 96 fast and 4 slow: the 99th percentile (rank 198) is the second of
        // the four in the slow requests' bucket (0.33, 0.4]: Prometheus' interpolation puts it mid-bucket.
        w.next(2, Map.of("a", withLatencies(1100, 500), "b", withLatencies(96, 4)), 2, 0);
        assertEquals(0.33 + (0.4 - 0.33) * 0.5, w.observedQuantileS(), 1e-9,
                "the 500 slow requests before the window must not count");
        w.next(4, Map.of("a", withLatencies(1200, 500), "b", withLatencies(196, 4)), 2, 0);
        assertEquals(0.015 + 0.005 * 0.99, w.observedQuantileS(), 1e-9, "all 200 fast: inside (0.015, 0.02]");
        w.next(6, Map.of("a", withLatencies(1200, 500), "b", withLatencies(196, 4)), 2, 0);
        assertTrue(Double.isNaN(w.observedQuantileS()), "no traffic, no latency");
        w.next(8, Map.of("a", withLatencies(1300, 500)), 2, 0);
        assertTrue(Double.isNaN(w.observedQuantileS()), "a missing pod: no estimate");
    }
}
