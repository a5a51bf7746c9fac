package io.elasticinference.function.inference;

import java.nio.file.Path;

/**
 * How to load the classifier.
 *
 * @param modelPath      an ONNX classifier ([N,3,224,224] in, [N,1000] out), or null for the packaged ResNet18
 * @param intraOpThreads ONNX Runtime's intra-op threads of one run; 0 = the CPU count
 * @param spinWait       whether idle ONNX Runtime threads spin (lower hand-over latency, but they take CPU from
 *                       concurrent inferences)
 * @param spinMicros     with {@code spinWait}, how long an idle thread spins before it sleeps; 0 = ONNX Runtime's
 *                       own limit (tens of milliseconds of CPU after each run, measured)
 */
public record InferenceSettings(Path modelPath, int intraOpThreads, boolean spinWait, long spinMicros) {

    public InferenceSettings {
        if (spinMicros < 0) {
            throw new IllegalArgumentException("spinMicros must not be negative, got " + spinMicros);
        }
    }

    public InferenceSettings(Path modelPath, int intraOpThreads, boolean spinWait) {
        this(modelPath, intraOpThreads, spinWait, 0);
    }

    public InferenceSettings(Path modelPath, int intraOpThreads) {
        this(modelPath, intraOpThreads, false);
    }

    public int effectiveThreads() {
        return intraOpThreads > 0 ? intraOpThreads : Runtime.getRuntime().availableProcessors();
    }
}
