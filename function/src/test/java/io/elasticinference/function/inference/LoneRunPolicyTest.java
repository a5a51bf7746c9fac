package io.elasticinference.function.inference;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoneRunPolicyTest {

    private static final long MS = 1_000_000;

    /** Arrivals every {@code gapMs}, each followed by a lone run of {@code runMs}; then asks about the next one. */
    private static boolean afterSteadyArrivals(LoneRunPolicy policy, long gapMs, long runMs) {
        long t = 0;
        for (int i = 0; i < 3 * LoneRunPolicy.WINDOW; i++) {
            t += gapMs * MS;
            policy.arrival(t);
            policy.loneRun(runMs * MS);
        }
        return policy.allows(t);
    }

    @Test
    void oneRequestAtATimeRunsAloneAndABusyLaneDoesNot() {
        // 10 req/s, 13 ms lone runs: 0.13 arrivals expected during one
        assertTrue(afterSteadyArrivals(new LoneRunPolicy(0.3), 100, 13));
        // 40 req/s: 0.52
        assertFalse(afterSteadyArrivals(new LoneRunPolicy(0.3), 25, 13));
        // the boundary: 20 req/s x 15 ms = 0.3
        assertTrue(afterSteadyArrivals(new LoneRunPolicy(0.3), 50, 15));
        assertFalse(afterSteadyArrivals(new LoneRunPolicy(0.3), 49, 15));
    }

    @Test
    void untilItHasSeenEnoughItAllows() {
        LoneRunPolicy policy = new LoneRunPolicy(0.3);
        assertTrue(policy.allows(0));
        for (int i = 1; i < LoneRunPolicy.WINDOW; i++) {
            policy.arrival(i * MS); // 1000 req/s, but fewer arrivals than the window
            policy.loneRun(13 * MS);
        }
        assertTrue(policy.allows(LoneRunPolicy.WINDOW * MS));
        policy.arrival(LoneRunPolicy.WINDOW * MS);
        assertFalse(policy.allows(LoneRunPolicy.WINDOW * MS));
    }

    @Test
    void aBurstStopsLoneRunsWithinAWindowOfArrivalsAndAQuietSpellBringsThemBack() {
        LoneRunPolicy policy = new LoneRunPolicy(0.3);
        assertTrue(afterSteadyArrivals(policy, 1000, 13));
        long t = 100_000 * MS;
        for (int i = 0; i < LoneRunPolicy.WINDOW; i++) {
            t += 10 * MS; // 100 req/s
            policy.arrival(t);
        }
        assertFalse(policy.allows(t));
        // nothing arrives for a second: the last WINDOW arrivals now span over a second
        assertTrue(policy.allows(t + 1000 * MS));
    }

    @Test
    void maxOverlapZeroMeansNeverOnceMeasuredAndNegativeIsRefused() {
        assertFalse(afterSteadyArrivals(new LoneRunPolicy(0), 1000, 13));
        assertThrows(IllegalArgumentException.class, () -> new LoneRunPolicy(-0.1));
        assertThrows(IllegalArgumentException.class, () -> new LoneRunPolicy(Double.NaN));
    }
}
