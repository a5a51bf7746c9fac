package io.elasticinference.autoscaler.policy.kpa;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scenarios of knative/serving pkg/autoscaler/scaling/autoscaler_test.go, with the same inputs and expected
 * outputs. As upstream, the tests feed the window averages directly (upstream uses a fake metric client), with a
 * 75% utilisation (total = target / 0.75), panic threshold 2, max scale up/down rate 10, a 60 s stable window.
 */
class KpaDeciderTest {

    private static final double UTILIZATION = 0.75;
    private static final long STABLE_WINDOW = 60;
    private static final double TICK = 2;

    static DeciderSpec spec(double target, double tbc) {
        return new DeciderSpec(false, target, target / UTILIZATION, tbc, 2, 10, 10, STABLE_WINDOW, 6, 0, 1, true,
                false);
    }

    static int ebc(double totCap, double targetBc, double recorded, double pods) {
        return (int) Math.floor(totCap / UTILIZATION * pods - targetBc - recorded);
    }

    static KpaDecider decider(double target, double tbc) {
        return new KpaDecider(spec(target, tbc), 1, 0);
    }

    static void expect(KpaDecision d, int desired, int ebc) {
        assertTrue(d.valid());
        assertEquals(desired, d.desiredPodCount(), "desired");
        assertEquals(ebc, d.excessBurstCapacity(), "excess burst capacity");
    }

    @Test
    void stableModeIncreaseWithConcurrencyDefault() {
        KpaDecider a = decider(10, 101);
        expect(a.decide(0, 1, 50, 10), 5, ebc(10, 101, 10, 1));
        expect(a.decide(0, 1, 100, 10), 10, ebc(10, 101, 10, 1));
    }

    @Test
    void stableModeIncreaseWithRps() {
        DeciderSpec s = spec(10, 101);
        KpaDecider a = new KpaDecider(new DeciderSpec(true, s.targetValue(), s.totalValue(), 101, 2, 10, 10, 60, 6,
                0, 1, true, false), 1, 0);
        expect(a.decide(0, 1, 50, 50), 5, ebc(10, 101, 50, 1));
        expect(a.decide(0, 1, 100, 99), 10, ebc(10, 101, 99, 1));
    }

    @Test
    void unpanicAfterSlowIncrease() {
        KpaDecider a = decider(1, 98);
        double start = 1000;
        expect(a.decide(start, 10, 11, 25), 25, ebc(1, 98, 25, 10));
        assertEquals(start, a.panicSince());
        double tm = start + STABLE_WINDOW / 2.0;
        expect(a.decide(tm, 40, 30, 41), 41, ebc(1, 98, 41, 40));
        assertEquals(start, a.panicSince(), "panic time must not move");
        tm += STABLE_WINDOW / 2.0 + TICK;
        expect(a.decide(tm, 55, 50, 56), 50, ebc(1, 98, 56, 55));
        assertFalse(a.panicking());
    }

    @Test
    void extendPanicWindow() {
        KpaDecider a = decider(1, 98);
        double start = 1000;
        expect(a.decide(start, 10, 11, 25), 25, ebc(1, 98, 25, 10));
        double tm = start + STABLE_WINDOW / 2.0;
        expect(a.decide(tm, 40, 30, 80), 80, ebc(1, 98, 80, 40));
        assertEquals(tm, a.panicSince());
    }

    @Test
    void stableModeDecrease() {
        KpaDecider a = decider(10, 98);
        expect(a.decide(0, 8, 100, 100), 10, ebc(10, 98, 100, 8));
        expect(a.decide(0, 8, 50, 50), 5, ebc(10, 98, 50, 8));
    }

    @Test
    void stableModeNoTrafficScaleToZero() {
        KpaDecider a = decider(10, 75);
        expect(a.decide(0, 1, 1, 0), 1, ebc(10, 75, 0, 1));
        expect(a.decide(0, 1, 0, 0), 0, ebc(10, 75, 0, 1));
    }

    @Test
    void activationScale() {
        DeciderSpec s = spec(10, 75);
        KpaDecider a = new KpaDecider(new DeciderSpec(false, 10, s.totalValue(), 75, 2, 10, 10, 60, 6, 0, 2, true,
                false), 1, 0);
        expect(a.decide(0, 1, 0, 0), 0, ebc(10, 75, 0, 1));
        expect(a.decide(0, 1, 1, 0), 2, ebc(10, 75, 0, 1));
    }

    @Test
    void panicModeExponentialTrackAndStabilize() {
        KpaDecider a = decider(1, 101);
        expect(a.decide(0, 1, 6, 6), 6, ebc(1, 101, 6, 1));
        double tm = 5;
        expect(a.decide(tm, 6, 36, 36), 36, ebc(1, 101, 36, 6));
        assertEquals(tm, a.panicSince());
        tm += 1;
        expect(a.decide(tm, 36, 216, 216), 216, ebc(1, 101, 216, 36));
        assertEquals(tm, a.panicSince());
        expect(a.decide(tm, 216, 1296, 1296), 1296, ebc(1, 101, 1296, 216));
        tm += 1;
        expect(a.decide(tm, 1296, 1296, 1296), 1296, ebc(1, 101, 1296, 1296));
    }

