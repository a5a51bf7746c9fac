package io.elasticinference.function.classify;

import io.elasticinference.function.config.FunctionConfig;
import io.elasticinference.function.inference.InferenceSettings;
import io.elasticinference.function.inference.OnnxClassifier;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The model load (and warm-up inference) started from {@code main}, before Quarkus boots. {@link ModelHolder} takes
 * the result; when the early start did not happen (tests, dev mode) it loads the model itself.
 */
public final class EarlyModelLoad {

    private static volatile CompletableFuture<Loaded> pending;

    /** A loaded, warm classifier and how long that took. */
    record Loaded(OnnxClassifier classifier, long nanos) {
    }

    /** A model load takes ~1 s; an exit waits at most this long for one in progress. */
    private static final long EXIT_WAIT_FOR_LOAD_S = 10;

    private EarlyModelLoad() {
    }

    public static void start() {
        long start = System.nanoTime();
        CompletableFuture<Loaded> loading = CompletableFuture.supplyAsync(() -> load(settingsFromConfig(), start));
        pending = loading;
        // Exiting while ONNX Runtime creates its session (Quarkus failed to start, or SIGTERM during start-up) tore
        // the native library down under the loading thread: SIGSEGV and an hs_err file instead of a clean exit.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                loading.get(EXIT_WAIT_FOR_LOAD_S, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // failed or too slow: nothing more to wait for
            }
        }, "model-load-exit-wait"));
    }

    /** The early load, if one was started; null otherwise. */
    static CompletableFuture<Loaded> take() {
        CompletableFuture<Loaded> p = pending;
        pending = null;
        return p;
    }

    static Loaded load(InferenceSettings settings, long startNanos) {
        try {
            // load() ends with one inference (the output-shape check), which is also the warm-up: ONNX Runtime
            // initialises lazily on the first run, and the first request must not pay for it.
            OnnxClassifier loaded = OnnxClassifier.load(settings);
            return new Loaded(loaded, System.nanoTime() - startNanos);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The same keys and derivation as {@link Sizing}, read before the CDI container exists. */
    private static InferenceSettings settingsFromConfig() {
        Config config = ConfigProvider.getConfig();
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
