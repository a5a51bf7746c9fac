package io.elasticinference.function.model;

/**
 * The smallest and largest value a tensor took during calibration, and the 8-bit encoding derived from them.
 *
 * @param min smallest value seen (at most 0: zero must be exactly representable, since padding and ReLU produce it)
 * @param max largest value seen (at least 0)
 */
public record ActivationRange(float min, float max) {

    private static final int LEVELS = 255;

    public ActivationRange {
        if (!(min <= 0 && max >= 0) || !Float.isFinite(min) || !Float.isFinite(max)) {
            throw new IllegalArgumentException("a range must be finite and contain 0: [" + min + ", " + max + "]");
        }
    }

    /** The range of {@code values}, widened to contain 0. */
    public static ActivationRange of(float[] values) {
        float min = 0;
        float max = 0;
        for (float v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return new ActivationRange(min, max);
    }

    /** The range covering both. */
    public ActivationRange union(ActivationRange other) {
        return new ActivationRange(Math.min(min, other.min), Math.max(max, other.max));
    }

    /**
     * The uint8 step between two levels. A tensor that was always 0 (possible for a ReLU output on random weights)
     * still needs a positive scale to be a valid encoding; any will do, since only 0 occurs.
     */
    public float scale() {
        float scale = (max - min) / LEVELS;
        return scale > 0 ? scale : 1f / LEVELS;
    }

    /** The uint8 level that stands for 0. */
    public int zeroPoint() {
        return Math.max(0, Math.min(LEVELS, Math.round(-min / scale())));
    }
}
