package io.elasticinference.loadtest.workload;

import java.util.Arrays;
import java.util.SplittableRandom;

/** How the requests of one workload second are spread inside that second. */
public enum ArrivalModel {
    /** A Poisson process conditioned on the second's count: that many independent uniform times, sorted. */
    POISSON,
    /** Evenly spaced, the first half a gap after the second starts (what an open-loop pacer does). */
    UNIFORM,
    /** All at the start of the second: the harshest burst a per-second workload allows. */
    ALL_AT_ONCE;

    /** Fills {@code out[0..n)} with sorted offsets in [0, 1) seconds. */
    public void offsets(int n, SplittableRandom rng, double[] out) {
        switch (this) {
            case POISSON -> {
                for (int i = 0; i < n; i++) {
                    out[i] = rng.nextDouble();
                }
                Arrays.sort(out, 0, n);
            }
            case UNIFORM -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (i + 0.5) / n;
                }
            }
            case ALL_AT_ONCE -> Arrays.fill(out, 0, n, 0.0);
        }
    }

    public static ArrivalModel parse(String s) {
        return switch (s.trim().toLowerCase().replace('-', '_')) {
            case "poisson" -> POISSON;
            case "uniform" -> UNIFORM;
            case "all_at_once", "burst", "step" -> ALL_AT_ONCE;
            default -> throw new IllegalArgumentException(
                    "unknown arrival model '" + s + "' (expected poisson, uniform or all-at-once)");
        };
    }
}
