package io.elasticinference.loadtest.simulation;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Knative's KPA as the simulator drives it: every second the revision-wide time-averaged concurrency (queue-proxies,
 * including their queued requests, plus the activator's buffer; Knative's collector subtracts proxied requests so
 * nothing is counted twice) goes into 1-second buckets; every 2 s the decider runs, then the KPA reconciler's
 * bounds and scale-to-zero.
 *
 * <p>The decider follows knative/serving pkg/autoscaler/scaling/autoscaler.go {@code Scale}: stable and panic
 * windowed averages (pkg/autoscaler/aggregation, linear averaging over the buckets seen so far), desired =
 * ceil(observed / (target x utilisation)) bounded by the max scale-up / scale-down rates of the ready pods, entering
 * panic when the panic-window demand is at least panic-threshold x ready pods, never scaling down while panicking
 * and leaving panic a stable window after the last over-threshold tick; the scale-down delay window; excess burst
 * capacity = floor(ready x total - TBC - panic concurrency) (pkg/reconciler/autoscaling/resources/target.go gives
 * target = total x utilisation, total = containerConcurrency or the 100 default). The reconciler
 * (pkg/reconciler/autoscaling/kpa/scaler.go) applies min/max scale and scales to zero only after the activator has
 * been in the path for the grace period.
 *
 * <p>The policy module's {@code KpaDecider} is the product's port; this is the simulator's own, kept small.
 */
public final class KpaAutoscaler implements SimAutoscaler {

    /**
     * @param target                  per-pod concurrency target (autoscaling.knative.dev/target), or the default 100
     * @param utilisation             target utilisation (0.7)
     * @param containerConcurrency    the revision's containerConcurrency (caps the target; 0 = none)
     * @param stableWindowS           60 s
     * @param panicWindowPercentage   10 (% of the stable window)
     * @param panicThresholdPercentage 200
     * @param maxScaleUpRate          1000
     * @param maxScaleDownRate        2
     * @param targetBurstCapacity     211; -1 = activator always in the path; 0 = only at zero
     * @param scaleDownDelayS         0
     * @param scaleToZeroGraceS       30
     * @param minScale                0 (scale to zero allowed)
     * @param maxScale                0 = unbounded
     * @param initialScale            1
     * @param tickS                   decider period, 2 s
     */
    public record Config(double target, double utilisation, int containerConcurrency, double stableWindowS,
                         double panicWindowPercentage, double panicThresholdPercentage, double maxScaleUpRate,
                         double maxScaleDownRate, double targetBurstCapacity, double scaleDownDelayS,
                         double scaleToZeroGraceS, int minScale, int maxScale, int initialScale, double tickS) {
        public Config {
            if (!(target > 0) || !(utilisation > 0) || utilisation > 1 || stableWindowS < 6 || !(tickS > 0)
                    || minScale < 0 || maxScale < 0 || (maxScale > 0 && maxScale < minScale) || initialScale < 0) {
                throw new IllegalArgumentException("invalid KPA config " + this);
            }
        }

        public static Config defaults() {
            return new Config(100, 0.7, 0, 60, 10, 200, 1000, 2, 211, 0, 30, 0, 0, 1, 2);
        }

        /** total: the per-pod capacity the target is a fraction of (target.go). */
        double total() {
            return containerConcurrency > 0 ? Math.min(target, containerConcurrency) : target;
        }

        double targetValue() {
            return Math.max(0.01, total() * utilisation);
        }
    }

    private final Config config;
    private final int stableBuckets;
    private final int panicBuckets;
    private final double[] buckets;
    private int bucketCount;

    private double panicSinceS = Double.NaN;
    private int maxPanicPods;
    private final Deque<double[]> delayWindow = new ArrayDeque<>();
    private double proxySinceS = Double.NaN;
    private boolean reachedInitialScale;

    public KpaAutoscaler(Config config) {
        this.config = config;
        this.stableBuckets = (int) Math.round(config.stableWindowS());
        this.panicBuckets = Math.max(1, (int) Math.round(config.stableWindowS() * config.panicWindowPercentage() / 100));
        this.buckets = new double[stableBuckets];
    }

    @Override
    public String name() {
        return "kpa";
    }

