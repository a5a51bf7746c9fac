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
        UnpackedOnnxRuntime.useIfPresent();
        EarlyModelLoad.start();
        Quarkus.run(args);
    }
}
