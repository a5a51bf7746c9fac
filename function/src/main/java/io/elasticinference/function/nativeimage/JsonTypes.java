package io.elasticinference.function.nativeimage;

import io.elasticinference.function.api.ApiError;
import io.elasticinference.function.api.PredictionResponse;
import io.elasticinference.function.classify.Classification;
import io.elasticinference.function.model.ModelInfo;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The records Jackson reads or writes, which it reaches by reflection (record components and the canonical
 * constructor). Quarkus registers the types a resource method declares; ours return {@code Response}, so their
 * entities (a prediction, an error body) are invisible to it, and {@link ModelInfo} is read from the packaged
 * {@code resnet18.json}, not through REST at all. Unregistered, the executable failed to load the model ("Cannot
 * construct instance of ModelInfo ... this appears to be a native image") and answered 500 where it should answer
 * with JSON. {@code NativeImageConfigTest} walks the records' components from these roots and fails on a record
 * that is missing here.
 */
@RegisterForReflection(targets = {
        ModelInfo.class,
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
