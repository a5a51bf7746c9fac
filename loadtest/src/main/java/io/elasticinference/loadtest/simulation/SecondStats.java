package io.elasticinference.loadtest.simulation;

/**
 * What happened in one simulated second [endS - 1, endS), as a metrics pipeline could observe it.
 *
 * @param endS                  end of the second
 * @param arrivals              requests that arrived
 * @param avgConcurrency        time-averaged requests in the system (activator buffer + queue-proxies + in service):
 *                              what Knative's scrape of queue-proxies plus the activator's report adds up to
 * @param avgPodConcurrency     the same over the pods only (queue-proxy queues + in service)
 * @param completed             requests answered in time
 * @param failed                requests that timed out or were rejected in this second
 * @param serviceTimeSumS       sum of in-pod processing times (start of service to answer) of the completed requests
 * @param latenciesS            server-side latencies (arrival to answer) of the requests answered, sorted ascending;
 *                              only the first {@code latencyCount} entries are valid; the array is reused, copy it
 * @param latencyCount          number of valid latencies
 * @param cpuUtilisation        mean CPU utilisation of the pods that were ready for the whole second (0..1),
 *                              NaN when none was
 * @param readyPods             ready pods at the end of the second
 * @param startingPods          pods asked for but not yet ready at the end of the second
 * @param inFlight              requests in the system at the end of the second
 * @param queued                of those, waiting (activator buffer + queue-proxy queues)
 */
public record SecondStats(double endS, int arrivals, double avgConcurrency, double avgPodConcurrency, int completed,
                          int failed, double serviceTimeSumS, double[] latenciesS, int latencyCount,
                          double cpuUtilisation, int readyPods, int startingPods, int inFlight, int queued) {

    /** The q-quantile (0..1) of this second's latencies, nearest-rank; NaN when there were none. */
    public double latencyQuantile(double q) {
        if (latencyCount == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * latencyCount);
        return latenciesS[Math.min(latencyCount - 1, Math.max(0, rank - 1))];
    }
}
