package io.elasticinference.loadtest.simulate;

import io.elasticinference.loadtest.simulation.FixedReplicas;
import io.elasticinference.loadtest.simulation.HpaAutoscaler;
import io.elasticinference.loadtest.simulation.SimAutoscaler;
import io.elasticinference.loadtest.simulation.SimulationConfig;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/** Which autoscaler drives the simulated revision, and its parameters. */
final class AutoscalerOptions {

    @Option(names = "--autoscaler", defaultValue = "kpa", paramLabel = "NAME",
            description = {"kpa (Knative's KPA), latency (our latency-target policy), hpa-70 / hpa-90 / hpa-N "
                    + "(Kubernetes HPA on CPU at N%%), fixed-N (N pods, no autoscaling) (default ${DEFAULT-VALUE})."})
    String autoscaler;

    // ---- Knative KPA (config-autoscaler keys and revision annotations; Knative's defaults)
    @Option(names = "--kpa-target", defaultValue = "100",
            description = "KPA per-pod concurrency target, autoscaling.knative.dev/target (default ${DEFAULT-VALUE}).")
    double kpaTarget;

    @Option(names = "--kpa-utilization", defaultValue = "70",
            description = "KPA target utilisation percentage (default ${DEFAULT-VALUE}).")
    double kpaUtilization;

    @Option(names = "--kpa-stable-window", defaultValue = "60", paramLabel = "SECONDS",
            description = "KPA stable window (default ${DEFAULT-VALUE}).")
    double kpaStableWindowS;

    @Option(names = "--kpa-panic-window-percentage", defaultValue = "10",
            description = "KPA panic window as %% of the stable window (default ${DEFAULT-VALUE}).")
    double kpaPanicWindowPercentage;

    @Option(names = "--kpa-panic-threshold-percentage", defaultValue = "200",
            description = "KPA panic threshold (default ${DEFAULT-VALUE}).")
    double kpaPanicThresholdPercentage;

    @Option(names = "--target-burst-capacity", defaultValue = "211",
            description = "KPA target burst capacity: -1 keeps the activator always in the path (default ${DEFAULT-VALUE}).")
    double targetBurstCapacity;

    @Option(names = "--scale-down-delay", defaultValue = "0", paramLabel = "SECONDS",
            description = "KPA scale-down delay (default ${DEFAULT-VALUE}).")
    double scaleDownDelayS;

    @Option(names = "--min-scale", defaultValue = "0", description = "Lower bound on replicas (default ${DEFAULT-VALUE}).")
    int minScale;

    @Option(names = "--max-scale", defaultValue = "0", description = "Upper bound on replicas, 0 = none (default ${DEFAULT-VALUE}).")
    int maxScale;

    @Option(names = "--initial-scale", defaultValue = "1", description = "Replicas at the start (default ${DEFAULT-VALUE}).")
    int initialScale;

    @Option(names = "--scale-to-zero-grace", defaultValue = "30", paramLabel = "SECONDS",
            description = "KPA scale-to-zero grace period (default ${DEFAULT-VALUE}).")
    double scaleToZeroGraceS;

    // ---- Kubernetes HPA
    @Option(names = "--hpa-sync", defaultValue = "15", paramLabel = "SECONDS",
            description = "HPA sync period (default ${DEFAULT-VALUE}).")
    double hpaSyncS;

    @Option(names = "--hpa-tolerance", defaultValue = "0.1", description = "HPA tolerance (default ${DEFAULT-VALUE}).")
    double hpaTolerance;

    @Option(names = "--hpa-stabilization", defaultValue = "300", paramLabel = "SECONDS",
            description = "HPA scale-down stabilisation window (default ${DEFAULT-VALUE}).")
    double hpaStabilisationS;

    // ---- our latency policy
    @Option(names = "--latency-objective", paramLabel = "SECONDS",
            description = "Latency policy objective (default: the policy's own, 0.33 s).")
    Double latencyObjectiveS;

    @Option(names = "--latency-percentile", description = "Latency policy percentile (default: the policy's own, 99).")
    Double latencyPercentile;

    @Option(names = "--latency-scale-down-hold", paramLabel = "SECONDS",
            description = "Latency policy: scale down only to the highest recommendation of this window (default 60).")
    Double latencyScaleDownHoldS;

    @Option(names = "--latency-max-utilisation", paramLabel = "FRACTION",
            description = "Latency policy: plan pods no busier than this (headroom for steps) (default 0.5).")
    Double latencyMaxUtilisation;

    @Option(names = "--latency-activator", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "Latency policy: keep the activator in the path for least-loaded routing (default ${DEFAULT-VALUE}).")
    boolean latencyActivator;

    SimAutoscaler create(SimulationConfig config) {
        String a = autoscaler.trim().toLowerCase(Locale.ROOT);
        if (a.startsWith("hpa-") || a.startsWith("hpa:")) {
            double pct = parseNumber(a.substring(4), "HPA target percentage");
            if (!(pct > 0 && pct <= 100)) {
                throw new IllegalArgumentException("HPA target must be in (0, 100], got " + pct);
            }
            int min = Math.max(1, minScale);
            return new HpaAutoscaler(new HpaAutoscaler.Config(pct / 100, hpaSyncS, hpaTolerance, hpaStabilisationS,
                    15, min, maxScale == 0 ? 1000 : Math.max(min, maxScale), initialScale));
        }
        if (a.startsWith("fixed-") || a.startsWith("fixed:")) {
            return new FixedReplicas((int) parseNumber(a.substring(6), "fixed replica count"));
        }
        if (a.equals("kpa")) {
            return PolicyAutoscalers.kpa(this, config);
        }
        if (a.equals("latency")) {
            return PolicyAutoscalers.latency(this, config);
        }
        throw new IllegalArgumentException("unknown autoscaler '" + autoscaler
                + "' (expected kpa, latency, hpa-70, hpa-90, hpa-N or fixed-N)");
    }

    private static double parseNumber(String s, String what) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad " + what + ": '" + s + "'");
        }
    }

    Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        String a = autoscaler.trim().toLowerCase(Locale.ROOT);
        if (a.equals("kpa")) {
            m.put("kpa_target", fmt(kpaTarget));
            m.put("kpa_utilization_pct", fmt(kpaUtilization));
            m.put("kpa_stable_window_s", fmt(kpaStableWindowS));
            m.put("kpa_panic_window_pct", fmt(kpaPanicWindowPercentage));
            m.put("kpa_panic_threshold_pct", fmt(kpaPanicThresholdPercentage));
            m.put("target_burst_capacity", fmt(targetBurstCapacity));
            m.put("scale_down_delay_s", fmt(scaleDownDelayS));
            m.put("scale_to_zero_grace_s", fmt(scaleToZeroGraceS));
        } else if (a.startsWith("hpa")) {
            m.put("hpa_sync_s", fmt(hpaSyncS));
            m.put("hpa_tolerance", fmt(hpaTolerance));
            m.put("hpa_stabilization_s", fmt(hpaStabilisationS));
        } else if (a.equals("latency")) {
            if (latencyObjectiveS != null) {
                m.put("latency_objective_s", fmt(latencyObjectiveS));
            }
            if (latencyPercentile != null) {
                m.put("latency_percentile", fmt(latencyPercentile));
            }
        }
        m.put("min_scale", Integer.toString(minScale));
        m.put("max_scale", Integer.toString(maxScale));
        m.put("initial_scale", Integer.toString(initialScale));
        return m;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
