package io.elasticinference.loadtest.simulate;

import io.elasticinference.autoscaler.policy.kpa.KpaConfig;
import io.elasticinference.autoscaler.policy.kpa.KpaScaleBounds;
import io.elasticinference.autoscaler.policy.latency.LatencyPolicyConfig;
import io.elasticinference.loadtest.simulation.KpaAutoscaler;
import io.elasticinference.loadtest.simulation.LatencyTargetAutoscaler;
import io.elasticinference.loadtest.simulation.SimAutoscaler;
import io.elasticinference.loadtest.simulation.SimulationConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the simulator adapters of the policies in autoscaler-ext/policy from the command's options. */
final class PolicyAutoscalers {
    private PolicyAutoscalers() {
    }

    static SimAutoscaler kpa(AutoscalerOptions o, SimulationConfig config) {
        Map<String, String> knative = new LinkedHashMap<>();
        knative.put("target", Double.toString(o.kpaTarget));
        knative.put("target-utilization-percentage", Double.toString(o.kpaUtilization));
        knative.put("stable-window", o.kpaStableWindowS + "s");
        knative.put("panic-window-percentage", Double.toString(o.kpaPanicWindowPercentage));
        knative.put("panic-threshold-percentage", Double.toString(o.kpaPanicThresholdPercentage));
        knative.put("target-burst-capacity", Double.toString(o.targetBurstCapacity));
        knative.put("scale-down-delay", o.scaleDownDelayS + "s");
        knative.put("containerConcurrency", Integer.toString(config.dataPath().containerConcurrency()));
        return new KpaAutoscaler(new KpaAutoscaler.Config(KpaConfig.fromKnative(knative),
                new KpaScaleBounds.Settings(o.minScale, o.maxScale, o.initialScale, true, o.scaleToZeroGraceS, 0,
                        o.kpaStableWindowS), 2));
    }

    static SimAutoscaler latency(AutoscalerOptions o, SimulationConfig config) {
        LatencyTargetAutoscaler.Config d = LatencyTargetAutoscaler.Config.defaults(config.dataPath().cpusPerPod(),
                config.dataPath().threadsPerRequest(), config.startup().meanTimeToReadyS(),
                config.serviceTimes().mean());
        LatencyPolicyConfig p = d.policy();
        if (o.latencyObjectiveS != null || o.latencyPercentile != null) {
            p = p.withObjective(o.latencyObjectiveS != null ? o.latencyObjectiveS : p.objectiveS(),
                    o.latencyPercentile != null ? o.latencyPercentile / 100 : p.percentile());
        }
        p = p.withBounds(o.minScale > 0 ? o.minScale : p.minScale(), o.maxScale, o.initialScale);
        p = p.withShape(o.latencyMaxUtilisation != null ? o.latencyMaxUtilisation : p.maxUtilisation(),
                p.tolerance(), o.latencyScaleDownHoldS != null ? o.latencyScaleDownHoldS : p.scaleDownHoldS(),
                p.maxScaleDownFraction());
        return new LatencyTargetAutoscaler(new LatencyTargetAutoscaler.Config(p, d.cpusPerPod(),
                d.threadsPerRequest(), d.tickS(), o.latencyActivator));
    }
}
