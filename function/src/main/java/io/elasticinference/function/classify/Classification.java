package io.elasticinference.function.classify;

import io.elasticinference.function.model.ModelInfo;

import java.util.List;

/** The outcome of classifying one image: the best classes and where the time went. */
public record Classification(List<Prediction> predictions, ModelInfo model, Timings timings) {

    /** One class: its ImageNet label and index, and the softmax probability. */
    public record Prediction(String label, int index, double probability) {
    }

    /** Milliseconds spent waiting for a slot, decoding + preprocessing, in the model, and in all. */
    public record Timings(double queueMs, double decodeMs, double inferenceMs, double totalMs) {
    }
}