    @Test
    void scaleTable() {
        expect(decider(181, -1).decide(0, 1, 21, 26), 1, -1); // unlimited TBC
        expect(decider(10, 0).decide(0, 1, 50, 49), 5, 0); // zero TBC
        expect(decider(10, 100).decide(0, 1, 50, 50), 5, ebc(10, 100, 50, 1));
        expect(decider(10, 100).decide(0, 5, 50, 50), 5, ebc(10, 100, 50, 5));
        expect(decider(10, 84).decide(0, 1, 50, 100), 10, ebc(10, 84, 100, 1)); // panic doubles

        KpaDecider stableLarger = decider(1, 100);
        stableLarger.presetPanic(-5, 5);
        expect(stableLarger.decide(0, 5, 50, 30), 50, ebc(1, 100, 30, 5));
        KpaDecider stableSmaller = decider(1, 100);
        stableSmaller.presetPanic(-5, 5);
        expect(stableSmaller.decide(0, 5, 20, 30), 30, ebc(1, 100, 30, 5));

        KpaDecider smallUpRate = new KpaDecider(new DeciderSpec(false, 1, 1 / UTILIZATION, 1982, 2, 1.1, 10, 60, 6,
                0, 1, true, false), 1, 0);
        expect(smallUpRate.decide(0, 2, 3, 3.1), 3, ebc(1, 1982, 3.1, 2));
        KpaDecider smallDownRate = new KpaDecider(new DeciderSpec(false, 10, 10 / UTILIZATION, 1982, 2, 10, 1.1, 60,
                6, 0, 1, true, false), 1, 0);
        expect(smallDownRate.decide(0, 100, 1, 1), 90, ebc(10, 1982, 1, 100));
        KpaDecider notReachable = new KpaDecider(new DeciderSpec(false, 10, 10 / UTILIZATION, 1982, 2, 10, 1.1, 60,
                6, 0, 1, false, false), 1, 0);
        expect(notReachable.decide(0, 100, 1, 1), 1, ebc(10, 1982, 1, 100));
    }

    @Test
    void panicThenUnpanicScaleDown() {
        KpaDecider a = decider(10, 93);
        expect(a.decide(0, 1, 100, 100), 10, ebc(10, 93, 100, 1));
        double panicTime = 10;
        expect(a.decide(panicTime, 10, 100, 1000), 100, ebc(10, 93, 1000, 10));
        expect(a.decide(panicTime + 30, 10, 1, 1), 100, ebc(10, 93, 1, 10)); // still panicking: no scale down
        expect(a.decide(panicTime + 61, 10, 1, 1), 1, ebc(10, 93, 1, 10));
    }

    @Test
    void rateLimits() {
        KpaDecider up = decider(10, 61);
        expect(up.decide(0, 1, 1000, 1001), 10, ebc(10, 61, 1001, 1));
        expect(up.decide(0, 10, 1000, 1001), 100, ebc(10, 61, 1001, 10));
        KpaDecider down = decider(10, 61);
        expect(down.decide(0, 100, 1, 1), 10, ebc(10, 61, 1, 100));
        expect(down.decide(0, 10, 1, 1), 1, ebc(10, 61, 1, 10));
    }

    @Test
    void useOnePodAsMinimumWhenNoneReady() {
        expect(decider(10, 81).decide(0, 0, 1000, 1000), 10, ebc(10, 81, 1000, 0));
    }

    @Test
    void startsInPanicWithMoreThanOnePodAndKeepsTheScale() {
        KpaDecider a = new KpaDecider(spec(100, 101), 2, 0);
        assertTrue(a.panicking());
        expect(a.decide(1, 2, 10, 10), 2, ebc(100, 101, 10, 2));
        assertFalse(new KpaDecider(spec(100, 101), 1, 0).panicking());
    }

    @Test
    void scaleDownDelay() {
        KpaDecider a = new KpaDecider(new DeciderSpec(false, 10, 10, 0, 100, 10, 10, 60, 6, 300, 1, true, false), 0, 0);
        assertEquals(4, a.decide(2, 0, 40, 40).desiredPodCount());
        assertEquals(4, a.decide(300, 0, 0, 0).desiredPodCount()); // within the 5 minute delay
        assertEquals(0, a.decide(302, 0, 0, 0).desiredPodCount());
        // gradual
        assertEquals(4, a.decide(540, 0, 40, 40).desiredPodCount());
        assertEquals(4, a.decide(600, 0, 30, 30).desiredPodCount());
        assertEquals(4, a.decide(660, 0, 0, 0).desiredPodCount());
        assertEquals(3, a.decide(840, 0, 0, 0).desiredPodCount());
        assertEquals(0, a.decide(900, 0, 0, 0).desiredPodCount());
    }

    @Test
    void scaleDownDelayIgnoredWhenNotReachable() {
        KpaDecider a = new KpaDecider(new DeciderSpec(false, 10, 10, 0, 100, 10, 10, 60, 6, 300, 1, false, false),
                0, 0);
        assertEquals(4, a.decide(2, 0, 40, 40).desiredPodCount());
        assertEquals(0, a.decide(3, 0, 0, 0).desiredPodCount());
    }

    @Test
    void noDataNoDecision() {
        KpaDecider a = decider(10, 100);
        KpaDecision d = a.scale(5, 1);
        assertFalse(d.valid());
        assertEquals(-1, d.desiredPodCount());
    }

    @Test
    void recordedObservationsFeedTheWindows() {
        KpaDecider a = decider(10, 100);
        for (int t = 0; t < 60; t++) {
            a.record(t + 0.5, 50, 0);
        }
        KpaDecision d = a.scale(59.9, 1);
        assertEquals(50, d.observedStable(), 1e-9);
        assertEquals(50, d.observedPanic(), 1e-9);
        assertEquals(5, d.desiredPodCount());
    }
}
