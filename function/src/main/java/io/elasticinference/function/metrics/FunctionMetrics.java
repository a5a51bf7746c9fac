package io.elasticinference.function.metrics;

import io.elasticinference.function.admission.AdmissionControl;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The function's Prometheus metrics. Names are a contract with the latency autoscaler and the Grafana dashboard:
 * see docs/metrics.md before changing any of them.
 */
public final class FunctionMetrics {

    /** Buckets of the latency histograms: fine around the 0.33 s objective so a p99 near it is well resolved. */
    static final Duration[] LATENCY_BUCKETS = millis(5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 100, 125, 150, 175, 200,
            250, 300, 330, 400, 500, 600, 750, 1000, 1500, 2000, 3000, 5000, 10000);

    private final Map<Outcome, Timer> requestDuration = new EnumMap<>(Outcome.class);
    private final Map<Outcome, Counter> requests = new EnumMap<>(Outcome.class);
    private final Timer queueWait;
    private final Timer modelDuration;
    private final Timer decodeDuration;
    private final Counter modelThreadSeconds;
    private final DistributionSummary batchSize;
    private final AtomicLong modelLoadMillis = new AtomicLong(-1);
    private final AtomicReference<Double> ready = new AtomicReference<>(0.0);
    private final MeterRegistry registry;

    public FunctionMetrics(MeterRegistry registry, AdmissionControl admission) {
        this.registry = registry;
        for (Outcome outcome : Outcome.values()) {
            requestDuration.put(outcome, Timer.builder("inference.request.duration")
                    .description("Server-side request duration, admission queue included")
                    .tags("outcome", outcome.tag())
                    .serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(registry));
            requests.put(outcome, Counter.builder("inference.requests")
                    .description("Requests by outcome")
                    .tags("outcome", outcome.tag())
                    .register(registry));
        }
        queueWait = Timer.builder("inference.queue.wait")
                .description("Time a request waited for a processing slot")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        modelDuration = Timer.builder("inference.model.duration")
                .description("Model forward pass time of one batch")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        modelThreadSeconds = Counter.builder("inference.model.thread")
                .description("Model run time multiplied by the ONNX Runtime threads of the run: the service demand "
                        + "in thread-seconds, comparable between runs of different widths")
                .baseUnit("seconds")
                .register(registry);
        decodeDuration = Timer.builder("inference.decode.duration")
                .description("Image decoding and preprocessing time")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        batchSize = DistributionSummary.builder("inference.batch.size")
                .description("Images per model call")
                .serviceLevelObjectives(1, 2, 4, 8, 16)
                .register(registry);
        Gauge.builder("inference.inflight.requests", admission, AdmissionControl::inService)
                .description("Requests holding a processing slot")
                .register(registry);
        Gauge.builder("inference.queued.requests", admission, AdmissionControl::waiting)
                .description("Requests waiting for a processing slot")
                .register(registry);
        Gauge.builder("inference.arriving.requests", admission, AdmissionControl::arriving)
                .description("Prediction requests whose body is still being received")
                .register(registry);
        Gauge.builder("inference.model.load", modelLoadMillis, v -> v.get() < 0 ? Double.NaN : v.get() / 1000.0)
                .description("Time to load the model and run the warm-up inference")
                .baseUnit("seconds")
                .register(registry);
        Gauge.builder("inference.ready", ready, AtomicReference::get)
                .description("1 when the model is loaded and warm, else 0")
                .register(registry);
    }

    public void request(Outcome outcome, long nanos) {
        requestDuration.get(outcome).record(nanos, TimeUnit.NANOSECONDS);
        requests.get(outcome).increment();
    }

    /** A request refused before the function timed it (framework-level errors): counted, not timed. */
    public void countOnly(Outcome outcome) {
        requests.get(outcome).increment();
    }

    public void queueWait(long nanos) {
        queueWait.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void decode(long nanos) {
        decodeDuration.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * @param threads the ONNX Runtime threads the run had: a lone run on two threads takes about half the time of a
     *                run on one, but not half the CPU, and the latency autoscaler sizes pods by the latter
     */
    public void model(long nanos, int images, int threads) {
        modelDuration.record(nanos, TimeUnit.NANOSECONDS);
        modelThreadSeconds.increment(nanos * (double) threads / 1e9);
        batchSize.record(images);
    }

    /**
     * Called once the model is loaded and warm.
     *
     * @param threadsPerRun ONNX Runtime threads of a run on the shared session: thread-seconds divided by it are the
     *                      model time per image a run would take under load, lone runs included
     */
    public void modelLoaded(long loadNanos, String name, String weights, boolean pretrained, String sha256,
                            int threadsPerRun) {
        modelLoadMillis.set(TimeUnit.NANOSECONDS.toMillis(loadNanos));
        Gauge.builder("inference.model.threads", () -> threadsPerRun)
                .description("ONNX Runtime threads of one run on the shared session (lone runs may use more)")
                .register(registry);
        Gauge.builder("inference.model.info", () -> 1.0)
                .description("The model being served (labels); always 1")
                .tags(Tags.of("name", name, "weights", weights, "pretrained", Boolean.toString(pretrained),
                        "sha256", sha256))
                .register(registry);
        ready.set(1.0);
    }

    public void notReady() {
        ready.set(0.0);
    }

    private static Duration[] millis(long... values) {
        Duration[] out = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Duration.ofMillis(values[i]);
        }
        return out;
    }

    /** How a request ended, as the {@code outcome} label. */
    public enum Outcome {
        OK("ok"), CLIENT_ERROR("client_error"), REJECTED("rejected"), SERVER_ERROR("server_error");

        private final String tag;

        Outcome(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }
}
