package io.elasticinference.function.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.elasticinference.function.classify.Classification;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Writes one prediction and one error with the mapper the REST layer uses, on a thread of its own while Quarkus
 * finishes starting: Jackson builds a serializer for each type on first use, and a start's first request paid that.
 */
@ApplicationScoped
class JsonWarmUp {

    private static final Logger LOG = Logger.getLogger(JsonWarmUp.class);

    @Inject
    ObjectMapper mapper;

    void onStart(@Observes StartupEvent event) {
        Thread warmUp = new Thread(this::writeSamples, "json-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    private void writeSamples() {
        try {
            mapper.writeValueAsBytes(new PredictionResponse(List.of(new Classification.Prediction("tabby", 281, 0.5)),
                    "tabby: 50.0%", new PredictionResponse.Model("resnet18", "seeded", false, "0"),
                    new PredictionResponse.Timings(0, 1, 2, 3)));
            mapper.writeValueAsBytes(new ApiError(400, "empty_body", "warm-up").body());
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.debugf("JSON warm-up failed (the first request will be slower): %s", e);
        }
    }
}
