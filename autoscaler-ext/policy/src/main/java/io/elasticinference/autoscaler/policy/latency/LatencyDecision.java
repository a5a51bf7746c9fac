package io.elasticinference.autoscaler.policy.latency;

/**
 * A decision and what it was made of (for metrics, events and tests).
 *
 * @param desired       replicas to converge to
 * @param forecastRate  arrivals per second expected a look-ahead from now
 * @param serviceS      unloaded service time per request in use
 * @param modelPods     fewest pods the queueing model says meet the objective
 * @param backlogPods   pods to also clear the queued requests within the drain time
 * @param correction    feedback factor on the model (1 = the model is right)
 * @param reason        short word: hold-no-data, hold-no-history, scale-up, scale-down, steady, idle
 */
public record LatencyDecision(int desired, double forecastRate, double serviceS, int modelPods, int backlogPods,
                              double correction, String reason) {
}
