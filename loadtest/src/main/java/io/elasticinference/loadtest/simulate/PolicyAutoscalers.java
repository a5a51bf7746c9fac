package io.elasticinference.loadtest.simulate;

import io.elasticinference.loadtest.simulation.KpaAutoscaler;
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
        throw new IllegalArgumentException("the latency autoscaler is not available in this build yet");
    }
}
