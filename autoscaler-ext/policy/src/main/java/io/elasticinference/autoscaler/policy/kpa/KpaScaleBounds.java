package io.elasticinference.autoscaler.policy.kpa;

/**
 * What the KPA reconciler does with the decider's wish before it touches the Deployment (knative/serving
 * pkg/reconciler/autoscaling/kpa/scaler.go {@code scale}, {@code applyBounds}, {@code handleScaleToZero}):
 * min/max scale, initial scale until the revision first reached it, and scale to zero only after the revision was
 * active for a stable window and then inactive (activator in the path) for the scale-to-zero grace period, or the
 * last-pod retention period if longer.
 *
 * <p>Simplified where Knative depends on cluster state: activation time-outs and activator probes are not modelled.
 */
public final class KpaScaleBounds {

    /**
     * @param minScale                  autoscaling.knative.dev/min-scale (0 = none)
     * @param maxScale                  autoscaling.knative.dev/max-scale (0 = unbounded)
     * @param initialScale              autoscaling.knative.dev/initial-scale (default 1)
     * @param enableScaleToZero         enable-scale-to-zero (default true)
     * @param scaleToZeroGraceS         scale-to-zero-grace-period (default 30 s)
     * @param lastPodRetentionS         scale-to-zero-pod-retention-period (default 0 s)
     * @param stableWindowS             stable-window (default 60 s)
     */
    public record Settings(int minScale, int maxScale, int initialScale, boolean enableScaleToZero,
                           double scaleToZeroGraceS, double lastPodRetentionS, double stableWindowS) {
        public Settings {
            if (minScale < 0 || maxScale < 0 || (maxScale > 0 && minScale > maxScale) || initialScale < 0) {
                throw new IllegalArgumentException("need 0 <= min-scale <= max-scale (max 0 = unbounded)");
            }
        }

        public static Settings defaults() {
            return new Settings(0, 0, 1, true, 30, 0, 60);
        }
    }

    private final Settings settings;
    private boolean initialized;
    private boolean active = true;
    private double activeSince;
    private double inactiveSince = Double.NaN;

    public KpaScaleBounds(Settings settings, double nowS) {
        this.settings = settings;
        this.activeSince = nowS;
    }

    /**
     * @param desired      the decider's wish, -1 when it had no data
     * @param readyPods    ready pods now
     * @param currentScale the Deployment's replicas now
     * @return the replicas to set
     */
    public int apply(double nowS, int desired, int readyPods, int currentScale) {
        if (readyPods >= settings.initialScale()) {
            initialized = true;
        }
        if (desired < 0) {
            return currentScale; // no metrics yet: leave the scale alone
        }
        int min = settings.minScale();
        if (settings.initialScale() > 1 && !initialized) {
            min = Math.max(min, settings.initialScale());
        }
        int want = desired < min ? min : (settings.maxScale() != 0 && desired > settings.maxScale()
                ? settings.maxScale() : desired);
        if (want != 0) {
            if (!active) {
                active = true;
                activeSince = nowS;
                inactiveSince = Double.NaN;
            }
            return want;
        }
        if (!settings.enableScaleToZero()) {
            return 1;
        }
        if (active) {
            if (nowS - activeSince >= settings.stableWindowS()) {
                active = false;
                inactiveSince = nowS;
                return currentScale;
            }
            return 1;
        }
        double wait = Math.max(settings.scaleToZeroGraceS(), settings.lastPodRetentionS());
        return nowS - inactiveSince >= wait ? 0 : currentScale;
    }

    /** Whether the activator sits in the data path because the revision is inactive (SKS in proxy mode). */
    public boolean inactive() {
        return !active;
    }
}
