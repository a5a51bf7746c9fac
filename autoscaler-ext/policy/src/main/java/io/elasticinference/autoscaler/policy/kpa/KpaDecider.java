package io.elasticinference.autoscaler.policy.kpa;

/**
 * Knative's KPA decider, ported from the behaviour of knative/serving pkg/autoscaler/scaling/autoscaler.go
 * ({@code Scale}) fed by pkg/autoscaler/metrics/collector.go (stable and panic window averages of the revision-wide
 * concurrency or requests per second). Time is in seconds; observations go into the 1-second bucket holding them.
 *
 * <p>Per decision: desired = ceil(observed / target) for the stable and the panic window, each clamped to
 * [floor(ready / max-scale-down-rate), ceil(ready x max-scale-up-rate)]; activation scale lifts a non-zero wish;
 * panic starts when the panic-window wish reaches panic-threshold x ready pods, is extended while it stays there,
 * and ends a stable window after the last time it did; while panicking the count never goes down; the scale-down
 * delay keeps the maximum of the wishes over its window; excess burst capacity = floor(ready x total - TBC -
 * panic value).
 */
public final class KpaDecider {

    private final DeciderSpec spec;
    private final MetricBuckets stable;
    private final MetricBuckets panic;
    private final MaxTimeWindow delayWindow;
    private double panicSince = Double.NaN;
    private int maxPanicPods;

    public KpaDecider(KpaConfig config, int readyPodsNow, double nowS) {
        this(DeciderSpec.of(config), readyPodsNow, nowS);
    }

    /**
     * @param readyPodsNow ready pods when the decider is created: with more than one it starts in panic mode, so a
     *                     restarted autoscaler keeps the current scale until it has history (autoscaler.go)
     */
    public KpaDecider(DeciderSpec spec, int readyPodsNow, double nowS) {
        this.spec = spec;
        this.stable = new MetricBuckets(spec.stableWindowS(), spec.weightedExponential());
        this.panic = new MetricBuckets(spec.panicWindowS(), spec.weightedExponential());
        this.delayWindow = spec.scaleDownDelayS() > 0 ? new MaxTimeWindow(spec.scaleDownDelayS()) : null;
        if (readyPodsNow > 1) {
            panicSince = nowS;
        }
        this.maxPanicPods = Math.max(0, readyPodsNow);
    }

    public DeciderSpec spec() {
        return spec;
    }

    /**
     * Records a revision-wide observation (summed over pods, proxied requests already subtracted, as Knative's
     * collector records it). Several in the same second add up.
     */
    public void record(double tS, double concurrency, double rps) {
        long second = (long) Math.floor(tS);
        double value = spec.rpsMetric() ? rps : concurrency;
        stable.record(second, value);
        panic.record(second, value);
    }

    /** A decision from the recorded observations; invalid when the stable window holds no data. */
    public KpaDecision scale(double nowS, int readyPods) {
        long now = (long) Math.floor(nowS);
        if (stable.isEmpty(now)) {
            return KpaDecision.invalid(panicking());
        }
        return decide(nowS, readyPods, stable.windowAverage(now), panic.windowAverage(now));
    }

    /** The decision given the window averages (what Knative's Scale does after asking its metric client). */
    public KpaDecision decide(double nowS, int readyPods, double observedStable, double observedPanic) {
        double ready = Math.max(1, readyPods);
        double maxScaleUp = Math.ceil(spec.maxScaleUpRate() * ready);
        double maxScaleDown = spec.reachable() ? Math.floor(ready / spec.maxScaleDownRate()) : 0;

        double dspc = Math.ceil(observedStable / spec.targetValue());
        double dppc = Math.ceil(observedPanic / spec.targetValue());
        int desiredStable = (int) Math.min(Math.max(dspc, maxScaleDown), maxScaleUp);
        int desiredPanic = (int) Math.min(Math.max(dppc, maxScaleDown), maxScaleUp);
        if (spec.activationScale() > 1) {
            if (dspc > 0 && spec.activationScale() > desiredStable) {
                desiredStable = spec.activationScale();
            }
            if (dppc > 0 && spec.activationScale() > desiredPanic) {
                desiredPanic = spec.activationScale();
            }
        }

        boolean overThreshold = dppc / ready >= spec.panicThreshold();
        if (overThreshold) {
            panicSince = nowS; // enter panic, or extend it
        } else if (panicking() && panicSince + spec.stableWindowS() < nowS) {
            // The surge has made its way into the stable window.
            panicSince = Double.NaN;
            maxPanicPods = 0;
        }

        int desired = desiredStable;
        if (panicking()) {
            // The stable wish can exceed the panic one; provision for the larger. Never scale down in panic.
            desired = Math.max(desired, desiredPanic);
            maxPanicPods = Math.max(maxPanicPods, desired);
            desired = maxPanicPods;
        }

        if (spec.reachable() && delayWindow != null) {
            delayWindow.record((long) Math.floor(nowS), desired);
            desired = delayWindow.current();
        }

        double ebc;
        if (spec.targetBurstCapacity() == 0) {
            ebc = 0;
        } else if (spec.targetBurstCapacity() > 0) {
            ebc = Math.floor(readyPods * spec.totalValue() - spec.targetBurstCapacity() - observedPanic);
        } else {
            ebc = -1;
        }
        return new KpaDecision(desired, (int) ebc, true, panicking(), observedStable, observedPanic);
    }

    public boolean panicking() {
        return !Double.isNaN(panicSince);
    }

    /** When panic mode was last entered or extended; NaN when not panicking. */
    public double panicSince() {
        return panicSince;
    }

    /** Test hook mirroring upstream tests that preset the panic state. */
    void presetPanic(double sinceS, int maxPods) {
        panicSince = sinceS;
        maxPanicPods = maxPods;
    }
}
