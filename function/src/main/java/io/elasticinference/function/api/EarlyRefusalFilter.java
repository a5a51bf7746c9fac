package io.elasticinference.function.api;

import io.elasticinference.function.admission.AdmissionControl;
import io.elasticinference.function.config.FunctionConfig;
import io.elasticinference.function.metrics.FunctionMetrics;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.quarkus.vertx.web.RouteFilter;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;

/**
 * Checks made on the I/O thread before a request's body is read: a body whose declared length is over the limit is
 * refused with 413, and a prediction arriving while the function is full is refused with 503 + Retry-After (see
 * {@link AdmissionControl#tryEnter()}). A prediction's body sent without a length (chunked) is read here, under the
 * same limit, and handed on whole (see {@link #readChunked}).
 */
public class EarlyRefusalFilter {

    @Inject
    FunctionConfig config;
    @Inject
    AdmissionControl admission;
    @Inject
    FunctionMetrics metrics;
    /** Quarkus' own limit on waiting for a body (60 s by default), which its reader applied before. */
    @ConfigProperty(name = "quarkus.http.read-timeout", defaultValue = "60s")
    Duration readTimeout;

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
                respond(rc, new ApiError(413, "body_too_large", "The body has " + declared
                        + " bytes; the limit is " + config.maxBodyBytes() + " bytes."), true);
                return;
            }
        }
        if (rc.request().method() == HttpMethod.POST && isPrediction(rc.normalizedPath())) {
            // A body without a declared length may be as large as allowed.
            long body = declared >= 0 ? declared : config.maxBodyBytes();
            if (!admission.tryEnter(body)) {
                metrics.countOnly(FunctionMetrics.Outcome.REJECTED);
                respond(rc, new ApiError(503, "overloaded", "all processing slots are busy and the wait queue "
                        + "is full, or the bodies being processed leave no room for this one; retry later",
                        config.admission().retryAfterSeconds()), false);
                return;
            }
            rc.addEndHandler(done -> admission.exit(body));
            if (length == null && !rc.request().isEnded()) {
                readChunked(rc);
                return;
            }
        }
        rc.next();
    }

    /**
     * Reads a body that came without a length, up to the body limit, and hands it on whole (Quarkus REST reads a body
     * set on the routing context instead of the request). Why here: Quarkus REST's own reader answers such a body over
     * the limit with a 413 and no content, where every other error of this API is JSON. Over the limit, the rest of the
     * body is discarded and the 413 JSON sent once the client has finished sending (a client that is still sending
     * would not read it), and the connection is closed; a body that has not ended after the read timeout gets a 408.
     */
    private void readChunked(RoutingContext rc) {
        Buffer body = Buffer.buffer();
        boolean[] refused = {false};
        long timer = rc.vertx().setTimer(readTimeout.toMillis(), t -> {
            if (!rc.response().ended()) {
                // An HTTP/1 connection would stay open for a body that is not coming; an HTTP/2 stream ends here.
                respond(rc, new ApiError(408, "request_timeout", "The body did not arrive within "
                        + readTimeout.toSeconds() + " s."), true).onComplete(sent -> {
                            if (rc.request().version() != HttpVersion.HTTP_2) {
                                rc.request().connection().close();
                            }
                        });
            }
        });
        rc.request().handler(chunk -> {
            if (refused[0]) {
                return;
            }
            if ((long) body.length() + chunk.length() > config.maxBodyBytes()) {
                refused[0] = true;
                return;
            }
            body.appendBuffer(chunk);
        });
        rc.request().endHandler(end -> {
            rc.vertx().cancelTimer(timer);
            if (rc.response().ended()) {
                return;
            }
            if (refused[0]) {
                respond(rc, new ApiError(413, "body_too_large", "The body is over the limit of "
                        + config.maxBodyBytes() + " bytes."), true);
                return;
            }
            rc.setBody(body);
            rc.next();
        });
        rc.request().exceptionHandler(e -> rc.vertx().cancelTimer(timer));
        rc.request().resume();
    }

    /** The error as JSON; {@code close}: with {@code Connection: close}, when the rest of the request is not read. */
    static Future<Void> respond(RoutingContext rc, ApiError error, boolean close) {
        HttpServerResponse response = rc.response().setStatusCode(error.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        if (error.retryAfterSeconds() != null) {
            response.putHeader("Retry-After", Integer.toString(error.retryAfterSeconds()));
        }
        if (close) {
            response.putHeader(HttpHeaders.CONNECTION, "close");
        }
        return response.end(Json.encode(error.body()));
    }

    static boolean isPrediction(String path) {
        return path.equals("/") || path.equals("/predict") || path.equals("/predict/");
    }
}
