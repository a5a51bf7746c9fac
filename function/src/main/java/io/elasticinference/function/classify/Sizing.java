package io.elasticinference.function.classify;

import io.elasticinference.function.admission.AdmissionControl;
import io.elasticinference.function.config.FunctionConfig;
import io.elasticinference.function.metrics.FunctionMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Slots, queue and threads derived once from configuration and the CPU count the process sees (a container's CPU
 * limit included), so a user never has to tune them for the machine.
 */
@ApplicationScoped
public class Sizing {

    private final int slots;
    private final int threads;
    private final int aloneThreads;
    private final int queue;
    private final int runners;
    private final long maxWaitNanos;
    private final long maxBodyBytesInside;
    private final int maxArriving;

    @Inject
    public Sizing(FunctionConfig config) {
        int cpus = Runtime.getRuntime().availableProcessors();
        this.slots = FunctionConfig.effectiveSlots(config.admission(), cpus);
        this.runners = FunctionConfig.effectiveRunners(config.batch().runners(), cpus);
        this.threads = FunctionConfig.effectiveThreads(config.model().threads(), runners, cpus);
        this.queue = FunctionConfig.effectiveQueue(config.admission(), slots);
        this.aloneThreads = FunctionConfig.effectiveAloneThreads(config.model().alone().threads(), runners, threads,
                cpus);

        this.maxWaitNanos = config.admission().maxWait().toNanos();
        this.maxBodyBytesInside = FunctionConfig.effectiveBodyBytesInside(config.admission(),
                Runtime.getRuntime().maxMemory());
        this.maxArriving = config.admission().maxArriving();
        if (maxArriving < 1) {
            throw new IllegalArgumentException("inference.admission.max-arriving must be at least 1, got "
                    + maxArriving);
        }
    }

    public int slots() {
        return slots;
    }

    public int threadsPerInference() {
        return threads;
    }

    /** ONNX Runtime threads of a run that starts while no other is in flight; 0 = no session of its own. */
    public int threadsWhenAlone() {
        return aloneThreads;
    }

    /** Model runs in flight at once. */
    public int runners() {
        return runners;
    }

    public int queueSize() {
        return queue;
    }

    @Produces
    @Singleton
    AdmissionControl admissionControl() {
        return new AdmissionControl(slots, queue, maxWaitNanos, maxBodyBytesInside, maxArriving);
    }

    @Produces
    @Singleton
    FunctionMetrics functionMetrics(MeterRegistry registry, AdmissionControl admission) {
        return new FunctionMetrics(registry, admission);
    }
}
