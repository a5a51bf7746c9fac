package io.elasticinference.autoscaler.policy.kpa;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The KPA's settings under Knative's own key names (config-autoscaler ConfigMap and the revision's autoscaling
 * annotations), each with Knative's default (knative/serving pkg/autoscaler/config/config.go). Target and total per
 * pod follow pkg/reconciler/autoscaling/resources/target.go.
 *
 * @param stableWindowS                    stable-window, 60 s (6 s .. 1 h)
 * @param panicWindowPercentage            panic-window-percentage, 10 (1 .. 100)
 * @param panicThresholdPercentage         panic-threshold-percentage, 200 (110 .. 1000)
 * @param maxScaleUpRate                   max-scale-up-rate, 1000
 * @param maxScaleDownRate                 max-scale-down-rate, 2
 * @param containerConcurrencyTargetPercentage container-concurrency-target-percentage, 70
 * @param containerConcurrencyTargetDefault container-concurrency-target-default, 100
 * @param rpsTargetDefault                 requests-per-second-target-default, 200
 * @param targetBurstCapacity              target-burst-capacity, 211 (-1 = activator always in the path)
 * @param scaleDownDelayS                  scale-down-delay, 0 s
 * @param activationScale                  activation-scale, 1
 * @param metric                           metric: "concurrency" or "rps"
 * @param target                           target annotation, NaN when not set
 * @param targetUtilizationPercentage      target-utilization-percentage annotation, NaN when not set
 * @param containerConcurrency             the revision's containerConcurrency, 0 = unlimited
 * @param weightedExponential              metric-aggregation-algorithm "weighted-exponential" (else linear)
 */
