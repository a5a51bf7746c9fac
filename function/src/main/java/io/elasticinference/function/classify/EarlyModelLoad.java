package io.elasticinference.function.classify;

import io.elasticinference.function.config.FunctionConfig;
import io.elasticinference.function.image.ImageLimits;
import io.elasticinference.function.image.ImagePipeline;
import io.elasticinference.function.image.ImageRejectedException;
import io.elasticinference.function.inference.InferenceSettings;
import io.elasticinference.function.inference.OnnxClassifier;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * The model load (and warm-up inference) started from {@code main}, before Quarkus boots. {@link ModelHolder} takes
 * the result; when the early start did not happen (tests, dev mode) it loads the model itself.
 *
 * <p>Quarkus' configuration does not exist yet, so the settings come from system properties and environment variables
 * only, the way a deployment sets them. Building a full configuration here (classpath scan, service discovery) took
 * ~0.1 s of CPU away from Quarkus' own boot on 2 cores. A setting given elsewhere (a {@code config/} file, a profile)
 * is seen by Quarkus alone: {@link ModelHolder} compares the settings and loads again when they differ.
 */
public final class EarlyModelLoad {

    private static volatile CompletableFuture<Early> pending;

    /** A loaded, warm classifier, the settings it was loaded with, and how long that took. */
    record Loaded(OnnxClassifier classifier, InferenceSettings settings, long nanos) {
    }

    /**
     * What the early load came to: a classifier, or the failure, with the settings it read (null when reading them
     * failed).
     */
    record Early(InferenceSettings settings, Loaded loaded, RuntimeException failure) {
    }

    private static final Logger LOG = Logger.getLogger(EarlyModelLoad.class);

    /** A small JPEG in the application jar; the start-up archive training sends the same one. */
    static final String WARM_UP_IMAGE = "warm-up.jpg";

    private EarlyModelLoad() {
    }

    public static void start() {
        long start = System.nanoTime();
        CompletableFuture<Early> loading = CompletableFuture.supplyAsync(() -> loadEarly(start));
        pending = loading;
    }

    /** The early load, if one was started; null otherwise. */
    static CompletableFuture<Early> take() {
        CompletableFuture<Early> p = pending;
        pending = null;
        return p;
    }

    /** Never throws: a failure is kept for {@link ModelHolder}, which decides whether it stands. */
    private static Early loadEarly(long startNanos) {
        InferenceSettings settings;
        try {
            settings = settingsFromConfig();
        } catch (RuntimeException e) {
            // A malformed value: Quarkus' own configuration reports it, with the key.
            return new Early(null, null, e);
        }
        try {
            return new Early(settings, load(settings, startNanos), null);
        } catch (RuntimeException e) {
            return new Early(settings, null, e);
        }
    }

    static Loaded load(InferenceSettings settings, long startNanos) {
        try {
            CompletableFuture<Boolean> decoding = CompletableFuture.supplyAsync(EarlyModelLoad::warmUpDecoding);
            // load() ends with one inference (the output-shape check), which is also the warm-up: ONNX Runtime
            // initialises lazily on the first run, and the first request must not pay for it.
            OnnxClassifier loaded = OnnxClassifier.load(settings);
            decoding.join();
            return new Loaded(loaded, settings, System.nanoTime() - startNanos);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Decodes and preprocesses the packaged sample image once. The first request otherwise paid for ImageIO's plugin
     * registry, loading the JPEG library and a first, interpreted pass through the resize: of its ~180 ms from the
     * port opening to the answer, this took 13-33 ms off (docs/benchmarks.md). It runs on its own thread beside the
     * model's load (10 rounds each on JDK 17 and 25: ~25 ms sooner than after it). A failure only costs that time, so
     * it is logged and the load goes on.
     *
     * @return whether the sample was decoded
     */
    static boolean warmUpDecoding() {
        try (InputStream in = EarlyModelLoad.class.getClassLoader().getResourceAsStream(WARM_UP_IMAGE)) {
            if (in == null) {
                LOG.warnf("%s is not packaged: no decoding warm-up (the first request will be slower)",
                        WARM_UP_IMAGE);
                return false;
            }
            // The image is the application's own, so the pipeline needs no limits of its own.
            new ImagePipeline(new ImageLimits(Long.MAX_VALUE, Integer.MAX_VALUE)).toTensor(in.readAllBytes());
            return true;
        } catch (IOException | ImageRejectedException | RuntimeException e) {
            LOG.warnf("decoding warm-up failed (the first request will be slower): %s", e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The same keys and derivation as {@link Sizing}, from system properties and the environment. */
    private static InferenceSettings settingsFromConfig() {
        SmallRyeConfig config = new SmallRyeConfigBuilder().addSystemSources().build();
        int cpus = Runtime.getRuntime().availableProcessors();
        int runners = FunctionConfig.effectiveRunners(
                config.getOptionalValue("inference.batch.runners", Integer.class).orElse(0), cpus);
        int threads = FunctionConfig.effectiveThreads(
                config.getOptionalValue("inference.model.threads", Integer.class).orElse(0), runners, cpus);
        boolean spin = config.getOptionalValue("inference.model.spin-wait", Boolean.class).orElse(false);
        Path path = config.getOptionalValue("inference.model.path", String.class).map(Path::of).orElse(null);
        return new InferenceSettings(path, threads, spin);
    }
}
