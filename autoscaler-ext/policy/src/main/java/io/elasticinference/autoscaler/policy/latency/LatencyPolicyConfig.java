package io.elasticinference.autoscaler.policy.latency;

/**
 * Parameters of {@link LatencyTargetPolicy}; defaults and equations in docs/latency-policy.md.
 *
 * @param objectiveS           latency objective, server side (0.33 s)
 * @param percentile           share of requests that must meet it (0.99)
 * @param serversPerPod        requests a pod serves in parallel without slowing each other (its CPUs / threads per
 *                             request; 2 for the function on 2 CPUs with 1 ONNX Runtime thread per request)
 * @param priorServiceS        unloaded service time assumed before any measurement (0.015 s)
 * @param lookaheadS           how far ahead to forecast arrivals: the pods' start-up time (10 s)
 * @param trendWindowS         seconds of arrivals the trend is fitted on (10)
 * @param backlogDrainS        time to clear a backlog in (2 s)
 * @param feedbackWindowS      seconds of completions the feedback judges (10)
 * @param feedbackMinCount     completions needed before the feedback trusts the observed share (200)
 * @param scaleDownHoldS       scale down only to the highest recommendation of this window (60 s)
 * @param maxScaleDownFraction at most this fraction of the pods removed per decision (0.25)
 * @param minScale             lower bound (1; 0 allows scale to zero after {@code idleS})
 * @param maxScale             upper bound, 0 = none
 * @param idleS                no arrivals for this long allows scale to zero when minScale is 0 (300 s)
 * @param initialScale         pods at the start (1)
 * @param maxUtilisation       never plan pods busier than this (0.5): headroom to absorb a step while pods start
 * @param tolerance            scale up only when even a load this much lower would need more pods (0.1)
 */
public record LatencyPolicyConfig(double objectiveS, double percentile, int serversPerPod, double priorServiceS,
                                  double lookaheadS, int trendWindowS, double backlogDrainS, int feedbackWindowS,
                                  int feedbackMinCount, double scaleDownHoldS, double maxScaleDownFraction,
                                  int minScale, int maxScale, double idleS, int initialScale, double maxUtilisation,
                                  double tolerance) {

    public LatencyPolicyConfig {
        check(objectiveS > 0, "objective must be > 0");
        check(percentile > 0 && percentile < 1, "percentile must be in (0, 1)");
        check(serversPerPod >= 1, "servers per pod must be >= 1");
        check(priorServiceS > 0, "prior service time must be > 0");
        check(lookaheadS >= 0, "look-ahead must be >= 0");
        check(trendWindowS >= 2, "trend window must be >= 2 s");
        check(backlogDrainS > 0, "backlog drain time must be > 0");
        check(feedbackWindowS >= 1 && feedbackMinCount >= 1, "feedback window and count must be >= 1");
        check(scaleDownHoldS >= 0, "scale-down hold must be >= 0");
        check(maxScaleDownFraction > 0 && maxScaleDownFraction <= 1, "max scale-down fraction must be in (0, 1]");
        check(minScale >= 0 && maxScale >= 0 && (maxScale == 0 || maxScale >= minScale),
                "need 0 <= min-scale <= max-scale (max 0 = unbounded)");
        check(idleS >= 0 && initialScale >= 0, "idle time and initial scale must be >= 0");
        check(maxUtilisation > 0 && maxUtilisation < 1, "max utilisation must be in (0, 1)");
        check(tolerance >= 0, "tolerance must be >= 0");
    }

    public static LatencyPolicyConfig defaults() {
        return new LatencyPolicyConfig(0.33, 0.99, 2, 0.015, 10, 10, 2.0, 10, 200, 60, 0.25, 1, 0, 300, 1, 0.5, 0.1);
    }

    public LatencyPolicyConfig withObjective(double objective, double pct) {
        return new LatencyPolicyConfig(objective, pct, serversPerPod, priorServiceS, lookaheadS, trendWindowS,
                backlogDrainS, feedbackWindowS, feedbackMinCount, scaleDownHoldS, maxScaleDownFraction, minScale,
                maxScale, idleS, initialScale, maxUtilisation, tolerance);
    }

    public LatencyPolicyConfig withBounds(int min, int max, int initial) {
        return new LatencyPolicyConfig(objectiveS, percentile, serversPerPod, priorServiceS, lookaheadS,
                trendWindowS, backlogDrainS, feedbackWindowS, feedbackMinCount, scaleDownHoldS, maxScaleDownFraction,
                min, max, idleS, initial, maxUtilisation, tolerance);
    }

    public LatencyPolicyConfig withCapacity(int servers, double priorService, double lookahead) {
        return new LatencyPolicyConfig(objectiveS, percentile, servers, priorService, lookahead, trendWindowS,
                backlogDrainS, feedbackWindowS, feedbackMinCount, scaleDownHoldS, maxScaleDownFraction, minScale,
                maxScale, idleS, initialScale, maxUtilisation, tolerance);
    }

    public LatencyPolicyConfig withShape(double maxUtil, double tol, double hold, double downFraction) {
        return new LatencyPolicyConfig(objectiveS, percentile, serversPerPod, priorServiceS, lookaheadS,
                trendWindowS, backlogDrainS, feedbackWindowS, feedbackMinCount, hold, downFraction, minScale,
                maxScale, idleS, initialScale, maxUtil, tol);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("latency policy: " + message);
        }
    }
}
