package io.elasticinference.function.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures the range of every tensor {@link QuantizedResNet18} quantizes, by running its float calibration graph on
 * preprocessed photos with ONNX Runtime (at build time: the model generator runs it). Ranges are the extremes seen:
 * an activation outside its range would saturate, which costs more than the coarser steps a wide range gives.
 */
public final class ActivationCalibration {

    private ActivationCalibration() {
    }

    /** The range of each of {@link QuantizedResNet18#activations()} over {@code inputs} ([3,224,224] tensors). */
    public static Map<String, ActivationRange> calibrate(byte[] calibrationGraph, List<float[]> inputs)
            throws OrtException {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one image");
        }
        List<String> keys = QuantizedResNet18.activations();
        Map<String, ActivationRange> ranges = new LinkedHashMap<>();
        OrtEnvironment env = OnnxRuntimeEnvironment.shared();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
            try (OrtSession session = env.createSession(calibrationGraph, options)) {
                for (float[] input : inputs) {
                    ranges.merge(QuantizedResNet18.INPUT, ActivationRange.of(input), ActivationRange::union);
                    try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input),
                            new long[]{1, 3, 224, 224});
                         OrtSession.Result result = session.run(Map.of(QuantizedResNet18.INPUT, tensor))) {
                        for (String key : keys) {
                            if (key.equals(QuantizedResNet18.INPUT)) {
                                continue;
                            }
                            OnnxValue value = result.get(key).orElseThrow(
                                    () -> new IllegalStateException("the calibration graph lacks output " + key));
                            FloatBuffer data = ((OnnxTensor) value).getFloatBuffer();
                            float[] values = new float[data.remaining()];
                            data.get(values);
                            ranges.merge(key, ActivationRange.of(values), ActivationRange::union);
                        }
                    }
                }
            }
        }
        return ranges;
    }
}
