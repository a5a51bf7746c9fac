package io.elasticinference.function.lifecycle;

import io.elasticinference.function.classify.EarlyModelLoad;
import io.elasticinference.function.inference.OnnxRuntimeExit;
import io.elasticinference.function.startup.UnpackedOnnxRuntime;
import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.PreventFurtherStepsException;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusBindException;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.runtime.util.ExceptionUtil;
import io.smallrye.config.ConfigValidationException;
import org.jboss.logging.Logger;
import sun.misc.Signal;

/**
 * Starts loading the model before Quarkus boots, so the two overlap: loading the ONNX graph and creating the ONNX
 * Runtime session take about as long as the framework's own start-up, and the first prediction needs both.
 */
@QuarkusMain
public final class FunctionMain {

    private FunctionMain() {
    }

    public static void main(String... args) {
        // Quarkus.run sets these two, but the model load starts first: its decoding warm-up reaches
        // java.util.logging (through ImageIO), and the JDK's own log manager won that race and printed Quarkus' log
        // lines in its default two-line format; its CompletableFuture creates the common ForkJoinPool.
        System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        System.setProperty("java.util.concurrent.ForkJoinPool.common.threadFactory",
                "io.quarkus.bootstrap.forkjoin.QuarkusForkJoinWorkerThreadFactory");
        UnpackedOnnxRuntime.useIfPresent();
        exitOnSignalsBeforeStart();
        EarlyModelLoad.start();
        Quarkus.run(null, FunctionMain::exit, args);
    }

    /**
     * Until {@link SigtermDrain} takes SIGTERM and SIGINT over (once the application has started), they end the
     * process as the JVM would, with status 128 + the signal's number, but only after the model's session is created
     * ({@link OnnxRuntimeExit}): the JVM's own handling crashed a start-up in progress.
     */
    private static void exitOnSignalsBeforeStart() {
        for (String name : SigtermDrain.SIGNALS) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    Thread exit = new Thread(() -> {
                        awaitSessionCreations();
                        System.exit(128 + signal.getNumber());
                    }, "exit-before-start");
                    exit.start();
                });
            } catch (IllegalArgumentException e) {
                Logger.getLogger(FunctionMain.class).warnf("Cannot handle SIG%s here (%s)", name, e.getMessage());
            }
        }
    }

    /** Quarkus' exit, after the application stopped or failed to start, before the JVM's shutdown. */
    private static void exit(Integer code, Throwable failure) {
        if (failure != null) {
            reportFailedStart(failure);
        }
        awaitSessionCreations();
        ApplicationLifecycleManager.getDefaultExitCodeHandler().accept(code, failure);
    }

    /**
     * Quarkus says why a start failed only when it also exits by itself: given an exit handler, it leaves the report
     * to the handler, and without this a port in use or a mistyped setting ended the process with status 1 and not a
     * word. Worded as Quarkus words them where it would: a setting's problem without a stack trace.
     */
    private static void reportFailedStart(Throwable failure) {
        Throwable root = ExceptionUtil.getRootCause(failure);
        if (root instanceof QuarkusBindException bind) {
            Logger.getLogger(FunctionMain.class).errorf("Cannot listen on %s:%d: the port is in use by another "
                    + "process (is the function already running?). Stop that process, or start the function on "
                    + "another port with -Dquarkus.http.port=PORT.", bind.getHost(), bind.getPort());
        } else if (root instanceof ConfigurationException || root instanceof ConfigValidationException) {
            System.err.println(root.getMessage());
        } else if (root instanceof PreventFurtherStepsException) {
            if (root.getMessage() != null && !root.getMessage().isEmpty()) {
                System.err.println(root.getMessage());
            }
        } else {
            Logger.getLogger(FunctionMain.class).error("Failed to start the function", failure);
        }
    }

    static void awaitSessionCreations() {
        if (!OnnxRuntimeExit.process().closeAndAwait(OnnxRuntimeExit.LONGEST_WAIT.toNanos())) {
            Logger.getLogger(FunctionMain.class).warnf("Exiting while an ONNX Runtime session is still being "
                    + "created (waited %d s)", OnnxRuntimeExit.LONGEST_WAIT.toSeconds());
        }
    }
}
