package io.elasticinference.autoscaler.policy.latency;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyTargetPolicyTest {

    private static LatencyTargetPolicy policy() {
        return new LatencyTargetPolicy(LatencyPolicyConfig.defaults().withCapacity(1, 0.015, 5.5), 0);
    }

    private static LatencyObservation second(double t, int arrivals, int ready) {
        return new LatencyObservation(t, 1, arrivals, arrivals, 0, Double.NaN, 0, 0, 0, ready, 0);
    }

    @Test
    void erlangCMatchesKnownValues() {
        assertEquals(0.5, ErlangC.waitProbability(1, 0.5), 1e-12); // M/M/1: P(wait) = rho
        assertEquals(1.0 / 3, ErlangC.waitProbability(2, 1.0), 1e-12);
        assertEquals(4.0 / 9, ErlangC.waitProbability(3, 2.0), 1e-12);
        assertEquals(1.0, ErlangC.waitProbability(2, 2.5), 0); // overloaded: everyone waits
        // M/M/1, lambda 5, mu 10: P(W > t) = rho e^{-(mu - lambda) t}
        assertEquals(0.5 * Math.exp(-5 * 0.2), ErlangC.waitExceeds(1, 5, 10, 0.2), 1e-12);
    }

    @Test
    void podCountGrowsWithRateAndRespectsTheUtilisationCap() {
        LatencyTargetPolicy p = policy();
        int previous = 0;
        for (int rate = 10; rate <= 1000; rate += 10) {
            int n = p.podsFor(rate, 0.015);
            assertTrue(n >= previous, "fewer pods for more load at " + rate);
            assertTrue(rate * 0.015 / n < 0.5 + 1e-9, rate + " req/s on " + n + " pods");
            previous = n;
        }
        assertEquals(0, p.podsFor(0, 0.015));
    }

    @Test
    void reactsToABurstWithinOneDecision() {
        LatencyTargetPolicy p = policy();
        for (int t = 1; t <= 30; t++) {
            p.observe(second(t, 20, 1));
            assertEquals(1, p.decide(t, 1).desired());
        }
        p.observe(second(31, 300, 1)); // 15x in one second
        int desired = p.decide(31, 1).desired();
        assertTrue(desired >= 9, "300 req/s x 15 ms at <= 50% needs >= 9 pods, got " + desired);
    }

    @Test
    void noFlappingUnderNoisySteadyLoadAndSlowScaleDown() {
        LatencyTargetPolicy p = policy();
        SplittableRandom rng = new SplittableRandom(1);
        int desired = 1;
        int changesAfterWarmUp = 0;
        for (int t = 1; t <= 600; t++) {
            int arrivals = (int) Math.round(200 + 20 * (rng.nextDouble() * 2 - 1));
            p.observe(second(t, arrivals, desired));
            int d = p.decide(t, desired).desired();
            if (t > 120 && d != desired) {
                changesAfterWarmUp++;
            }
            desired = d;
        }
        assertTrue(changesAfterWarmUp <= 2, changesAfterWarmUp + " changes under steady load");
        int steady = desired;
        for (int t = 601; t <= 720; t++) {
            p.observe(second(t, 50, desired));
            int d = p.decide(t, desired).desired();
            if (t < 660) {
                assertEquals(steady, d, "scaled down at " + t + " inside the hold window");
            }
            assertTrue(d >= desired - Math.max(1, desired / 4), "dropped from " + desired + " to " + d);
            desired = d;
        }
        assertTrue(desired < steady);
    }

    @Test
    void missingDataHoldsTheScale() {
        LatencyTargetPolicy p = policy();
        for (int t = 1; t <= 30; t++) {
            p.observe(second(t, 300, 10));
            p.decide(t, 10);
        }
        for (int t = 31; t <= 400; t++) {
            p.observe(LatencyObservation.missing(t, 1, 10, 0));
            LatencyDecision d = p.decide(t, 10);
            assertEquals(10, d.desired(), "never scale on no data");
            assertEquals("hold-no-data", d.reason());
        }
    }

    @Test
    void backlogScalesUpEvenWithoutCompletions() {
        LatencyTargetPolicy p = policy();
        p.observe(new LatencyObservation(1, 1, 50, 0, 0, Double.NaN, 0, 400, 390, 2, 0));
        int d = p.decide(1, 2).desired();
        // 50 req/s + 390 queued to clear in 2 s = 245 req/s at 15 ms, <= 50% busy: >= 8 pods
        assertTrue(d >= 8, "backlog must scale up, got " + d);
    }

    @Test
    void feedbackRaisesTheModelWhenTheObjectiveIsMissed() {
        LatencyTargetPolicy p = policy();
        int first = -1;
        int last = -1;
        for (int t = 1; t <= 120; t++) {
            // the model thinks 100 req/s is easy, but 5% of requests are slow (e.g. a noisy neighbour)
            p.observe(new LatencyObservation(t, 1, 100, 100, 5, Double.NaN, 0, 2, 0, 4, 0));
            LatencyDecision d = p.decide(t, Math.max(1, last));
            if (t == 1) {
                first = d.modelPods();
            }
            last = d.desired();
        }
        assertTrue(last > first, "correction must add pods: model " + first + ", desired " + last);
    }

    @Test
    void boundsAndScaleToZeroAfterIdle() {
        LatencyTargetPolicy bounded = new LatencyTargetPolicy(LatencyPolicyConfig.defaults()
                .withCapacity(1, 0.015, 5).withBounds(2, 5, 3), 0);
        assertEquals(3, bounded.initialScale());
        bounded.observe(second(1, 10_000, 3));
        assertEquals(5, bounded.decide(1, 3).desired(), "max-scale caps");
        LatencyTargetPolicy zero = new LatencyTargetPolicy(LatencyPolicyConfig.defaults()
                .withCapacity(1, 0.015, 5).withBounds(0, 0, 1).withShape(0.5, 0.1, 0, 1.0), 0);
        int desired = 1;
        for (int t = 1; t <= 299; t++) {
            zero.observe(second(t, 0, desired));
            desired = zero.decide(t, desired).desired();
            assertEquals(1, desired, "keeps one pod until idle for 300 s (t=" + t + ")");
        }
        zero.observe(second(300, 0, 1));
        assertEquals(0, zero.decide(300, 1).desired());
    }

    @Test
    void learnsTheServiceTimeFromUnsaturatedWindows() {
        LatencyTargetPolicy p = policy();
        for (int t = 1; t <= 100; t++) {
            p.observe(new LatencyObservation(t, 1, 100, 100, 0, 100 * 0.030, 100, 3, 0, 4, 0));
        }
        assertEquals(0.030, p.serviceS(), 0.001);
    }

    @Test
    void aStepIsMetAtOnceWithoutExtrapolatingItAsATrend() {
        LatencyTargetPolicy p = policy();
        int pods = 3;
        for (int t = 1; t <= 60; t++) {
            p.observe(second(t, 80, pods));
            pods = p.decide(t, pods).desired();
        }
        int needed = p.podsFor(400, 0.015);
        int peak = 0;
        for (int t = 61; t <= 90; t++) {
            // pods come up at once here: what is left to judge is how many the policy asks for
            p.observe(second(t, 400, pods));
            LatencyDecision d = p.decide(t, pods);
            if (t == 61) {
                assertTrue(d.desired() >= needed, "the first decision after the step must cover it: " + d);
            }
            pods = d.desired();
            peak = Math.max(peak, pods);
        }
        // the first second's extrapolation may add a little; a line fitted across the step would ask for about 2x
        assertTrue(peak <= Math.ceil(needed * 1.35), "peak " + peak + " for a level that needs " + needed);
    }

    @Test
    void missesWhileNewPodsStartDoNotCorrectTheModel() {
        LatencyTargetPolicy p = policy();
        for (int t = 1; t <= 30; t++) {
            // every answer is late, but the pods the model asked for are still starting: start-up lag, not model error
            p.observe(new LatencyObservation(t, 1, 300, 300, 300, Double.NaN, 0, 50, 0, 2, 8));
            p.decide(t, 10);
        }
        assertEquals(1.0, p.decide(31, 10).correction(), 1e-9);
        for (int t = 31; t <= 60; t++) {
            // the same misses with the planned pods all up for longer than a feedback window: the model is wrong
            p.observe(new LatencyObservation(t, 1, 300, 300, 300, Double.NaN, 0, 50, 0, 10, 0));
            p.decide(t, 10);
        }
        assertTrue(p.decide(61, 10).correction() > 1.0, "misses with the plan in place must raise the correction");
    }
}
