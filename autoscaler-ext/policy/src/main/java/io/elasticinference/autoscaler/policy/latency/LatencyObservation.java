package io.elasticinference.autoscaler.policy.latency;

/**
 * What the metrics pipeline saw of one revision over the last {@code windowS} seconds (normally one second).
 *
 * @param endS             end of the window
 * @param windowS          its length
 * @param arrivals         requests that arrived
 * @param answered         requests answered (any status) in the window
 * @param overObjective    of those, answered later than the objective, plus failures
 * @param serviceDemandS   total service demand of the answered requests measured when pods were not saturated
 *                         (CPU-seconds per request x requests, or model time when CPU is not known); NaN if unknown
 * @param serviceSamples   requests behind {@code serviceDemandS}
 * @param inFlight         requests in the revision at the end of the window
 * @param queued           of those, waiting for a slot (not in service)
 * @param readyPods        ready pods
 * @param startingPods     pods asked for and not ready yet
 */
public record LatencyObservation(double endS, double windowS, long arrivals, long answered, long overObjective,
                                 double serviceDemandS, long serviceSamples, int inFlight, int queued, int readyPods,
                                 int startingPods) {

    /** No data for the window (a failed scrape): the policy holds its scale. */
    public static LatencyObservation missing(double endS, double windowS, int readyPods, int startingPods) {
        return new LatencyObservation(endS, windowS, -1, -1, -1, Double.NaN, 0, -1, -1, readyPods, startingPods);
    }

    public boolean isMissing() {
        return arrivals < 0;
    }
}
