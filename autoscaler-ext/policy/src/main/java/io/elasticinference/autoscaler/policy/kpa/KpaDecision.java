package io.elasticinference.autoscaler.policy.kpa;

/**
 * One decision of the KPA decider (knative/serving pkg/autoscaler/scaling ScaleResult).
 *
 * @param desiredPodCount     pods wanted, before the reconciler's bounds; -1 when not valid
 * @param excessBurstCapacity spare capacity beyond the target burst capacity; negative puts the activator in the path
 * @param valid               false when there was no data to decide on (Knative's invalid ScaleResult)
 * @param panicking           whether the decider is in panic mode
 * @param observedStable      stable-window average of the metric
 * @param observedPanic       panic-window average of the metric
 */
public record KpaDecision(int desiredPodCount, int excessBurstCapacity, boolean valid, boolean panicking,
                          double observedStable, double observedPanic) {

    static KpaDecision invalid(boolean panicking) {
        return new KpaDecision(-1, 0, false, panicking, 0, 0);
    }
}
