package io.elasticinference.autoscaler.policy.kpa;

/**
 * What the decider needs, resolved from the configuration (knative/serving pkg/autoscaler/scaling DeciderSpec, built
 * by pkg/reconciler/autoscaling/kpa/resources/decider.go).
 *
 * @param rpsMetric           scale on requests per second instead of concurrency
 * @param targetValue         per-pod target (total x utilisation, at least 0.01)
 * @param totalValue          per-pod capacity
 * @param targetBurstCapacity -1 = activator always in the path, 0 = only when scaled to zero
 * @param panicThreshold      ratio (2.0 = 200%)
 * @param reachable           false when no route reaches the revision (then scale down is not rate limited)
 */
public record DeciderSpec(boolean rpsMetric, double targetValue, double totalValue, double targetBurstCapacity,
                          double panicThreshold, double maxScaleUpRate, double maxScaleDownRate, long stableWindowS,
                          long panicWindowS, double scaleDownDelayS, int activationScale, boolean reachable,
                          boolean weightedExponential) {

    public static DeciderSpec of(KpaConfig c) {
        return new DeciderSpec(c.metric().equals("rps"), c.targetValue(), c.totalValue(), c.targetBurstCapacity(),
                c.panicThreshold(), c.maxScaleUpRate(), c.maxScaleDownRate(), (long) c.stableWindowS(),
                c.panicWindowS(), c.scaleDownDelayS(), c.activationScale(), true, c.weightedExponential());
    }
}
