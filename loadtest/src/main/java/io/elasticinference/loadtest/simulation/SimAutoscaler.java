package io.elasticinference.loadtest.simulation;

/**
 * An autoscaler as the simulator drives it: it sees what its metrics pipeline would see each second, and decides
 * every {@link #tickIntervalS()} seconds. Implementations adapt a real policy (KPA, HPA, ours) to these feeds.
 */
public interface SimAutoscaler {

    /** Short label for reports: "kpa", "hpa-70", "latency". */
    String name();

    /** Seconds between decisions. */
    double tickIntervalS();

    /** Replicas the revision starts with. */
    int initialReplicas();

    /** Called at the end of every simulated second with that second's observations. */
    void observe(SecondStats stats);

    /** Called every tick: the replica count to converge to and whether the activator sits in the data path. */
    Decision decide(double nowS, PodCounts pods);

    /**
     * @param desired          replicas wanted (after the reconciler's bounds)
     * @param activatorInPath  route all traffic through the activator (Knative: excess burst capacity < 0)
     */
    record Decision(int desired, boolean activatorInPath) {
    }

    /** Pods by state at decision time. {@code starting} counts pods not yet scheduled too. */
    record PodCounts(int ready, int starting, int draining, int desired) {
        public int notDraining() {
            return ready + starting;
        }
    }
}
