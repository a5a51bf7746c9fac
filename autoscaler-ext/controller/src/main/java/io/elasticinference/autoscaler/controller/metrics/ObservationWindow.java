package io.elasticinference.autoscaler.controller.metrics;

import io.elasticinference.autoscaler.policy.latency.LatencyObservation;

import java.util.HashMap;
import java.util.Map;

/**
 * Turns successive scrapes of a revision's pods into the policy's per-window observations: counter deltas summed
 * over pods, gauges summed. A pod seen for the first time contributes nothing to the deltas (its counters cover its
 * whole life, not the window); a counter that went down means the pod restarted, and its new value is the delta.
 * If any ready pod could not be scraped the observation is "missing" (partial data would read as less load), and the
 * policy holds the scale.
 */
public final class ObservationWindow {

    private final double[] bucketBounds;
    private final double quantile;
    private Map<String, PodSample> previous = new HashMap<>();
    private double previousTimeS = Double.NaN;
    private double observedQuantileS = Double.NaN;

    /**
     * @param bucketBounds the duration buckets the samples were read with (for the observed-latency estimate)
     * @param quantile     the latency quantile to report, e.g. 0.99
     */
    public ObservationWindow(double[] bucketBounds, double quantile) {
        this.bucketBounds = bucketBounds.clone();
        this.quantile = quantile;
    }

    /**
     * The chosen quantile of the ok requests' server-side latency in the last window, interpolated inside its
     * bucket the way Prometheus' histogram_quantile does; NaN when the window had no ok requests or no data.
     */
    public double observedQuantileS() {
        return observedQuantileS;
    }

    /**
     * @param scrapes   this tick's samples by pod name; a pod whose scrape failed is absent
     * @param readyPods ready pods according to the cluster
     */
    public LatencyObservation next(double nowS, Map<String, PodSample> scrapes, int readyPods, int startingPods) {
        double window = Double.isNaN(previousTimeS) ? 0 : nowS - previousTimeS;
        if (scrapes.isEmpty() || scrapes.size() < readyPods || window <= 0) {
            observedQuantileS = Double.NaN;
            remember(nowS, scrapes);
            return LatencyObservation.missing(nowS, Math.max(window, 1e-3), readyPods, startingPods);
        }
        double arrivals = 0;
        double answered = 0;
        double over = 0;
        double modelSeconds = 0;
        double modelImages = 0;
        int inFlight = 0;
        int queued = 0;
        double[] okBuckets = new double[bucketBounds.length + 1];
        for (Map.Entry<String, PodSample> e : scrapes.entrySet()) {
            PodSample now = e.getValue();
            PodSample before = previous.get(e.getKey());
            inFlight += (int) Math.round(now.inFlight() + now.queued());
            queued += (int) Math.round(now.queued());
            if (before == null) {
                continue;
            }
            arrivals += delta(now.requests(), before.requests());
            answered += delta(now.answered(), before.answered());
            over += delta(now.overObjective(), before.overObjective());
            modelSeconds += delta(now.modelSeconds(), before.modelSeconds());
            modelImages += delta(now.modelImages(), before.modelImages());
            for (int i = 0; i < okBuckets.length && i < now.okBuckets().length && i < before.okBuckets().length; i++) {
                okBuckets[i] += delta(now.okBuckets()[i], before.okBuckets()[i]);
            }
        }
        observedQuantileS = quantileOf(okBuckets);
        remember(nowS, scrapes);
        return new LatencyObservation(nowS, window, Math.round(arrivals), Math.round(answered), Math.round(over),
                modelImages > 0 ? modelSeconds : Double.NaN, Math.round(modelImages), inFlight, queued, readyPods,
                startingPods);
    }

    private void remember(double nowS, Map<String, PodSample> scrapes) {
        previous = new HashMap<>(scrapes);
        previousTimeS = nowS;
    }

    private double quantileOf(double[] cumulative) {
        double total = cumulative[cumulative.length - 1];
        if (!(total > 0)) {
            return Double.NaN;
        }
        double rank = quantile * total;
        double lowerBound = 0;
        double lowerCount = 0;
        for (int i = 0; i < bucketBounds.length; i++) {
            double count = cumulative[i];
            if (Double.isNaN(count)) {
                return Double.NaN;
            }
            if (count >= rank) {
                double inBucket = count - lowerCount;
                double fraction = inBucket > 0 ? (rank - lowerCount) / inBucket : 1;
                return lowerBound + (bucketBounds[i] - lowerBound) * fraction;
            }
            lowerBound = bucketBounds[i];
            lowerCount = count;
        }
        return bucketBounds.length > 0 ? bucketBounds[bucketBounds.length - 1] : Double.NaN; // above the last bound
    }

    private static double delta(double now, double before) {
        return now >= before ? now - before : now; // a counter reset: the pod restarted
    }
}
