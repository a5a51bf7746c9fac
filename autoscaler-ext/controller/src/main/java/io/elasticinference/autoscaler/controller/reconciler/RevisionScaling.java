package io.elasticinference.autoscaler.controller.reconciler;

import io.elasticinference.autoscaler.controller.metrics.MetricsSource;
import io.elasticinference.autoscaler.controller.metrics.ObservationWindow;
import io.elasticinference.autoscaler.policy.latency.LatencyDecision;
import io.elasticinference.autoscaler.policy.latency.LatencyPolicyConfig;
import io.elasticinference.autoscaler.policy.latency.LatencyTargetPolicy;

import java.util.Map;

/**
 * One revision's scaling state: its policy (built from the revision's annotations) and the window of scrapes that
 * feeds it. Kept in memory; after a controller restart it starts again from the current replica count, and the
 * policy's scale-down hold keeps it from flapping while history builds up.
 */
final class RevisionScaling {

    static final String MIN_SCALE = "autoscaling.knative.dev/min-scale";
    static final String MAX_SCALE = "autoscaling.knative.dev/max-scale";
    static final String INITIAL_SCALE = "autoscaling.knative.dev/initial-scale";
    static final String OBJECTIVE = "latency.autoscaling.elasticinference.io/objective";
    static final String PERCENTILE = "latency.autoscaling.elasticinference.io/percentile";

    private final LatencyTargetPolicy policy;
    private final ObservationWindow window;
    private final Map<String, String> annotations;
    private LatencyDecision last;
    private double lastSampledAtS = Double.NEGATIVE_INFINITY;
    /** Samples less than this much newer than the last ones are the same scrape seen again (clock rounding). */
    private static final double MIN_NEW_DATA_S = 0.2;

    RevisionScaling(Map<String, String> annotations, double defaultObjective, double defaultPercentile, double nowS) {
        this.annotations = Map.copyOf(annotations);
        LatencyPolicyConfig config = configFor(annotations, defaultObjective, defaultPercentile);
        this.policy = new LatencyTargetPolicy(config, nowS);
        this.window = new ObservationWindow(io.elasticinference.autoscaler.controller.metrics.PodScraper.BUCKETS, config.percentile());
    }

    static LatencyPolicyConfig configFor(Map<String, String> a, double defaultObjective, double defaultPercentile) {
        double objective = number(a, OBJECTIVE, defaultObjective);
        double percentile = number(a, PERCENTILE, defaultPercentile);
        int min = (int) number(a, MIN_SCALE, 1);
        int max = (int) number(a, MAX_SCALE, 0);
        int initial = (int) number(a, INITIAL_SCALE, 1);
        // Scale from zero needs the activator's signal, which Knative sends only to its own KPA: keep >= 1 pod.
        return LatencyPolicyConfig.defaults().withObjective(objective, percentile / 100.0)
                .withBounds(Math.max(1, min), max, Math.max(1, initial));
    }

    private static double number(Map<String, String> a, String key, double dflt) {
        String v = a.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            return dflt; // Knative's webhook validates its own keys; a bad value of ours falls back to the default
        }
    }

    boolean sameAnnotations(Map<String, String> current) {
        return annotations.equals(Map.copyOf(current));
    }

    /**
     * One tick. Samples through Prometheus are as old as its last scrape: the window is placed at the time they
     * describe, and a tick that brings nothing newer than the last one adds no observation (the previous decision's
     * inputs stand), rather than a window of zero arrivals.
     */
    LatencyDecision decide(double nowS, MetricsSource.Collected collected, int ready, int starting, int current) {
        double sampledAtS = nowS - collected.ageS();
        if (collected.samples().isEmpty() || sampledAtS > lastSampledAtS + MIN_NEW_DATA_S) {
            policy.observe(window.next(sampledAtS, collected.samples(), ready, starting));
            if (!collected.samples().isEmpty()) {
                lastSampledAtS = sampledAtS;
            }
        }
        last = policy.decide(nowS, current);
        return last;
    }

    double objectiveS() {
        return policy.config().objectiveS();
    }

    /** The revision's observed latency at its objective's percentile in the last window; NaN without data. */
    double observedLatencyS() {
        return window.observedQuantileS();
    }

    LatencyDecision last() {
        return last;
    }

    int initialScale() {
        return policy.initialScale();
    }
}
