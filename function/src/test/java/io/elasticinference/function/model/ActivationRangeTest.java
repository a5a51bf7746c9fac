package io.elasticinference.function.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The uint8 encoding of a calibrated range: zero exact, the range covered, degenerate ranges still valid. */
class ActivationRangeTest {

    @Test
    void zeroIsExactlyRepresentedAndTheEndsAreCovered() {
        ActivationRange r = ActivationRange.of(new float[]{-2.1f, 0.3f, 2.6f});
        assertEquals(-2.1f, r.min());
        assertEquals(2.6f, r.max());
        float zeroDecoded = (r.zeroPoint() - r.zeroPoint()) * r.scale();
        assertEquals(0f, zeroDecoded);
        assertEquals(-2.1f, (0 - r.zeroPoint()) * r.scale(), r.scale());
        assertEquals(2.6f, (255 - r.zeroPoint()) * r.scale(), r.scale());
    }

    @Test
    void aReluOutputUsesEveryLevelForPositives() {
        ActivationRange r = ActivationRange.of(new float[]{0f, 4f, 1f});
        assertEquals(0, r.zeroPoint());
        assertEquals(4f / 255, r.scale(), 1e-9);
    }

    @Test
    void valuesAllOnOneSideStillContainZero() {
        ActivationRange r = ActivationRange.of(new float[]{3f, 5f});
        assertEquals(0f, r.min());
        assertEquals(new ActivationRange(-1f, 5f), r.union(new ActivationRange(-1f, 2f)));
    }

    @Test
    void aTensorThatWasAlwaysZeroStillHasAValidEncoding() {
        ActivationRange r = ActivationRange.of(new float[]{0f, 0f});
        assertTrue(r.scale() > 0);
        assertEquals(0, r.zeroPoint());
    }

    @Test
    void rangesWithoutZeroOrNotFiniteAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ActivationRange(1f, 2f));
        assertThrows(IllegalArgumentException.class, () -> new ActivationRange(-1f, Float.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> new ActivationRange(Float.NaN, 1f));
    }
}
