package io.elasticinference.function.lifecycle;

import io.elasticinference.function.classify.EarlyModelLoad;
import io.elasticinference.function.startup.UnpackedOnnxRuntime;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

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
        EarlyModelLoad.start();
        Quarkus.run(args);
    }
}
