package io.elasticinference.function.model;

import ai.djl.engine.Engine;
import ai.onnxruntime.OrtEnvironment;

/**
 * ONNX Runtime's one environment per process, as DJL creates it. DJL's engine always creates it with threading
 * options, and ONNX Runtime refuses those once an environment exists: code that called
 * {@link OrtEnvironment#getEnvironment()} before DJL's first model (calibration, the build-time optimisation, a test)
 * would leave DJL unable to start. So every direct use goes through DJL's engine first.
 */
public final class OnnxRuntimeEnvironment {

    public static final String DJL_ENGINE = "OnnxRuntime";

    private OnnxRuntimeEnvironment() {
    }

    public static OrtEnvironment shared() {
        // Offline: the engine ships in the application, and DJL must never try to fetch one.
        System.setProperty("ai.djl.offline", "true");
        Engine.getEngine(DJL_ENGINE);
        return OrtEnvironment.getEnvironment();
    }
}
