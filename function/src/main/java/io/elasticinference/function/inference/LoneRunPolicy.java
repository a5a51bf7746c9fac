package io.elasticinference.function.inference;

/**
 * Decides whether a run with no other in flight may take the wider lone-run session.
 *
 * <p>A lone run on every CPU is fast only while nothing else needs a CPU. A request that arrives during one runs
 * beside it on the shared session, the two share the cores and the wide run stalls on its slowest thread: under load
 * the function served its median request later than with one thread per run (measured on 2 cores at 40 req/s, before
 * this policy: p50 48 vs 40 ms). So the policy watches what it is about: of the recent runs that started with nothing
 * else in flight or waiting (on either session), the share during which another request arrived. Above
 * {@code maxOverlap} such runs stay on the shared session, and they keep being watched, so lone runs come back when
 * the traffic thins out.
 *
 * <p>Watching overlaps rather than estimating an arrival rate matters for the one-request-at-a-time client: its next
 * request comes right after the answer, at a rate that looks busy next to a run's duration, yet never overlaps one.
 *
 * <p>Not thread-safe on its own: the lane calls it under its lock.
 */
final class LoneRunPolicy {

    /** Runs remembered: enough for a share in steps of ~6%, few enough to follow a change of traffic in seconds. */
    static final int WINDOW = 16;

    private final double maxOverlap;
    private final boolean[] overlapped = new boolean[WINDOW];
    private int next;
    private int overlaps;

    /** @param maxOverlap largest share of watched runs with an arrival during them at which lone runs go on */
    LoneRunPolicy(double maxOverlap) {
        if (!(maxOverlap >= 0 && maxOverlap <= 1)) {
            throw new IllegalArgumentException("maxOverlap must be between 0 and 1, got " + maxOverlap);
        }
        this.maxOverlap = maxOverlap;
    }

    /** A run that started with nothing else in flight or waiting has ended; whether a request arrived meanwhile. */
    void watched(boolean arrivalDuringIt) {
        if (overlapped[next]) {
            overlaps--;
        }
        overlapped[next] = arrivalDuringIt;
        if (arrivalDuringIt) {
            overlaps++;
        }
        next = (next + 1) % WINDOW;
    }

    /**
     * Whether the next such run may go to the lone session. Runs not yet seen count as without overlap: a new
     * function starts out serving lone requests fast.
     */
    boolean allows() {
        return overlaps <= maxOverlap * WINDOW;
    }
}
