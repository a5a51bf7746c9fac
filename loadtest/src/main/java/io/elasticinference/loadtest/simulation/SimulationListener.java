package io.elasticinference.loadtest.simulation;

import io.elasticinference.loadtest.record.ClusterSample;
import io.elasticinference.loadtest.record.Outcome;

/** Receives a simulated run as it happens, so that millions of requests can be streamed to disk, not held. */
public interface SimulationListener {

    /**
     * A request ended. Called in the order requests end, not in id order.
     *
     * @param latencyS arrival to answer; NaN for a timeout
     * @param pod      index of the pod that served or rejected it, -1 when none did
     */
    default void onRequest(long id, double scheduledS, double latencyS, Outcome outcome, int pod) {
    }

    /** A second ended: its observations and the cluster's state at its end. */
    default void onSecond(SecondStats stats, ClusterSample sample, int desired) {
    }

    SimulationListener NONE = new SimulationListener() {
    };
}
