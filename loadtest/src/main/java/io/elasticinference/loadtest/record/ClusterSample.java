package io.elasticinference.loadtest.record;

/**
 * The serving side at one instant, for the per-second timeline. {@code -1} means "not known" (a real run without a
 * replica source knows none of these; a simulated run knows all of them).
 */
public record ClusterSample(double t, int desiredReplicas, int readyReplicas, int startingReplicas,
                            int inFlight, int queued) {
    public static final int UNKNOWN = -1;
}
