package io.elasticinference.function.lifecycle;

import io.elasticinference.function.admission.AdmissionControl;
import io.elasticinference.function.classify.ModelHolder;
import io.elasticinference.function.config.FunctionConfig;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import sun.misc.Signal;

/**
 * Graceful drain on SIGTERM, done before the JVM's shutdown starts. ONNX Runtime's Java binding closes its native
 * environment in a JVM shutdown hook, and shutdown hooks run concurrently: an inference still running then crashes
 * the process (measured: SIGSEGV in libonnxruntime). So SIGTERM first turns readiness DOWN and refuses new work with
 * 503, waits until every admitted request has been answered (bounded by {@code inference.drain-timeout}), and only
 * then lets Quarkus shut down, once no ONNX Runtime session is being created ({@code OnnxRuntimeExit}: the lone-run
 * session may be loading). SIGINT gets the same treatment when the function runs as itself.
 */
@ApplicationScoped
public class SigtermDrain {

    private static final Logger LOG = Logger.getLogger(SigtermDrain.class);

    @Inject
    ModelHolder model;
    @Inject
    AdmissionControl admission;
    @Inject
    FunctionConfig config;

    private volatile boolean draining;

    /** The signals that end the process: Kubernetes' SIGTERM, and Ctrl-C where the quick start runs it. */
    static final java.util.List<String> SIGNALS = java.util.List.of("TERM", "INT");

    void onStart(@Observes StartupEvent event) {
        // In tests and dev mode Ctrl-C stays the JVM's (or Quarkus') own.
        for (String name : LaunchMode.current() == LaunchMode.NORMAL ? SIGNALS : SIGNALS.subList(0, 1)) {
            try {
                Signal.handle(new Signal(name), signal -> drainThenExit(signal.getName()));
            } catch (IllegalArgumentException e) {
                LOG.warnf("Cannot handle SIG%s here (%s); shutdown will not wait for requests", name, e.getMessage());
            }
        }
    }

    private void drainThenExit(String signal) {
        if (draining) {
            return;
        }
        draining = true;
        Thread drain = new Thread(() -> {
            model.startDraining();
            long deadline = System.nanoTime() + config.drainTimeout().toNanos();
            while ((admission.inService() > 0 || admission.waiting() > 0) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            LOG.infof("SIG%s: drained (%d still in service), shutting down", signal, admission.inService());
            FunctionMain.awaitSessionCreations();
            Quarkus.asyncExit(0);
        }, "sigterm-drain");
        drain.setDaemon(false);
        drain.start();
    }
}
