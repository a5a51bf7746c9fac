package io.elasticinference.loadtest.simulation;

import io.elasticinference.loadtest.workload.Traffic;
import io.elasticinference.loadtest.workload.ArrivalModel;

/**
 * Everything a simulated run depends on besides the autoscaler. Same config and seed: same run, bit for bit.
 *
 * @param traffic       requests per second to replay
 * @param arrivals      how requests are spread inside each second
 * @param serviceTimes  unloaded service time of one request on one pod
 * @param dataPath      pods, proxies and the client timeout
 * @param startup       pod start-up and termination delays
 * @param sloS          latency objective the summary measures against
 * @param seed          seeds arrivals, service times and start-up jitter (separate streams, so that the same seed
 *                      gives every autoscaler the very same requests)
 */
public record SimulationConfig(Traffic traffic, ArrivalModel arrivals, ServiceTimes serviceTimes, DataPath dataPath,
                               PodStartup startup, double sloS, long seed) {

    public SimulationConfig {
        if (!(sloS > 0)) {
            throw new IllegalArgumentException("SLO must be > 0 s");
        }
    }
}
