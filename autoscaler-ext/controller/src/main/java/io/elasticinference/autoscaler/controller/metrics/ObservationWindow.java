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

    private Map<String, PodSample> previous = new HashMap<>();
    private double previousTimeS = Double.NaN;

    /**
     * @param scrapes   this tick's samples by pod name; a pod whose scrape failed is absent
     * @param readyPods ready pods according to the cluster
     */
    public LatencyObservation next(double nowS, Map<String, PodSample> scrapes, int readyPods, int startingPods) {
        double window = Double.isNaN(previousTimeS) ? 0 : nowS - previousTimeS;
        if (scrapes.isEmpty() || scrapes.size() < readyPods || window <= 0) {
            remember(nowS, scrapes);
            return LatencyObservation.missing(nowS, Math.max(window, 1e-3), readyPods, startingPods);
        }
        double arrivals = 0;
        double answered = 0;
        double over = 0;
        double modelSeconds = 0;
        double modelCalls = 0;
        int inFlight = 0;
        int queued = 0;
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
            modelCalls += delta(now.modelCalls(), before.modelCalls());
        }
        remember(nowS, scrapes);
        return new LatencyObservation(nowS, window, Math.round(arrivals), Math.round(answered), Math.round(over),
                modelCalls > 0 ? modelSeconds : Double.NaN, Math.round(modelCalls), inFlight, queued, readyPods,
                startingPods);
    }

    private void remember(double nowS, Map<String, PodSample> scrapes) {
        previous = new HashMap<>(scrapes);
        previousTimeS = nowS;
    }

    private static double delta(double now, double before) {
        return now >= before ? now - before : now; // a counter reset: the pod restarted
    }
}
