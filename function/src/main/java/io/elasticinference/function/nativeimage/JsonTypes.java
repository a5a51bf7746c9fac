package io.elasticinference.function.nativeimage;

import io.elasticinference.function.api.ApiError;
import io.elasticinference.function.api.PredictionResponse;
import io.elasticinference.function.classify.Classification;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The records Jackson writes, which it reaches by reflection (record components and the canonical constructor).
 * Quarkus registers the types a resource method declares; ours return {@code Response}, so their entities (a
 * prediction, an error body) are invisible to it. Unregistered, the executable answered 500 where it should answer
 * with JSON (and, while the packaged model description was still read through an {@code ObjectMapper}, failed to
 * load the model; {@code ModelInfo} is now read with the streaming parser). {@code NativeImageConfigTest} walks the
 * records' components from these roots and fails on a record that is missing here.
 */
@RegisterForReflection(targets = {
        PredictionResponse.class,
        PredictionResponse.Model.class,
        PredictionResponse.Timings.class,
        Classification.Prediction.class,
        ApiError.Body.class,
        ApiError.Body.Detail.class
}, ignoreNested = true)
public final class JsonTypes {

    private JsonTypes() {
    }
}