public record KpaConfig(double stableWindowS, double panicWindowPercentage, double panicThresholdPercentage,
                        double maxScaleUpRate, double maxScaleDownRate,
                        double containerConcurrencyTargetPercentage, double containerConcurrencyTargetDefault,
                        double rpsTargetDefault, double targetBurstCapacity, double scaleDownDelayS,
                        int activationScale, String metric, double target, double targetUtilizationPercentage,
                        int containerConcurrency, boolean weightedExponential) {

    /** autoscaling.TargetMin: no target below this. */
    public static final double TARGET_MIN = 0.01;

    public static final Set<String> KEYS = Set.of("stable-window", "panic-window-percentage",
            "panic-threshold-percentage", "max-scale-up-rate", "max-scale-down-rate",
            "container-concurrency-target-percentage", "container-concurrency-target-default",
            "requests-per-second-target-default", "target-burst-capacity", "scale-down-delay", "activation-scale",
            "metric", "target", "target-utilization-percentage", "containerConcurrency",
            "metric-aggregation-algorithm");

    public KpaConfig {
        require(stableWindowS >= 6 && stableWindowS <= 3600, "stable-window must be between 6s and 1h");
        require(stableWindowS == Math.rint(stableWindowS), "stable-window must be a whole number of seconds");
        require(panicWindowPercentage >= 1 && panicWindowPercentage <= 100,
                "panic-window-percentage must be between 1 and 100");
        require(panicThresholdPercentage >= 110 && panicThresholdPercentage <= 1000,
                "panic-threshold-percentage must be between 110 and 1000");
        require(maxScaleUpRate > 1, "max-scale-up-rate must be greater than 1");
        require(maxScaleDownRate > 1, "max-scale-down-rate must be greater than 1");
        require(containerConcurrencyTargetPercentage > 0 && containerConcurrencyTargetPercentage <= 100,
                "container-concurrency-target-percentage must be in (0, 100]");
        require(containerConcurrencyTargetDefault * containerConcurrencyTargetPercentage / 100 >= TARGET_MIN,
                "container-concurrency-target-default is too small");
        require(rpsTargetDefault >= TARGET_MIN, "requests-per-second-target-default must be at least 0.01");
        require(targetBurstCapacity >= 0 || targetBurstCapacity == -1, "target-burst-capacity must be >= 0 or -1");
        require(scaleDownDelayS >= 0 && scaleDownDelayS <= 3600, "scale-down-delay must be between 0s and 1h");
        require(activationScale >= 1, "activation-scale must be at least 1");
        require(metric.equals("concurrency") || metric.equals("rps"), "metric must be concurrency or rps");
        require(Double.isNaN(target) || target >= TARGET_MIN, "target must be at least 0.01");
        require(Double.isNaN(targetUtilizationPercentage)
                        || (targetUtilizationPercentage >= 1 && targetUtilizationPercentage <= 100),
                "target-utilization-percentage must be between 1 and 100");
        require(containerConcurrency >= 0, "containerConcurrency must be >= 0");
    }

    public static KpaConfig defaults() {
        return new KpaConfig(60, 10, 200, 1000, 2, 70, 100, 200, 211, 0, 1, "concurrency", Double.NaN, Double.NaN,
                0, false);
    }

    /**
     * Reads Knative key names (values as strings, durations like "60s" or "1m30s"). Unknown keys are an error, so a
     * typo never silently falls back to a default.
     */
    public static KpaConfig fromKnative(Map<String, String> values) {
        for (String key : values.keySet()) {
            require(KEYS.contains(key), "unknown KPA setting '" + key + "'; known: " + new java.util.TreeSet<>(KEYS));
        }
        KpaConfig d = defaults();
        return new KpaConfig(
                duration(values, "stable-window", d.stableWindowS),
                number(values, "panic-window-percentage", d.panicWindowPercentage),
                number(values, "panic-threshold-percentage", d.panicThresholdPercentage),
                number(values, "max-scale-up-rate", d.maxScaleUpRate),
                number(values, "max-scale-down-rate", d.maxScaleDownRate),
                number(values, "container-concurrency-target-percentage", d.containerConcurrencyTargetPercentage),
                number(values, "container-concurrency-target-default", d.containerConcurrencyTargetDefault),
                number(values, "requests-per-second-target-default", d.rpsTargetDefault),
                number(values, "target-burst-capacity", d.targetBurstCapacity),
                duration(values, "scale-down-delay", d.scaleDownDelayS),
                (int) wholeNumber(values, "activation-scale", d.activationScale),
                values.getOrDefault("metric", d.metric).strip().toLowerCase(Locale.ROOT),
                number(values, "target", d.target),
                number(values, "target-utilization-percentage", d.targetUtilizationPercentage),
                (int) wholeNumber(values, "containerConcurrency", d.containerConcurrency),
                aggregation(values.getOrDefault("metric-aggregation-algorithm", "linear")));
    }

    /** The panic window in whole seconds (resources/metric.go: rounded to the second, at least one bucket). */
    public long panicWindowS() {
        return Math.max(1, Math.round(stableWindowS * panicWindowPercentage / 100.0));
    }

    /** target.go: the per-pod capacity the target is a fraction of. */
    public double totalValue() {
        double total;
        if (metric.equals("rps")) {
            total = rpsTargetDefault;
        } else {
            total = containerConcurrency == 0 ? containerConcurrencyTargetDefault : containerConcurrency;
        }
        if (!Double.isNaN(target)) {
            total = metric.equals("concurrency") && containerConcurrency != 0
                    ? Math.min(target, containerConcurrency) : target;
        }
        return total;
    }

    /** target.go: the per-pod value the decider aims at. */
    public double targetValue() {
        double tu = containerConcurrencyTargetPercentage / 100.0;
        if (!Double.isNaN(targetUtilizationPercentage)) {
            tu = targetUtilizationPercentage / 100.0;
        }
        return Math.max(TARGET_MIN, totalValue() * tu);
    }

    public double panicThreshold() {
        return panicThresholdPercentage / 100.0;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static double number(Map<String, String> v, String key, double dflt) {
        String s = v.get(key);
        if (s == null) {
            return dflt;
        }
        try {
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": not a number: '" + s + "'");
        }
    }

    private static double wholeNumber(Map<String, String> v, String key, double dflt) {
        double d = number(v, key, dflt);
        require(d == Math.rint(d), key + " must be a whole number");
        return d;
    }

    private static boolean aggregation(String s) {
        String a = s.strip().toLowerCase(Locale.ROOT);
        require(a.equals("linear") || a.equals("weighted-exponential") || a.equals("weightedexponential"),
                "metric-aggregation-algorithm must be linear or weighted-exponential");
        return !a.equals("linear");
    }

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|m|s)");

    /** Go duration syntax ("60s", "1m30s", "500ms", "0s"); a bare number is seconds. */
    static double duration(Map<String, String> v, String key, double dflt) {
        String s = v.get(key);
        if (s == null) {
            return dflt;
        }
        s = s.strip();
        if (s.matches("\\d+(\\.\\d+)?")) {
            return Double.parseDouble(s);
        }
        Matcher m = DURATION_PART.matcher(s);
        double total = 0;
        int end = 0;
        while (m.find()) {
            require(m.start() == end, key + ": not a duration: '" + s + "'");
            double n = Double.parseDouble(m.group(1));
            total += switch (m.group(2)) {
                case "h" -> n * 3600;
                case "m" -> n * 60;
                case "ms" -> n / 1000;
                default -> n;
            };
            end = m.end();
        }
        require(end == s.length() && end > 0, key + ": not a duration: '" + s + "'");
        return total;
    }
}
