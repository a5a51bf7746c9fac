package io.elasticinference.loadtest.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyTargetAutoscalerTest {

    private static LatencyTargetAutoscaler policy() {
        return new LatencyTargetAutoscaler(LatencyTargetAutoscaler.Config.defaults(2, 2, 5.5));
    }

    private static SecondStats second(double t, int arrivals, int ready) {
        return new SecondStats(t, arrivals, 0, 0, arrivals, 0, 0, new double[0], 0, Double.NaN, ready, 0, 0, 0);
    }

    @Test
    void erlangCMatchesKnownValues() {
        assertEquals(0.5, LatencyTargetAutoscaler.erlangC(1, 0.5), 1e-12);       // M/M/1: P(wait) = rho
        assertEquals(1.0 / 3, LatencyTargetAutoscaler.erlangC(2, 1.0), 1e-12);
        assertEquals(4.0 / 9, LatencyTargetAutoscaler.erlangC(3, 2.0), 1e-12);
        assertEquals(1.0, LatencyTargetAutoscaler.erlangC(2, 2.5), 0);           // overloaded: everyone waits
    }

    @Test
    void podCountGrowsWithRateAndRespectsTheUtilisationCap() {
        LatencyTargetAutoscaler p = policy();
        int previous = 0;
        for (int rate = 10; rate <= 1000; rate += 10) {
            int n = p.podsFor(rate, 0.015);
            assertTrue(n >= previous, "fewer pods for more load at " + rate);
            // Never busier than the 50% headroom cap per pod.
            assertTrue(rate * 0.015 / n < 0.5 + 1e-9, rate + " req/s on " + n + " pods");
            previous = n;
        }
        assertEquals(0, p.podsFor(0, 0.015));
    }

    @Test
    void reactsToABurstWithinOneTick() {
        LatencyTargetAutoscaler p = policy();
        for (int t = 1; t <= 30; t++) {
            p.observe(second(t, 20, 1));
            assertEquals(1, p.decide(t, new SimAutoscaler.PodCounts(1, 0, 0, 1)).desired());
        }
        p.observe(second(31, 300, 1));   // 10x in one second
        int desired = p.decide(31, new SimAutoscaler.PodCounts(1, 0, 0, 1)).desired();
        assertTrue(desired >= 9, "300 req/s x 15 ms at <= 50% needs >= 9 pods, got " + desired);
    }

    @Test
    void noFlappingUnderNoisySteadyLoadAndSlowScaleDown() {
        LatencyTargetAutoscaler p = policy();
        SplittableRandom rng = new SplittableRandom(1);
        int desired = 1;
        int changesAfterWarmUp = 0;
        for (int t = 1; t <= 600; t++) {
            int arrivals = (int) Math.round(200 + 20 * (rng.nextDouble() * 2 - 1));   // +-10% noise
            p.observe(second(t, arrivals, desired));
            int d = p.decide(t, new SimAutoscaler.PodCounts(desired, 0, 0, desired)).desired();
            if (t > 120 && d != desired) {
                changesAfterWarmUp++;
            }
            desired = d;
        }
        assertTrue(changesAfterWarmUp <= 2, changesAfterWarmUp + " changes under steady load");
        int steady = desired;
        // Load drops to a quarter: nothing for the 60 s hold window, then at most a quarter of the pods per tick.
        for (int t = 601; t <= 720; t++) {
            p.observe(second(t, 50, desired));
            int d = p.decide(t, new SimAutoscaler.PodCounts(desired, 0, 0, desired)).desired();
            if (t < 660) {
                assertEquals(steady, d, "scaled down at " + t + " inside the hold window");
            }
            assertTrue(d >= desired - Math.max(1, desired / 4), "dropped from " + desired + " to " + d);
            desired = d;
        }
        assertTrue(desired < steady);
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
