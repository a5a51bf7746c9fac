package io.elasticinference.function.api;

import io.elasticinference.function.metrics.FunctionMetrics;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Requests that fail in the HTTP router itself, before any endpoint: a Host header that is not a host (Vert.x refuses
 * it with 400). Quarkus' own page for them is plain text headed "500 - Internal Server Error" whatever the status, and
 * it logs each one as an ERROR; here they get the API's JSON error like every other refusal, and a client's mistake is
 * not logged as the server's.
 */
public class RoutingFailures {

    private static final Logger LOG = Logger.getLogger(RoutingFailures.class);

    @Inject
    FunctionMetrics metrics;

    /** A failure handler on every path, ahead of Quarkus' own (which is registered last). */
    void install(@Observes Router router) {
        router.route().failureHandler(this::failed);
    }

    private void failed(RoutingContext rc) {
        if (rc.response().headWritten()) {
            rc.next(); // too late for an answer of ours
            return;
        }
        int status = rc.statusCode();
        if (status >= 400 && status < 500) {
            if (EarlyRefusalFilter.isPrediction(rc.normalizedPath())) {
                metrics.countOnly(FunctionMetrics.Outcome.CLIENT_ERROR);
            }
            String reason = rc.failure() == null || rc.failure().getMessage() == null ? ""
                    : ": " + rc.failure().getMessage();
            EarlyRefusalFilter.respond(rc, new ApiError(status, "bad_request", "The request could not be read"
                    + reason + "."), false);
            return;
        }
        LOG.error("Request failed in the HTTP router", rc.failure());
        if (EarlyRefusalFilter.isPrediction(rc.normalizedPath())) {
            metrics.countOnly(FunctionMetrics.Outcome.SERVER_ERROR);
        }
        EarlyRefusalFilter.respond(rc, new ApiError(500, "internal_error", ErrorMappers.SERVER_FAILED), false);
    }
}
