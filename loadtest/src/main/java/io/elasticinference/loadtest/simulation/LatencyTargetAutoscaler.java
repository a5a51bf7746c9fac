package io.elasticinference.loadtest.simulation;

import io.elasticinference.autoscaler.policy.latency.LatencyDecision;
import io.elasticinference.autoscaler.policy.latency.LatencyObservation;
import io.elasticinference.autoscaler.policy.latency.LatencyPolicyConfig;
import io.elasticinference.autoscaler.policy.latency.LatencyTargetPolicy;

/**
 * The policy module's {@link LatencyTargetPolicy} as the simulator drives it: each second's arrivals, answers,
 * answers over the objective, queue and CPU use become a {@link LatencyObservation}; a decision every tick. The
 * activator stays in the path by default (least-loaded routing, like Knative with target-burst-capacity -1).
 */
public final class LatencyTargetAutoscaler implements SimAutoscaler {

    /**
     * @param policy            the policy's parameters
     * @param cpusPerPod        pod CPUs
     * @param threadsPerRequest CPUs one request uses
     * @param tickS             decision period
     * @param activatorAlways   keep the activator in the path
     */
    public record Config(LatencyPolicyConfig policy, int cpusPerPod, int threadsPerRequest, double tickS,
                         boolean activatorAlways) {
        public static Config defaults(int cpusPerPod, int threadsPerRequest, double lookaheadS, double serviceS) {
            int servers = Math.max(1, cpusPerPod / threadsPerRequest);
            return new Config(LatencyPolicyConfig.defaults().withCapacity(servers, serviceS, lookaheadS), cpusPerPod,
                    threadsPerRequest, 1, true);
        }
    }

    private final Config config;
    private final LatencyTargetPolicy policy;
    private LatencyDecision last;

    public LatencyTargetAutoscaler(Config config) {
        this.config = config;
        this.policy = new LatencyTargetPolicy(config.policy(), 0);
    }

    @Override
    public String name() {
        return "latency";
    }

    @Override
    public double tickIntervalS() {
        return config.tickS();
    }

    @Override
    public int initialReplicas() {
        return Math.max(1, policy.initialScale());
    }

    public LatencyDecision lastDecision() {
        return last;
    }

    @Override
    public void observe(SecondStats s) {
        int over = 0;
        for (int k = s.latencyCount() - 1; k >= 0 && s.latenciesS()[k] > config.policy().objectiveS(); k--) {
            over++;
        }
        // Service demand from CPU use of pods ready all second, and only in unsaturated seconds: on a saturated pod
        // processor sharing stretches every request, and time per answer would overstate the demand many times.
        double demand = Double.NaN;
        long samples = 0;
        if (!Double.isNaN(s.cpuUtilisation()) && s.cpuUtilisation() < 0.8 && s.completed() >= 20
                && s.readyPods() > 0) {
            double cpuS = s.cpuUtilisation() * config.cpusPerPod() * s.readyPods();
            demand = cpuS / Math.min(config.cpusPerPod(), config.threadsPerRequest());
            samples = s.completed();
        }
        policy.observe(new LatencyObservation(s.endS(), 1, s.arrivals(), s.latencyCount() + s.failed(),
                over + s.failed(), demand, samples, s.inFlight(), s.queued(), s.readyPods(), s.startingPods()));
    }

    @Override
    public Decision decide(double nowS, PodCounts pods) {
        last = policy.decide(nowS, pods.desired());
        return new Decision(last.desired(), config.activatorAlways() || pods.ready() == 0);
    }
}
