package io.elasticinference.loadtest.simulation;

/**
 * No autoscaling: a fixed number of pods (Knative's min-scale = max-scale). The baseline for sizing, and the
 * setting in which the simulator is checked against queueing theory.
 */
public final class FixedReplicas implements SimAutoscaler {
    private final int replicas;

    public FixedReplicas(int replicas) {
        if (replicas < 1) {
            throw new IllegalArgumentException("fixed replicas must be >= 1, got " + replicas);
        }
        this.replicas = replicas;
    }

    @Override
    public String name() {
        return "fixed-" + replicas;
    }

    @Override
    public double tickIntervalS() {
        return 60;
    }

    @Override
    public int initialReplicas() {
        return replicas;
    }

    @Override
    public void observe(SecondStats stats) {
    }

    @Override
    public Decision decide(double nowS, PodCounts pods) {
        // With pods always ready and a target burst capacity of 0, Knative takes the activator out of the path.
        return new Decision(replicas, pods.ready() == 0);
    }
}