    @Override
    public double tickIntervalS() {
        return config.tickS();
    }

    @Override
    public int initialReplicas() {
        return Math.max(config.initialScale(), config.minScale());
    }

    @Override
    public void observe(SecondStats stats) {
        buckets[bucketCount % buckets.length] = stats.avgConcurrency();
        bucketCount++;
    }

    /** Linear average over the last {@code window} buckets, or over all seen when fewer (bucketing.go). */
    private double windowAverage(int window) {
        int n = Math.min(window, bucketCount);
        double sum = 0;
        for (int i = 1; i <= n; i++) {
            sum += buckets[(bucketCount - i) % buckets.length];
        }
        return sum / n;
    }

    /** The decider alone: desired pods before the reconciler, and the excess burst capacity. */
    record Scale(int desired, double excessBurstCapacity, boolean panicking) {
    }

    Scale scale(double nowS, int readyPods) {
        if (bucketCount == 0) {
            return new Scale(-1, -1, false);
        }
        double ready = Math.max(1, readyPods);
        double stable = windowAverage(stableBuckets);
        double panic = windowAverage(panicBuckets);
        double maxUp = Math.ceil(config.maxScaleUpRate() * ready);
        double maxDown = Math.floor(ready / config.maxScaleDownRate());
        double dspc = Math.ceil(stable / config.targetValue());
        double dppc = Math.ceil(panic / config.targetValue());
        int desiredStable = (int) Math.min(Math.max(dspc, maxDown), maxUp);
        int desiredPanic = (int) Math.min(Math.max(dppc, maxDown), maxUp);
        boolean over = dppc / ready >= config.panicThresholdPercentage() / 100;
        if (Double.isNaN(panicSinceS) && over) {
            panicSinceS = nowS;
        } else if (over) {
            panicSinceS = nowS;
        } else if (!Double.isNaN(panicSinceS) && panicSinceS + config.stableWindowS() < nowS) {
            panicSinceS = Double.NaN;
            maxPanicPods = 0;
        }
        int desired = desiredStable;
        if (!Double.isNaN(panicSinceS)) {
            desired = Math.max(desired, desiredPanic);
            maxPanicPods = Math.max(maxPanicPods, desired);
            desired = maxPanicPods;
        }
        if (config.scaleDownDelayS() > 0) {
            delayWindow.addLast(new double[] {nowS, desired});
            while (delayWindow.peekFirst()[0] <= nowS - config.scaleDownDelayS()) {
                delayWindow.removeFirst();
            }
            for (double[] d : delayWindow) {
                desired = Math.max(desired, (int) d[1]);
            }
        }
        double ebc;
        if (config.targetBurstCapacity() == 0) {
            ebc = 0;
        } else if (config.targetBurstCapacity() > 0) {
            ebc = Math.floor(readyPods * config.total() - config.targetBurstCapacity() - panic);
        } else {
            ebc = -1;
        }
        return new Scale(desired, ebc, !Double.isNaN(panicSinceS));
    }

    @Override
    public Decision decide(double nowS, PodCounts pods) {
        Scale s = scale(nowS, pods.ready());
        boolean proxy = s.excessBurstCapacity() < 0 || pods.ready() == 0;
        int want = s.desired() < 0 ? pods.desired() : s.desired();
        if (pods.ready() >= config.initialScale()) {
            reachedInitialScale = true;
        }
        if (!reachedInitialScale) {
            want = Math.max(want, config.initialScale());
        }
        want = Math.max(want, config.minScale());
        if (config.maxScale() > 0) {
            want = Math.min(want, config.maxScale());
        }
        if (want == 0) {
            proxy = true;
        }
        // The activator's time in the path counts towards the scale-to-zero grace period (scaler.go): it must have
        // been buffering for that long before the last pod goes, so that whatever comes next waits for a new pod.
        if (!proxy) {
            proxySinceS = Double.NaN;
        } else if (Double.isNaN(proxySinceS)) {
            proxySinceS = nowS;
        }
        if (want == 0 && pods.desired() > 0 && nowS - proxySinceS < config.scaleToZeroGraceS()) {
            want = pods.desired();
        }
        return new Decision(want, proxy);
    }
}
