package io.elasticinference.loadtest.simulation;

import io.elasticinference.autoscaler.policy.kpa.DeciderSpec;
import io.elasticinference.autoscaler.policy.kpa.KpaConfig;
import io.elasticinference.autoscaler.policy.kpa.KpaDecider;
import io.elasticinference.autoscaler.policy.kpa.KpaDecision;
import io.elasticinference.autoscaler.policy.kpa.KpaScaleBounds;

/**
 * Knative's KPA as the simulator drives it, fed the way Knative feeds it: every second the revision-wide
 * time-averaged concurrency (queue-proxies, including their queued requests, plus the activator's buffer) is
 * recorded; every 2 s the policy module's {@link KpaDecider} decides, then {@link KpaScaleBounds} applies the
 * reconciler's bounds and scale to zero. The activator is in the path while excess burst capacity is negative.
 */
public final class KpaAutoscaler implements SimAutoscaler {

    /**
     * @param knative     the KPA settings (Knative key names and defaults)
     * @param bounds      min/max/initial scale and scale to zero
     * @param tickS       decider period (Knative: 2 s)
     */
    public record Config(KpaConfig knative, KpaScaleBounds.Settings bounds, double tickS) {
        public static Config defaults() {
            return new Config(KpaConfig.defaults(), KpaScaleBounds.Settings.defaults(), 2);
        }
    }

    private final Config config;
    private final KpaDecider decider;
    private final KpaScaleBounds bounds;
    private KpaDecision last;

    public KpaAutoscaler(Config config) {
        this.config = config;
        this.decider = new KpaDecider(DeciderSpec.of(config.knative()), 0, 0);
        this.bounds = new KpaScaleBounds(config.bounds(), 0);
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
        return Math.max(config.bounds().initialScale(), config.bounds().minScale());
    }

    @Override
    public void observe(SecondStats stats) {
        // Recorded in the second that just ended, as the collector's 1 s scrape does.
        decider.record(stats.endS() - 0.5, stats.avgConcurrency(), stats.arrivals());
    }

    /** The decider's last result (for tests). */
    public KpaDecision lastDecision() {
        return last;
    }

    @Override
    public Decision decide(double nowS, PodCounts pods) {
        last = decider.scale(nowS, pods.ready());
        int want = bounds.apply(nowS, last.desiredPodCount(), pods.ready(), pods.desired());
        boolean proxy = !last.valid() || last.excessBurstCapacity() < 0 || pods.ready() == 0 || bounds.inactive()
                || want == 0;
        return new Decision(want, proxy);
    }
}
