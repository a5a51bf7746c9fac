package io.elasticinference.autoscaler.controller.reconciler;

import io.elasticinference.autoscaler.controller.metrics.MetricsSource;
import io.elasticinference.autoscaler.controller.metrics.PodSample;
import io.elasticinference.autoscaler.controller.metrics.PodScraper;
import io.elasticinference.autoscaler.policy.latency.LatencyDecision;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The tick's bookkeeping between a metrics source and the policy. */
class RevisionScalingTest {

    /** A pod that has answered {@code requests} requests, all fast. */
    private static PodSample pod(double requests) {
        double[] buckets = new double[PodScraper.BUCKETS.length + 1];
        java.util.Arrays.fill(buckets, requests);
        return new PodSample(requests, requests, 0, requests * 0.015, requests, 1, 0, buckets);
    }

    @Test
    void samplesSeenAgainThroughPrometheusAreNotReadAsAWindowWithoutTraffic() {
        RevisionScaling scaling = new RevisionScaling(Map.of(), 0.33, 99, 0);
        // 50 req/s; Prometheus scrapes every 4 s, the controller ticks every 2 s: every other tick sees the same
        // samples again, 2 s older
        LatencyDecision last = null;
        for (int tick = 0; tick <= 30; tick++) {
            double now = 2.0 * tick;
            double scrapedAt = 4.0 * Math.floor(now / 4.0);
            MetricsSource.Collected c = new MetricsSource.Collected(Map.of("p1", pod(50 * scrapedAt)),
                    now - scrapedAt);
            last = scaling.decide(now, c, 1, 0, 1);
        }
        // read as alternating windows of 100/s and 0/s the level would sit at 50 only on average, and the 0-windows
        // would drag the forecast and the scale-down hold around; read by scrape time it is 50 throughout
        assertEquals(50, last.forecastRate(), 1.0, last.toString());
    }

    @Test
    void aDirectScrapeIsObservedEveryTick() {
        RevisionScaling scaling = new RevisionScaling(Map.of(), 0.33, 99, 0);
        LatencyDecision last = null;
        for (int tick = 0; tick <= 10; tick++) {
            double now = 2.0 * tick;
            last = scaling.decide(now, new MetricsSource.Collected(Map.of("p1", pod(30 * now)), 0), 1, 0, 1);
        }
        assertEquals(30, last.forecastRate(), 1.0, last.toString());
    }
}
