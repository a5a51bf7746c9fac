package io.elasticinference.autoscaler.controller.metrics;

import java.util.List;
import java.util.Map;

/**
 * Where a revision's function metrics come from each tick: its pods directly ({@link PodScraper}) or a Prometheus
 * server that scrapes them ({@link PrometheusApiSource}). Both give cumulative counters and current gauges per pod;
 * {@link ObservationWindow} turns successive collections into per-window deltas.
 */
public interface MetricsSource {

    /** A ready pod of the revision: its name and address. */
    record Pod(String name, String ip) {
    }

    /**
     * @param samples by pod name; a pod without usable data is absent (the window then reports the tick missing)
     * @param ageS    how old the samples are: 0 for a direct scrape, up to a scrape interval through Prometheus
     */
    record Collected(Map<String, PodSample> samples, double ageS) {
        public static Collected none() {
            return new Collected(Map.of(), 0);
        }
    }

    Collected collect(String namespace, List<Pod> pods, double objectiveS);
}
