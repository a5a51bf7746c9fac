package io.elasticinference.function.api;

import io.elasticinference.function.config.FunctionConfig;
import io.quarkus.vertx.web.RouteFilter;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;

/**
 * Refuses a body whose declared length is over the limit before any of it is read, with the JSON error shape.
 * (Chunked bodies without a length are cut off by Quarkus' own {@code quarkus.http.limits.max-body-size}.)
 */
public class BodyLimitFilter {

    @Inject
    FunctionConfig config;

    @RouteFilter(100)
    void limit(RoutingContext rc) {
        String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            long declared;
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
        rc.next();
    }
}
