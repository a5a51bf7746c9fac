package io.elasticinference.loadtest.simulation;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Kubernetes' HorizontalPodAutoscaler on CPU utilisation, as Knative's HPA class uses it. Behaviour follows
 * kubernetes/pkg/controller/podautoscaler (horizontal.go, replica_calculator.go) with default {@code behavior}:
 * <ul>
 *   <li>every sync period (15 s) utilisation = mean CPU use of the ready pods over the metrics window / CPU request;
 *   <li>ratio = utilisation / target; within the tolerance (10%) of 1 nothing changes;
 *   <li>when scaling up with pods not yet ready, those count as 0% used (so a scale-up already under way is not
 *       repeated), and desired = ceil(ratio x pods);
 *   <li>scale-up is limited to max(+100%, +4 pods) per sync; scale-down takes the highest recommendation of the last
 *       5 minutes (the stabilisation window).
 * </ul>
 * It never scales to zero (minReplicas >= 1); the activator is in the path only while no pod is ready.
 */
public final class HpaAutoscaler implements SimAutoscaler {

    /**
     * @param targetUtilisation  e.g. 0.7 for 70%
     * @param syncS              horizontal-pod-autoscaler-sync-period
     * @param tolerance          horizontal-pod-autoscaler-tolerance
     * @param stabilisationS     scale-down stabilisation window
     * @param metricWindowS      the window metrics-server averages CPU over
     */
    public record Config(double targetUtilisation, double syncS, double tolerance, double stabilisationS,
                         int metricWindowS, int minReplicas, int maxReplicas, int initialReplicas) {
        public Config {
            if (!(targetUtilisation > 0) || !(syncS > 0) || tolerance < 0 || stabilisationS < 0 || metricWindowS < 1
                    || minReplicas < 1 || maxReplicas < minReplicas) {
                throw new IllegalArgumentException("invalid HPA config");
            }
        }

        public static Config defaults(double targetUtilisation) {
            return new Config(targetUtilisation, 15, 0.1, 300, 15, 1, 1000, 1);
        }
    }

    private final Config config;
    private final double[] utilisation;
    private int samples;
    private final Deque<double[]> recommendations = new ArrayDeque<>();

    public HpaAutoscaler(Config config) {
        this.config = config;
        this.utilisation = new double[config.metricWindowS()];
    }

    @Override
    public String name() {
        return "hpa-" + Math.round(config.targetUtilisation() * 100);
    }

    @Override
    public double tickIntervalS() {
        return config.syncS();
    }

    @Override
    public int initialReplicas() {
        return Math.max(config.minReplicas(), config.initialReplicas());
    }

    @Override
    public void observe(SecondStats stats) {
        if (!Double.isNaN(stats.cpuUtilisation())) {
            utilisation[samples % utilisation.length] = stats.cpuUtilisation();
            samples++;
        }
    }

    /** Mean utilisation over the metrics window, NaN before any pod reported. */
    double windowUtilisation() {
        int n = Math.min(samples, utilisation.length);
        if (n == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += utilisation[i];
        }
        return sum / n;
    }

    @Override
    public Decision decide(double nowS, PodCounts pods) {
        int current = pods.desired();
        int recommendation = recommend(pods);
        // Scale-down stabilisation: act on the highest recommendation of the window.
        recommendations.addLast(new double[] {nowS, recommendation});
        while (!recommendations.isEmpty() && recommendations.peekFirst()[0] < nowS - config.stabilisationS()) {
            recommendations.removeFirst();
        }
        int stabilised = recommendation;
        if (recommendation < current) {
            for (double[] r : recommendations) {
                stabilised = Math.max(stabilised, (int) r[1]);
            }
            stabilised = Math.min(stabilised, current);
        } else if (recommendation > current) {
            // Default scale-up policies: +100% or +4 pods per period, whichever is more.
            stabilised = Math.min(recommendation, Math.max(2 * current, current + 4));
        }
        int desired = Math.max(config.minReplicas(), Math.min(config.maxReplicas(), stabilised));
        return new Decision(desired, pods.ready() == 0);
    }

    private int recommend(PodCounts pods) {
        int current = pods.desired();
        double util = windowUtilisation();
        if (Double.isNaN(util) || pods.ready() == 0) {
            return current;
        }
        double ratio = util / config.targetUtilisation();
        int unready = pods.starting();
        if (ratio > 1 && unready > 0) {
            // Pods on their way count as idle, so a scale-up in progress is not asked for again.
            double rebalanced = util * pods.ready() / (config.targetUtilisation() * (pods.ready() + unready));
            if (rebalanced <= 1 + config.tolerance()) {
                return current;
            }
            return (int) Math.ceil(rebalanced * (pods.ready() + unready));
        }
        if (Math.abs(ratio - 1) <= config.tolerance()) {
            return current;
        }
        return (int) Math.ceil(ratio * pods.ready());
    }
}
