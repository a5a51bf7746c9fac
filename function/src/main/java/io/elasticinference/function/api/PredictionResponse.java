package io.elasticinference.function.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.elasticinference.function.classify.Classification;
import io.elasticinference.function.model.ModelInfo;

import java.util.List;
import java.util.Locale;

/** The JSON of a successful prediction. {@code prediction} is the one-line form the course projects' clients read. */
public record PredictionResponse(List<Classification.Prediction> predictions, String prediction, Model model,
                                 Timings timings) {

    /** Which model answered, and whether its weights are real. */
    public record Model(String name, String weights, boolean pretrained, String sha256) {
    }

    public record Timings(@JsonProperty("queue_ms") double queueMs, @JsonProperty("decode_ms") double decodeMs,
                          @JsonProperty("inference_ms") double inferenceMs, @JsonProperty("total_ms") double totalMs) {
    }

    static PredictionResponse of(Classification c) {
        Classification.Prediction best = c.predictions().get(0);
        ModelInfo info = c.model();
        Classification.Timings t = c.timings();
        return new PredictionResponse(c.predictions(),
                String.format(Locale.ROOT, "%s: %.1f%%", best.label(), best.probability() * 100),
                new Model(info.name(), info.weights(), info.pretrained(), info.sha256()),
                new Timings(t.queueMs(), t.decodeMs(), t.inferenceMs(), t.totalMs()));
    }
}
