package io.elasticinference.autoscaler.policy.kpa;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reconciler's part (knative/serving pkg/reconciler/autoscaling/kpa/scaler.go): bounds and scale to zero. */
class KpaScaleBoundsTest {

    @Test
    void minAndMaxBoundTheDecidersWish() {
        KpaScaleBounds b = new KpaScaleBounds(new KpaScaleBounds.Settings(2, 5, 1, true, 30, 0, 60), 0);
        assertEquals(2, b.apply(1, 1, 2, 2));
        assertEquals(5, b.apply(2, 50, 2, 2));
        assertEquals(3, b.apply(3, 3, 2, 2));
        assertEquals(2, b.apply(4, 0, 2, 2), "min-scale 2 never goes to zero");
    }

    @Test
    void noDecisionLeavesTheScaleAlone() {
        KpaScaleBounds b = new KpaScaleBounds(KpaScaleBounds.Settings.defaults(), 0);
        assertEquals(7, b.apply(1, -1, 7, 7));
    }

    @Test
    void initialScaleHoldsUntilReachedOnce() {
        KpaScaleBounds b = new KpaScaleBounds(new KpaScaleBounds.Settings(0, 0, 3, true, 30, 0, 60), 0);
        assertEquals(3, b.apply(1, 1, 0, 3), "not yet initialised: initial scale is the floor");
        assertEquals(3, b.apply(2, 1, 2, 3));
        assertEquals(1, b.apply(3, 1, 3, 3), "reached once: the decider rules");
    }

    @Test
    void scaleToZeroAfterAStableWindowActiveThenTheGracePeriod() {
        KpaScaleBounds b = new KpaScaleBounds(KpaScaleBounds.Settings.defaults(), 0);
        assertEquals(1, b.apply(10, 0, 1, 1), "active for less than the stable window: keep one pod");
        assertFalse(b.inactive());
        assertEquals(1, b.apply(60, 0, 1, 1), "active for 60 s: becomes inactive, scale not applied yet");
        assertTrue(b.inactive(), "the activator goes in the path");
        assertEquals(1, b.apply(80, 0, 1, 1), "inside the 30 s grace period");
        assertEquals(0, b.apply(90, 0, 1, 1), "grace period over");
        assertEquals(2, b.apply(95, 2, 0, 0), "traffic again: active, scaled up");
        assertFalse(b.inactive());
    }

    @Test
    void lastPodRetentionExtendsTheWait() {
        KpaScaleBounds b = new KpaScaleBounds(new KpaScaleBounds.Settings(0, 0, 1, true, 30, 120, 60), 0);
        b.apply(60, 0, 1, 1);
        assertEquals(1, b.apply(150, 0, 1, 1));
        assertEquals(0, b.apply(180, 0, 1, 1));
    }

    @Test
    void scaleToZeroDisabledKeepsOnePod() {
        KpaScaleBounds b = new KpaScaleBounds(new KpaScaleBounds.Settings(0, 0, 1, false, 30, 0, 60), 0);
        assertEquals(1, b.apply(1000, 0, 1, 1));
    }

    @Test
    void invalidBoundsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new KpaScaleBounds.Settings(5, 2, 1, true, 30, 0, 60));
    }
}
