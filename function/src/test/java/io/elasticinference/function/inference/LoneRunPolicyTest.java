package io.elasticinference.function.inference;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoneRunPolicyTest {

    private static void watch(LoneRunPolicy policy, int runs, boolean overlapped) {
        for (int i = 0; i < runs; i++) {
            policy.watched(overlapped);
        }
    }

    @Test
    void runsWithoutOverlapKeepLoneRunsOnAndANewPolicyAllows() {
        LoneRunPolicy policy = new LoneRunPolicy(0.3);
        assertTrue(policy.allows(), "nothing seen yet");
        watch(policy, 3 * LoneRunPolicy.WINDOW, false);
        assertTrue(policy.allows());
    }

    @Test
    void theShareOfOverlappedRunsDecidesAtTheBoundary() {
        LoneRunPolicy policy = new LoneRunPolicy(0.25); // 4 of 16
        watch(policy, LoneRunPolicy.WINDOW, false);
        watch(policy, 4, true);
        assertTrue(policy.allows(), "4 of the last 16 overlapped: 0.25 is still allowed");
        watch(policy, 1, true);
        assertFalse(policy.allows(), "5 of 16");
    }

    @Test
    void aBusySpellStopsLoneRunsAndQuietRunsBringThemBackAsTheOverlapsAgeOut() {
        LoneRunPolicy policy = new LoneRunPolicy(0.3);
        watch(policy, LoneRunPolicy.WINDOW, true);
        assertFalse(policy.allows());
        watch(policy, LoneRunPolicy.WINDOW - 5, false);
        assertFalse(policy.allows(), "5 overlaps of 16 are still over 0.3");
        watch(policy, 1, false);
        assertTrue(policy.allows(), "4 of 16");
    }

    @Test
    void zeroMeansNotOnceAnOverlapWasSeenAndNonsenseIsRefused() {
        LoneRunPolicy never = new LoneRunPolicy(0);
        assertTrue(never.allows());
        never.watched(true);
        assertFalse(never.allows());
        assertTrue(new LoneRunPolicy(1).allows());
        assertThrows(IllegalArgumentException.class, () -> new LoneRunPolicy(-0.1));
        assertThrows(IllegalArgumentException.class, () -> new LoneRunPolicy(1.5));
        assertThrows(IllegalArgumentException.class, () -> new LoneRunPolicy(Double.NaN));
    }
}
