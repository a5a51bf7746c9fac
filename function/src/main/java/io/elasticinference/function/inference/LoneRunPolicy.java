package io.elasticinference.function.inference;

/**
 * Decides whether a run with no other in flight may take the wider lone-run session.
 *
 * <p>A lone run on every CPU is fast only while nothing else needs a CPU. Once requests come often enough that
 * another one usually arrives during a lone run, the two share the cores: the wide run stalls on its slowest thread,
 * and under load the function served its median request later than with one thread per run (measured on 2 cores at
 * 40 req/s: p50 48 vs 40 ms). So lone runs are allowed only while the recent arrival rate times a lone run's
 * duration (the expected number of arrivals during one) stays at or under {@code maxOverlap}.
 *
 * <p>Not thread-safe on its own: the lane calls it under its lock.
 */
final class LoneRunPolicy {

    /** Arrivals the rate is measured over: few enough to notice a burst within a fraction of a second. */
    static final int WINDOW = 8;
    /** Weight of the newest lone run in the smoothed duration. */
    private static final double SMOOTHING = 0.2;

    private final double maxOverlap;
    private final long[] arrivals = new long[WINDOW];
    private int count;
    private int next;
    private double loneRunNanos = Double.NaN;

    /** @param maxOverlap expected arrivals during one lone run above which runs stay on the shared session */
    LoneRunPolicy(double maxOverlap) {
        if (!(maxOverlap >= 0)) {
            throw new IllegalArgumentException("maxOverlap must be at least 0, got " + maxOverlap);
        }
        this.maxOverlap = maxOverlap;
    }

    void arrival(long nanos) {
        arrivals[next] = nanos;
        next = (next + 1) % WINDOW;
        count = Math.min(count + 1, WINDOW);
    }

    void loneRun(long nanos) {
        loneRunNanos = Double.isNaN(loneRunNanos) ? nanos : loneRunNanos + SMOOTHING * (nanos - loneRunNanos);
    }

    /** Whether a run starting at {@code now} (with no other in flight) may go to the lone session. */
    boolean allows(long now) {
        if (Double.isNaN(loneRunNanos) || count < WINDOW) {
            return true; // too little seen to call it busy
        }
        long oldest = arrivals[next]; // the ring is full: the slot to be overwritten next is the oldest
        // WINDOW arrivals are WINDOW - 1 gaps; a quiet spell since the newest one lowers the rate, as it should.
        double span = Math.max(1, now - oldest);
        double expectedDuringOne = (WINDOW - 1) * loneRunNanos / span;
        return expectedDuringOne <= maxOverlap;
    }
}
