package io.elasticinference.function.classify;

import io.elasticinference.function.config.FunctionConfig;
import io.elasticinference.function.inference.InferenceLane;
import io.elasticinference.function.inference.InferenceSettings;
import io.elasticinference.function.inference.OnnxClassifier;
import io.elasticinference.function.metrics.FunctionMetrics;
import io.elasticinference.function.model.ModelInfo;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.HttpServerStart;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Owns the classifier. It is loaded on a background thread at start-up so that the HTTP server (and liveness) are up
 * at once, and readiness turns UP only after one warm-up inference ran: the first real request must not pay for
 * ONNX Runtime's lazy initialisation.
 */
@ApplicationScoped
public class ModelHolder {

    private static final Logger LOG = Logger.getLogger(ModelHolder.class);

    /** State that readiness and the request path read; written once by the loader thread. */
    public enum State { LOADING, READY, FAILED, DRAINING }

    @Inject
    FunctionConfig config;
    @Inject
    Sizing sizing;
    @Inject
    FunctionMetrics metrics;

    /**
     * How long the lane must have been idle, without an arrival, before the second session loads: about one model
     * run, and enough for an answer's JSON to be written.
     */
    private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** How often the loader looks for that moment: a small share of it. */
    private static final long QUIET_POLL_MS = 5;

    private volatile State state = State.LOADING;
    private volatile OnnxClassifier classifier;
    private volatile InferenceLane lane;
    private volatile String failure = "";
    /**
     * What the "Ready. Send images" line waits for: the model ready and the HTTP server listening, in either order
     * (bits {@link #MODEL_READY} and {@link #LISTENING}). The model can be ready before the server listens, and the
     * server may never listen (a port in use).
     */
    private final AtomicInteger up = new AtomicInteger();
    private static final int MODEL_READY = 1;
    private static final int LISTENING = 2;
    private volatile int listeningPort;

    void onStart(@Observes StartupEvent event) {
        Thread loader = new Thread(this::load, "model-loader");
        loader.setDaemon(true);
        loader.start();
    }

    /** Quarkus fires this asynchronously once the HTTP server listens. */
    void onListening(@ObservesAsync HttpServerStart event) {
        listeningPort = event.options().getPort();
        announceOnceBothAreUp(LISTENING);
    }

    void onStop(@Observes ShutdownEvent event) {
        startDraining();
    }

    private void announceOnceBothAreUp(int part) {
        int before = up.getAndAccumulate(part, (a, b) -> a | b);
        if (before == (MODEL_READY | LISTENING) || (before | part) != (MODEL_READY | LISTENING)) {
            return;
        }
        if (listeningPort > 0) {
            LOG.infof("Ready. Send images: curl -H 'Content-Type: image/jpeg' --data-binary @photo.jpg "
                    + "http://localhost:%d/predict  (upload page: http://localhost:%d/)", listeningPort, listeningPort);
        } else { // a random port (quarkus.http.port=0), which the server's options do not name
            LOG.info("Ready. Send images to /predict on the port of Quarkus' \"Listening on\" line");
        }
    }

    /** From now on readiness is DOWN and new requests are refused with 503; admitted ones finish. */
    public void startDraining() {
        state = State.DRAINING;
        metrics.notReady();
    }

