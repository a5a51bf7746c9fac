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

    Batch batch();

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

        /** ONNX Runtime intra-op threads of one model run; 0 = CPU count / runners (1 on the default sizing). */
        @WithDefault("0")
        int threads();

        /**
         * Whether ONNX Runtime's idle pool threads spin instead of sleeping. Off by default: spinning threads burn
         * the cores that concurrent runs and decoding need.
         */
        @WithDefault("false")
        boolean spinWait();

        /** A second session for model runs that start while no other run is in flight. */
        Alone alone();
    }

    /**
     * One model run on one thread per CPU serves the most images a second, but a lone request then leaves the other
     * cores idle. A run that starts while no other is in flight goes to a second ONNX Runtime session that uses
     * more threads (measured on 2 cores: ~23 → ~13 ms per run); its idle threads spin briefly, since a sleeping
     * helper thread wakes too late to take part. Costs a second session's memory (docs/benchmarks.md).
     */
    interface Alone {
        /**
         * Threads of a lone run; 0 = the CPU count. No second session when this is not more than
         * {@code model.threads}, or with a single runner.
         */
        @WithDefault("0")
        int threads();

        /** How long the lone session's idle threads spin before they sleep. */
        @WithDefault("3ms")
        Duration spin();

        /**
         * Lone runs stop while, of the last 16 runs that started with nothing else in flight or waiting, a larger
         * share than this had another request arrive during them: a lone run then shares the CPUs with the next
         * request and stalls on it. Between 0 and 1.
         */
        @WithDefault("0.3")
        double maxOverlap();

        /**
         * The lone session is loaded after readiness, once a request has been answered or, without one, after this
         * long; either way at a moment with no run in flight. A start's first request comes right after readiness,
         * and the load (~0.35 s of both CPUs on the 2-core machines here from the exact graph; ~0.1 s from the
         * build's optimised copy for this CPU, OptimizedModel) would take its CPUs.
         */
        @WithDefault("1s")
        Duration loadDelay();
    }

    interface Admission {
        /** Requests processed (decode + inference) at the same time; 0 = 2 x CPU count. */
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

        /**
         * Share of the JVM's largest heap that the bodies of the requests inside may take together; a request whose
         * body would go beyond is refused at once with 503 (one is always let in when none is inside). Each body is
         * counted twice, as it is held while it is read: in a 128 MB heap, 24 clients sending 9 MB PNGs ran it out
         * (500s) before this bound; a quarter leaves 16 MB of bodies, far more than slots + queue photos of a few
         * hundred KB.
         */
        @WithDefault("0.25")
        double bodyHeapShare();

        /**
         * Requests whose body may be on its way at once. Such a request holds no slot or queue place (a slow upload
         * must not take the place of requests ready to run) and no thread (its body is read on the I/O thread); its
         * body counts against {@link #bodyHeapShare()}. Beyond, 503 at once.
         */
        @WithDefault("256")
        int maxArriving();
    }

    /** Model runs go one at a time through a lane; what queued meanwhile runs as one batch. */
    interface Batch {
        /**
         * Model runs in flight at once; 0 = CPU count. One single-threaded run per core serves the most images per
         * second with the lowest latency under load; 1 run with {@code threads} = CPUs answers a lone request
         * faster but loses a third of the throughput (docs/benchmarks.md).
         */
        @WithDefault("0")
        int runners();

        /** Largest batch handed to ONNX Runtime; 1 = every request runs alone. */
        @WithDefault("4")
        int maxSize();

        /** How long a free model waits for a batch to fill; 0 = never (a request waits only for the run ahead). */
        @WithDefault("0ms")
        Duration maxWait();
    }

    interface Image {
        /** Largest width x height accepted, checked from the header before decoding (decompression bombs). */
        @WithDefault("40000000")
        long maxPixels();

        /** Largest width or height accepted. */
        @WithDefault("20000")
        int maxSide();

        /**
         * Share of the JVM's largest heap that decoded pixels (the raster, and a packed RGB copy where the raster
         * cannot be read in place, known from the header) may take at once across requests: an image that needs more
         * is refused (413), one that fits waits while others hold it. Half: the serial collector that a small
         * container gets keeps arrays larger than its young generation in the old generation, two thirds of the
         * heap, where the function holds ~9 MB after start (measured with a 128 MB heap); the rest is left to request
         * bodies waiting in the queue. With a 128 MB heap a 12-megapixel JPEG (37 MB) fits, one at a time; a
         * 24-megapixel one (72 MB) does not. At 0.6, eight clients sending 12-megapixel photos still ran it out of
         * heap.
         */
        @WithDefault("0.5")
        double decodeHeapShare();
    }

    /**
     * Derived: the number of slots actually used. Two per CPU: while the lane runs one batch, the other slots decode
     * the next images and form the next batch.
     */
    static int effectiveSlots(Admission admission, int cpus) {
        return admission.slots() > 0 ? admission.slots() : Math.max(1, 2 * cpus);
    }

    /** Derived: model runs in flight at once. */
    public static int effectiveRunners(int configured, int cpus) {
        return configured > 0 ? configured : Math.max(1, cpus);
    }

    /** Derived: ONNX Runtime threads per model run, so that all runners together use the CPUs once. */
    public static int effectiveThreads(int configured, int runners, int cpus) {
        return configured > 0 ? configured : Math.max(1, cpus / Math.max(1, runners));
    }

    /**
     * Derived: threads of a lone run, or 0 when lone runs need no session of their own (one runner: every run is
     * alone, so its own threads setting already says how wide it runs).
     */
    public static int effectiveAloneThreads(int configured, int runners, int threadsPerRun, int cpus) {
        int threads = configured > 0 ? configured : cpus;
        return runners > 1 && threads > threadsPerRun ? threads : 0;
    }

    /** Derived: bytes of a configured share of the heap ({@code key} names the setting in the error). */
    public static long shareOfHeap(String key, double share, long maxHeapBytes) {
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException(key + " must be in (0, 1], got " + share);
        }
        return (long) (share * maxHeapBytes);
    }

    /** Derived: the sum of declared body sizes allowed inside at once, each body counted twice. */
    static long effectiveBodyBytesInside(Admission admission, long maxHeapBytes) {
        return Math.max(1, shareOfHeap("inference.admission.body-heap-share", admission.bodyHeapShare(),
                maxHeapBytes) / 2);
    }

    /** Derived: queue size. */
    static int effectiveQueue(Admission admission, int slots) {
        return admission.queueSize() > 0 ? admission.queueSize() : 4 * slots;
    }
}
