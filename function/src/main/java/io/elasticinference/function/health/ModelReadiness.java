package io.elasticinference.function.health;

import io.elasticinference.function.classify.ModelHolder;
import io.elasticinference.function.model.ModelInfo;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only when the model is loaded and warm, and not while draining. Says which weights are served: seeded random
 * weights are reported as a warning so nobody mistakes them for a trained model.
 */
@Readiness
@ApplicationScoped
public class ModelReadiness implements HealthCheck {

    @Inject
    ModelHolder model;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("model")
                .withData("state", model.state().name().toLowerCase());
        ModelInfo info = model.info();
        if (info != null) {
            builder.withData("name", info.name()).withData("weights", info.weights())
                    .withData("pretrained", info.pretrained()).withData("sha256", info.sha256());
            if (!info.pretrained()) {
                builder.withData("warning", "seeded random weights: predictions are not meaningful");
            }
        }
        if (model.state() == ModelHolder.State.FAILED) {
            builder.withData("error", model.failure());
        }
        return builder.status(model.state() == ModelHolder.State.READY).build();
    }
}