    private void load() {
        try {
            InferenceSettings settings = new InferenceSettings(config.model().path().map(Path::of).orElse(null),
                    sizing.threadsPerInference(), config.model().spinWait());
            EarlyModelLoad.Loaded result = null;
            CompletableFuture<EarlyModelLoad.Early> pending = EarlyModelLoad.take();
            EarlyModelLoad.Early early = pending == null ? null : pending.join();
            if (early != null && settings.equals(early.settings())) {
                if (early.failure() != null) {
                    throw early.failure();
                }
                result = early.loaded();
            } else if (early != null) {
                LOG.infof("The model was loaded early with %s, but the configuration says %s: loading it again",
                        early.settings(), settings);
                if (early.loaded() != null) {
                    early.loaded().classifier().close();
                }
            }
            if (result == null) {
                result = EarlyModelLoad.load(settings, System.nanoTime());
            }
            classifier = result.classifier();
            lane = new InferenceLane(classifier::probabilities, config.batch().maxSize(), config.batch().maxWait(),
                    sizing.runners(), config.model().alone().maxOverlap());
            ModelInfo info = classifier.info();
            metrics.modelLoaded(result.nanos(), info.name(), info.weights(), info.pretrained(), info.sha256(),
                    sizing.threadsPerInference());
            if (!info.pretrained()) {
                LOG.warnf("Serving %s with %s: predictions are NOT meaningful. Configure a torchvision safetensors "
                        + "file at build time for real ImageNet weights (see README).", info.name(), info.weights());
            }
            LOG.infof("Model %s (%s, sha256 %s) loaded from %s and warm in %d ms; %d slots, %d model runs at once "
                    + "on %d ONNX Runtime threads, batches up to %d", info.name(), info.weights(), info.sha256(),
                    classifier.source(), result.nanos() / 1_000_000, sizing.slots(), sizing.runners(),
                    result.settings().effectiveThreads(), config.batch().maxSize());
            if (state == State.LOADING) {
                state = State.READY;
                announceOnceBothAreUp(MODEL_READY);
            }
            if (sizing.threadsWhenAlone() > 0 && awaitQuietMoment()) {
                loadAloneSession(settings);
            }
        } catch (RuntimeException | LinkageError e) {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                    ? e.getCause() : e;
            failure = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            state = State.FAILED;
            LOG.error("Model failed to load; the function stays not ready", cause);
        }
    }

    /**
     * Waits until a request has been answered (or {@code alone.load-delay} has passed without one), and then for a
     * quiet moment: no run in flight, none waiting and no arrival for {@link #QUIET_NANOS}, which also lets the last
     * answer be written. Loaded at once after readiness, the second session took the CPUs of a start's first request
     * (docs/benchmarks.md).
     *
     * @return false when the function stopped serving meanwhile: then there is no use for the session
     */
    private boolean awaitQuietMoment() {
        long readyAt = System.nanoTime();
        long delay = config.model().alone().loadDelay().toNanos();
        long seen = lane.arrivals();
        long lastBusy = readyAt;
        try {
            while (state == State.READY) {
                long now = System.nanoTime();
                long arrivals = lane.arrivals();
                if (arrivals != seen || !lane.idle()) {
                    seen = arrivals;
                    lastBusy = now;
                }
                boolean due = arrivals > 0 || now - readyAt >= delay;
                if (due && now - lastBusy >= QUIET_NANOS) {
                    return true;
                }
                Thread.sleep(QUIET_POLL_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.infof("No second session for lone runs: the function is %s", state.name().toLowerCase());
        return false;
    }

    /**
     * After readiness, off the start-up path: a second session for runs that have the CPUs to themselves. Until it
     * is there, and if it cannot be loaded, every run uses the first one.
     */
    private void loadAloneSession(InferenceSettings shared) {
        InferenceSettings settings = new InferenceSettings(shared.modelPath(), sizing.threadsWhenAlone(), true,
                TimeUnit.NANOSECONDS.toMicros(config.model().alone().spin().toNanos()));
        long start = System.nanoTime();
        try {
            OnnxClassifier lone = OnnxClassifier.load(settings);
            lane.useWhenAlone(lone::probabilities);
            LOG.infof("A run with no other in flight now uses a second session on %d ONNX Runtime threads "
                    + "(loaded in %d ms)", settings.effectiveThreads(), (System.nanoTime() - start) / 1_000_000);
        } catch (IOException | RuntimeException | LinkageError e) {
            LOG.warnf("No second session for lone runs (every run stays on %d thread(s)): %s",
                    shared.effectiveThreads(), e.getMessage());
        }
    }

    public State state() {
        return state;
    }

    public String failure() {
        return failure;
    }

    /** The lane every inference goes through; only valid when {@link #state()} is READY or DRAINING. */
    public InferenceLane lane() {
        return lane;
    }

    public ModelInfo info() {
        OnnxClassifier c = classifier;
        return c == null ? null : c.info();
    }
}
