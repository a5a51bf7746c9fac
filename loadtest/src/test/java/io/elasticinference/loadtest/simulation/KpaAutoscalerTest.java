package io.elasticinference.loadtest.simulation;

import io.elasticinference.loadtest.workload.Traffic;
import io.elasticinference.loadtest.workload.ArrivalModel;

import io.elasticinference.autoscaler.policy.kpa.KpaConfig;
import io.elasticinference.autoscaler.policy.kpa.KpaDecision;
import io.elasticinference.autoscaler.policy.kpa.KpaScaleBounds;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.elasticinference.loadtest.record.ClusterSample;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KpaAutoscalerTest {

    private static SecondStats concurrency(double t, double c) {
        return new SecondStats(t, 0, c, c, 0, 0, 0, new double[0], 0, Double.NaN, 1, 0, 0, 0);
    }

    @Test
    void stableModeDesiresCeilOfConcurrencyOverTargetTimesUtilisation() {
        KpaAutoscaler kpa = new KpaAutoscaler(KpaAutoscaler.Config.defaults());
        for (int t = 1; t <= 60; t++) {
            kpa.observe(concurrency(t, 150));   // 150 / 70 = 2.14 -> 3, below the panic threshold (2 x 2 ready)
        }
        kpa.decide(60, new SimAutoscaler.PodCounts(2, 0, 0, 2));
        KpaDecision s = kpa.lastDecision();
        assertEquals(3, s.desiredPodCount());
        assertFalse(s.panicking());
        // EBC = floor(2 x 100 - 211 - 150) = -161: activator in the path.
        assertEquals(-161, s.excessBurstCapacity());
    }

    @Test
    void panicsOnABurstAndNeverScalesDownWhilePanicking() {
        KpaAutoscaler kpa = new KpaAutoscaler(KpaAutoscaler.Config.defaults());
        for (int t = 1; t <= 54; t++) {
            kpa.observe(concurrency(t, 10));
        }
        for (int t = 55; t <= 60; t++) {
            kpa.observe(concurrency(t, 700));   // panic window (6 s) average 700 -> 10 pods >= 2 x 1 ready
        }
        kpa.decide(60, new SimAutoscaler.PodCounts(1, 0, 0, 1));
        KpaDecision s = kpa.lastDecision();
        assertTrue(s.panicking());
        assertEquals(10, s.desiredPodCount());
        for (int t = 61; t <= 70; t++) {
            kpa.observe(concurrency(t, 10));
        }
        // The burst is over but we are still within a stable window of the last over-threshold tick: hold 10.
        kpa.decide(70, new SimAutoscaler.PodCounts(1, 0, 0, 1));
        s = kpa.lastDecision();
        assertEquals(10, s.desiredPodCount());
        assertTrue(s.panicking());
    }

    @Test
    void scaleToZeroWaitsForTheGracePeriodWithTheActivatorInThePath() {
        KpaAutoscaler kpa = new KpaAutoscaler(KpaAutoscaler.Config.defaults());
        for (int t = 1; t <= 60; t++) {
            kpa.observe(concurrency(t, 0));
        }
        SimAutoscaler.Decision d = kpa.decide(60, new SimAutoscaler.PodCounts(1, 0, 0, 1));
        // TBC 211 > 1 pod x 100: the activator was already in the path; the grace period starts now.
        assertTrue(d.activatorInPath());
        assertEquals(1, d.desired());
        assertEquals(1, kpa.decide(88, new SimAutoscaler.PodCounts(1, 0, 0, 1)).desired());
        assertEquals(0, kpa.decide(90, new SimAutoscaler.PodCounts(1, 0, 0, 1)).desired());
    }

    @Test
    void inTheSimulatorAStepScalesUpAndBackDownAfterTheStableWindow() {
        // Target 1 (0.7 in flight per pod). Processor sharing: a pod at load rho holds rho / (1 - rho) on average.
        // 20 req/s x 15 ms: rho 0.3 -> 0.43 -> 1 pod. 200 req/s: 3 CPU-pods of work; once the activator leaves the
        // path, round-robin arrivals are smoother than Poisson and 5 pods (rho 0.6) hold ~0.7 each.
        int[] counts = new int[600];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = i >= 100 && i < 300 ? 200 : 20;
        }
        SimulationConfig config = new SimulationConfig(new Traffic(counts, "step"), ArrivalModel.POISSON,
                new ServiceTimes.Lognormal(0.015, 0.2), DataPath.defaults(), PodStartup.jvm(), 0.33, 9);
        KpaAutoscaler kpa = new KpaAutoscaler(new KpaAutoscaler.Config(
                KpaConfig.fromKnative(Map.of("target", "1")), KpaScaleBounds.Settings.defaults(), 2));
        List<ClusterSample> samples = new ArrayList<>();
        SimulationResult r = Simulator.run(config, kpa, new SimulationListener() {
            @Override
            public void onSecond(SecondStats stats, ClusterSample sample, int desired) {
                samples.add(sample);
            }
        });
        assertTrue(samples.get(99).readyReplicas() <= 2, "before the step: " + samples.get(99).readyReplicas());
        // Up within a panic window + start-up (~6 s + ~5.5 s) of the step.
        int upAt = -1;
        for (int s = 100; s < 300; s++) {
            if (samples.get(s).readyReplicas() >= 5) {
                upAt = s;
                break;
            }
        }
        assertTrue(upAt > 100 && upAt <= 100 + 20, "5 pods ready only at " + upAt);
        // Down again only after the load drops: not before 300 s, and by a stable window + a few ticks after.
        for (int s = 200; s < 310; s++) {
            assertTrue(samples.get(s).readyReplicas() >= 5, "scaled below 5 at " + s);
        }
        assertTrue(samples.get(300 + 60 + 40).readyReplicas() <= 2,
                "still " + samples.get(400).readyReplicas() + " pods at 400 s");
        assertTrue(r.overSloShare() < 0.05, "over SLO " + r.overSloShare());
    }
}
