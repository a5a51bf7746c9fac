package io.elasticinference.loadtest.simulate;

import io.elasticinference.loadtest.simulation.KpaAutoscaler;
import io.elasticinference.loadtest.simulation.LatencyTargetAutoscaler;
import io.elasticinference.loadtest.simulation.SimAutoscaler;
import io.elasticinference.loadtest.simulation.SimulationConfig;

/** Builds the simulator adapters of the policies in autoscaler-ext/policy from the command's options. */
final class PolicyAutoscalers {
    private PolicyAutoscalers() {
    }

    static SimAutoscaler kpa(AutoscalerOptions o, SimulationConfig config) {
        return new KpaAutoscaler(new KpaAutoscaler.Config(o.kpaTarget, o.kpaUtilization / 100,
                config.dataPath().containerConcurrency(), o.kpaStableWindowS, o.kpaPanicWindowPercentage,
                o.kpaPanicThresholdPercentage, 1000, 2, o.targetBurstCapacity, o.scaleDownDelayS, o.scaleToZeroGraceS,
                o.minScale, o.maxScale, o.initialScale, 2));
    }

    static SimAutoscaler latency(AutoscalerOptions o, SimulationConfig config) {
        LatencyTargetAutoscaler.Config d = LatencyTargetAutoscaler.Config.defaults(config.dataPath().cpusPerPod(),
                config.dataPath().threadsPerRequest(), config.startup().meanTimeToReadyS());
        return new LatencyTargetAutoscaler(new LatencyTargetAutoscaler.Config(
                o.latencyObjectiveS != null ? o.latencyObjectiveS : d.objectiveS(),
                o.latencyPercentile != null ? o.latencyPercentile / 100 : d.percentile(),
                d.cpusPerPod(), d.threadsPerRequest(), config.serviceTimes().mean(), d.lookaheadS(), d.trendWindowS(),
                d.backlogDrainS(), d.feedbackWindowS(), d.feedbackMinCount(),
                o.latencyScaleDownHoldS != null ? o.latencyScaleDownHoldS : d.scaleDownHoldS(),
                d.maxScaleDownFraction(), d.tickS(), o.minScale > 0 ? o.minScale : d.minScale(), o.maxScale,
                d.idleS(), o.latencyActivator, o.initialScale,
                o.latencyMaxUtilisation != null ? o.latencyMaxUtilisation : d.maxUtilisation(), d.tolerance()));
    }
}
