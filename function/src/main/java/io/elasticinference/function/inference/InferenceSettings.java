package io.elasticinference.function.inference;

import java.nio.file.Path;

/**
 * How to load the classifier.
 *
 * @param modelPath      an ONNX classifier ([N,3,224,224] in, [N,1000] out), or null for the packaged ResNet18
 * @param intraOpThreads ONNX Runtime threads for one inference; 0 = the CPU count the process sees
 */
public record InferenceSettings(Path modelPath, int intraOpThreads) {

    public int effectiveThreads() {
        return intraOpThreads > 0 ? intraOpThreads : Runtime.getRuntime().availableProcessors();
    }
}
