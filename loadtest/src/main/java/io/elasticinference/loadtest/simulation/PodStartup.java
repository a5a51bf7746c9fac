package io.elasticinference.loadtest.simulation;

/**
 * How long a new pod takes from being asked for to taking traffic, and how long it lingers when removed.
 *
 * @param schedulingS   asked for until placed on a node and its containers start (scheduler, kubelet, sandbox)
 * @param startupS      container start until the app answers its readiness probe (runtime start, model load, warm-up)
 * @param probePeriodS  readiness probe period: readiness is noticed on the next probe after start-up (uniform phase)
 * @param jitter        each delay is scaled by a factor uniform in [1 - jitter, 1 + jitter]
 * @param terminationS  after a removed pod's last request, how long it still holds its resources (drain sleep)
 */
public record PodStartup(double schedulingS, double startupS, double probePeriodS, double jitter,
                         double terminationS) {

    public PodStartup {
        if (schedulingS < 0 || startupS < 0 || probePeriodS < 0 || jitter < 0 || jitter >= 1 || terminationS < 0) {
            throw new IllegalArgumentException("pod start-up delays must be >= 0 and jitter in [0, 1)");
        }
    }

    /**
     * The function as a JVM Quarkus app: ~1 s JVM and Quarkus start, ~2-3 s to load ResNet18 into ONNX Runtime and
     * run the warm-up inference, on a node that already has the image.
     */
    public static PodStartup jvm() {
        return new PodStartup(1.0, 4.0, 1.0, 0.2, 0.0);
    }

    /** The function as a native image: start in tens of ms, the model load and warm-up remain. */
    public static PodStartup nativeImage() {
        return new PodStartup(1.0, 1.5, 1.0, 0.2, 0.0);
    }

    public static PodStartup preset(String name) {
        return switch (name.toLowerCase()) {
            case "jvm" -> jvm();
            case "native" -> nativeImage();
            default -> throw new IllegalArgumentException("unknown start-up preset '" + name
                    + "' (expected jvm or native)");
        };
    }

    public PodStartup withSchedulingS(double v) {
        return new PodStartup(v, startupS, probePeriodS, jitter, terminationS);
    }

    public PodStartup withStartupS(double v) {
        return new PodStartup(schedulingS, v, probePeriodS, jitter, terminationS);
    }

    public PodStartup withJitter(double v) {
        return new PodStartup(schedulingS, startupS, probePeriodS, v, terminationS);
    }

    public PodStartup withTerminationS(double v) {
        return new PodStartup(schedulingS, startupS, probePeriodS, jitter, v);
    }

    /** Mean time from being asked for to ready: what a policy should look ahead by. */
    public double meanTimeToReadyS() {
        return schedulingS + startupS + probePeriodS / 2;
    }
}
