package io.elasticinference.loadtest.simulation;

import io.elasticinference.loadtest.workload.Traffic;
import io.elasticinference.loadtest.workload.ArrivalModel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyTargetAutoscalerTest {

    private static LatencyTargetAutoscaler policy() {
        return new LatencyTargetAutoscaler(LatencyTargetAutoscaler.Config.defaults(2, 2, 5.5, 0.015));
    }

    @Test
    void inTheSimulatorA2xStepStaysWithinTheObjective() {
        int[] counts = new int[900];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = i >= 300 && i < 600 ? 200 : 100;
        }
        SimulationConfig config = new SimulationConfig(new Traffic(counts, "step"), ArrivalModel.POISSON,
                new ServiceTimes.Lognormal(0.015, 0.25), DataPath.defaults(), PodStartup.jvm(), 0.33, 11);
        SimulationResult r = Simulator.run(config, policy(), SimulationListener.NONE);
        assertTrue(r.overSloShare() <= 0.01, "over SLO " + r.overSloShare());
        // ...and does not buy that with a fleet: 200 req/s x 15 ms at 50% is 6 pods.
        assertTrue(r.peakReplicas() <= 12, "peak " + r.peakReplicas());
    }
}
