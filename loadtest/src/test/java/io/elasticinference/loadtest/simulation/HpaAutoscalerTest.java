package io.elasticinference.loadtest.simulation;

import io.elasticinference.loadtest.workload.Traffic;
import io.elasticinference.loadtest.workload.ArrivalModel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.elasticinference.loadtest.record.ClusterSample;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HpaAutoscalerTest {

    private static SecondStats cpu(double t, double utilisation) {
        return new SecondStats(t, 0, 0, 0, 0, 0, 0, new double[0], 0, utilisation, 1, 0, 0, 0);
    }

    @Test
    void scalesToRatioTimesReadyPodsAndIgnoresChangesWithinTolerance() {
        HpaAutoscaler hpa = new HpaAutoscaler(HpaAutoscaler.Config.defaults(0.7));
        for (int t = 1; t <= 15; t++) {
            hpa.observe(cpu(t, 0.75));   // ratio 1.07: inside the 10% tolerance
        }
        assertEquals(2, hpa.decide(15, new SimAutoscaler.PodCounts(2, 0, 0, 2)).desired());
        for (int t = 16; t <= 30; t++) {
            hpa.observe(cpu(t, 1.0));    // ratio 1.43 on 2 pods: ceil(2.86) = 3
        }
        assertEquals(3, hpa.decide(30, new SimAutoscaler.PodCounts(2, 0, 0, 2)).desired());
    }

    @Test
    void podsStillStartingCountAsIdleSoAScaleUpIsNotRepeated() {
        HpaAutoscaler hpa = new HpaAutoscaler(HpaAutoscaler.Config.defaults(0.7));
        for (int t = 1; t <= 15; t++) {
            hpa.observe(cpu(t, 0.9));
        }
        // 2 ready at 90% + 1 starting at 0%: 1.8 / (0.7 x 3) = 0.86 < 1: keep 3.
        assertEquals(3, hpa.decide(15, new SimAutoscaler.PodCounts(2, 1, 0, 3)).desired());
    }

    @Test
    void scaleUpIsLimitedToDoubleOrFourPodsPerPeriod() {
        HpaAutoscaler hpa = new HpaAutoscaler(HpaAutoscaler.Config.defaults(0.1));
        for (int t = 1; t <= 15; t++) {
            hpa.observe(cpu(t, 1.0));    // ratio 10: wants 10 x 1 pod
        }
        assertEquals(5, hpa.decide(15, new SimAutoscaler.PodCounts(1, 0, 0, 1)).desired());
    }

    @Test
    void scaleDownWaitsForTheFiveMinuteStabilisationWindow() {
        HpaAutoscaler hpa = new HpaAutoscaler(HpaAutoscaler.Config.defaults(0.7));
        double t = 0;
        for (; t < 15; t++) {
            hpa.observe(cpu(t + 1, 0.7));
        }
        assertEquals(4, hpa.decide(t, new SimAutoscaler.PodCounts(4, 0, 0, 4)).desired());
        // Load drops to a quarter: the recommendation is 1 pod, but the window still holds "4" for 300 s.
        int desired = 4;
        double firstDown = Double.NaN;
        while (t < 600) {
            for (int i = 0; i < 15; i++) {
                hpa.observe(cpu(++t, 0.175));
            }
            desired = hpa.decide(t, new SimAutoscaler.PodCounts(desired, 0, 0, desired)).desired();
            if (desired < 4 && Double.isNaN(firstDown)) {
                firstDown = t;
            }
        }
        assertEquals(1, desired);
        assertTrue(firstDown > 15 + 300 - 1e-9 && firstDown <= 15 + 300 + 15, "first scale-down at " + firstDown);
    }

    @Test
    void inTheSimulatorAStepScalesUpThenHoldsForTheWindowBeforeScalingDown() {
        // 150 s at 40 req/s (~60% of one pod), 300 s at 160 req/s, then back to 40 req/s for 600 s.
        int[] counts = new int[1050];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = i >= 150 && i < 450 ? 160 : 40;
        }
        SimulationConfig config = new SimulationConfig(new Traffic(counts, "step"), ArrivalModel.POISSON,
                new ServiceTimes.Lognormal(0.015, 0.2), DataPath.defaults(), PodStartup.jvm(), 0.33, 3);
        List<ClusterSample> samples = new ArrayList<>();
        Simulator.run(config, new HpaAutoscaler(HpaAutoscaler.Config.defaults(0.7)), new SimulationListener() {
            @Override
            public void onSecond(SecondStats stats, ClusterSample sample, int desired) {
                samples.add(sample);
            }
        });
        int peak = samples.stream().mapToInt(ClusterSample::readyReplicas).max().orElseThrow();
        assertTrue(peak >= 3, "160 req/s at 15 ms needs >= 3 pods at 70%, peak was " + peak);
        // After the load drops at 450 s the HPA must hold what it had for the 300 s window...
        // (steady 160 req/s x 15 ms = 2.4 CPUs: 4 two-CPU pods at 60%, which recommends 4).
        for (int s = 450; s < 450 + 300 - 15; s++) {
            assertTrue(samples.get(s).readyReplicas() >= 4, "scaled below 4 at " + s + " s, inside the window");
        }
        // ...and be down to what 40 req/s needs by the end.
        assertTrue(samples.get(1040).readyReplicas() <= 2, "still " + samples.get(1040).readyReplicas() + " pods");
    }
}
