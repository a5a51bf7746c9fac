package io.elasticinference.function.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/**
 * Everything the function can be told, under the {@code inference.} prefix. Defaults are documented in the README's
 * configuration table; sizes that depend on the machine (threads, slots) default to 0 = derived from the CPU count
 * the process sees, so a pod with a CPU limit is sized without user tuning.
 */
@ConfigMapping(prefix = "inference")
public interface FunctionConfig {

    Model model();

    Admission admission();

    Image image();

    /** Number of predictions returned when the request has no {@code topk}. */
    @WithDefault("5")
    int topkDefault();

    /** Largest body accepted, in bytes (larger: 413). */
    @WithDefault("10485760")
    long maxBodyBytes();

    /** On SIGTERM, the longest wait for admitted requests to finish before shutting down. */
    @WithDefault("25s")
    Duration drainTimeout();

    interface Model {
        /** An ONNX classifier with [N,3,224,224] input and [N,1000] output; empty = the packaged ResNet18. */
        Optional<String> path();

        /** ONNX Runtime intra-op threads per inference; 0 = CPU count / slots. */
        @WithDefault("0")
        int threads();
    }

    interface Admission {
        /** Requests processed (decode + inference) at the same time; 0 = CPU count. */
        @WithDefault("0")
        int slots();

        /** Requests allowed to wait for a slot; beyond that a request is refused at once with 503. 0 = 4 x slots. */
        @WithDefault("0")
        int queueSize();

        /** Longest time a request waits for a slot before it is refused with 503. */
        @WithDefault("1s")
        Duration maxWait();

        /** Seconds sent in Retry-After with a 503. */
        @WithDefault("1")
        int retryAfterSeconds();
    }

    interface Image {
        /** Largest width x height accepted, checked from the header before decoding (decompression bombs). */
        @WithDefault("40000000")
        long maxPixels();

        /** Largest width or height accepted. */
        @WithDefault("20000")
        int maxSide();
    }

    /** Derived: the number of slots actually used. */
    static int effectiveSlots(Admission admission, int cpus) {
        return admission.slots() > 0 ? admission.slots() : Math.max(1, cpus);
    }

    /** Derived: ONNX Runtime threads per inference so that all slots together use the CPUs once. */
    static int effectiveThreads(Model model, int slots, int cpus) {
        return model.threads() > 0 ? model.threads() : Math.max(1, cpus / Math.max(1, slots));
    }

    /** Derived: queue size. */
    static int effectiveQueue(Admission admission, int slots) {
        return admission.queueSize() > 0 ? admission.queueSize() : 4 * slots;
    }
}
