package io.elasticinference.function.inference;

import java.nio.file.Path;

/**
 * How to load the classifier.
 *
 * @param modelPath      an ONNX classifier ([N,3,224,224] in, [N,1000] out), or null for the packaged ResNet18
 * @param intraOpThreads ONNX Runtime's intra-op threads of one run; 0 = the CPU count
 * @param spinWait       whether idle ONNX Runtime threads spin (lower hand-over latency, but they take CPU from
 *                       concurrent inferences)
 */
public record InferenceSettings(Path modelPath, int intraOpThreads, boolean spinWait) {

    public InferenceSettings(Path modelPath, int intraOpThreads) {
        this(modelPath, intraOpThreads, false);
    }

    public int effectiveThreads() {
        return intraOpThreads > 0 ? intraOpThreads : Runtime.getRuntime().availableProcessors();
    }
}
