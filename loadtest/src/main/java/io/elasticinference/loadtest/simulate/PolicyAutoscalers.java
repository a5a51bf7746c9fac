package io.elasticinference.loadtest.simulate;

import io.elasticinference.loadtest.simulation.SimAutoscaler;
import io.elasticinference.loadtest.simulation.SimulationConfig;

/** Builds the simulator adapters of the policies in autoscaler-ext/policy from the command's options. */
final class PolicyAutoscalers {
    private PolicyAutoscalers() {
    }

    static SimAutoscaler kpa(AutoscalerOptions o, SimulationConfig config) {
        throw new IllegalArgumentException("the KPA autoscaler is not available in this build yet");
    }

    static SimAutoscaler latency(AutoscalerOptions o, SimulationConfig config) {
        throw new IllegalArgumentException("the latency autoscaler is not available in this build yet");
    }
}
