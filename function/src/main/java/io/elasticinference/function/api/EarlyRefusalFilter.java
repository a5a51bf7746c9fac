package io.elasticinference.function.api;

import io.elasticinference.function.admission.AdmissionControl;
import io.elasticinference.function.config.FunctionConfig;
import io.elasticinference.function.metrics.FunctionMetrics;
import io.vertx.core.http.HttpMethod;
import io.quarkus.vertx.web.RouteFilter;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;

/**
 * Checks made on the I/O thread before a request's body is read: a body whose declared length is over the limit is
 * refused with 413 (chunked bodies without a length are cut off by Quarkus' {@code quarkus.http.limits.max-body-size}),
 * and a prediction arriving while the function is full is refused with 503 + Retry-After (see
 * {@link AdmissionControl#tryEnter()}).
 */
public class EarlyRefusalFilter {

    @Inject
    FunctionConfig config;
    @Inject
    AdmissionControl admission;
    @Inject
    FunctionMetrics metrics;

    @RouteFilter(100)
    void limit(RoutingContext rc) {
        String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        long declared = -1;
        if (length != null) {
            try {
                declared = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                declared = -1;
            }
            if (declared > config.maxBodyBytes()) {
                ApiError error = new ApiError(413, "body_too_large", "The body has " + declared
                        + " bytes; the limit is " + config.maxBodyBytes() + " bytes.");
                rc.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .putHeader(HttpHeaders.CONNECTION, "close")
                        .end(Json.encode(error.body()));
                return;
            }
        }
        if (rc.request().method() == HttpMethod.POST && isPrediction(rc.normalizedPath())) {
            // A body without a declared length may be as large as allowed.
            long body = declared >= 0 ? declared : config.maxBodyBytes();
            if (!admission.tryEnter(body)) {
                metrics.countOnly(FunctionMetrics.Outcome.REJECTED);
                ApiError error = new ApiError(503, "overloaded", "all processing slots are busy and the wait queue "
                        + "is full, or the bodies being processed leave no room for this one; retry later",
                        config.admission().retryAfterSeconds());
                rc.response().setStatusCode(503).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .putHeader("Retry-After", Integer.toString(config.admission().retryAfterSeconds()))
                        .end(Json.encode(error.body()));
                return;
            }
            rc.addEndHandler(done -> admission.exit(body));
        }
        rc.next();
    }

    private static boolean isPrediction(String path) {
        return path.equals("/") || path.equals("/predict") || path.equals("/predict/");
    }
}
