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
 * {@link AdmissionControl#tryArrive}). A prediction's body sent over HTTP/1 is then read here, under the same limit,
 * and handed on whole; once it is in, the request takes its place in the queue, or is refused if none is left (see
 * {@link #readBody}).
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
            AdmissionControl.Arrival arrival = admission.tryArrive(body);
            if (arrival == null) {
                refuse(rc);
                return;
            }
            rc.addEndHandler(done -> arrival.leave());
            if (rc.request().isEnded() || rc.request().version() == HttpVersion.HTTP_2) {
                // HTTP/2: Quarkus REST pauses the request it is handed, which Vert.x refuses once an HTTP/2 request
                // has ended, so its own reader reads the body (a request then counts as in from its headers on).
                enter(rc, arrival);
            } else {
                readBody(rc, arrival, declared);
            }
            return;
        }
        rc.next();
    }

    private void enter(RoutingContext rc, AdmissionControl.Arrival arrival) {
        if (arrival.bodyArrived()) {
            rc.next();
        } else {
            refuse(rc);
        }
    }

    private void refuse(RoutingContext rc) {
        metrics.countOnly(FunctionMetrics.Outcome.REJECTED);
        respond(rc, new ApiError(503, "overloaded", "all processing slots are busy and the wait queue is full, or "
                + "the bodies being received leave no room for this one; retry later",
                config.admission().retryAfterSeconds()), false);
    }

    /**
     * Reads a prediction's body, up to the body limit, and hands it on whole (Quarkus REST reads a body set on the
     * routing context instead of the request). Why here and not in Quarkus REST's reader: that reader waits for the
     * body on a worker thread, after the request has been let in, so a slow upload held a thread and a queue place;
     * and it answers a body sent without a length over the limit with a 413 and no content, where every other error
     * of this API is JSON. A client that asked to be told to go on (Expect: 100-continue) is told. Over the limit,
     * the rest of the body is discarded and the 413 JSON sent once the client has finished sending (a client that is
     * still sending would not read it), and the connection is closed; a body that stops coming for the read timeout
     * gets a 408.
     */
    private void readBody(RoutingContext rc, AdmissionControl.Arrival arrival, long declared) {
        Buffer body = Buffer.buffer((int) Math.max(0, Math.min(declared, config.maxBodyBytes())));
        boolean[] refused = {false};
        long[] timer = {rc.vertx().setTimer(readTimeout.toMillis(), t -> timedOut(rc))};
        rc.request().handler(chunk -> {
            rc.vertx().cancelTimer(timer[0]);
            timer[0] = rc.vertx().setTimer(readTimeout.toMillis(), t -> timedOut(rc));
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
            rc.vertx().cancelTimer(timer[0]);
            if (rc.response().ended()) {
                return;
            }
            if (refused[0]) {
                respond(rc, new ApiError(413, "body_too_large", "The body is over the limit of "
                        + config.maxBodyBytes() + " bytes."), true);
                return;
            }
            rc.setBody(body);
            enter(rc, arrival);
        });
        rc.request().exceptionHandler(e -> rc.vertx().cancelTimer(timer[0]));
        if ("100-continue".equalsIgnoreCase(rc.request().getHeader(HttpHeaders.EXPECT))
                && rc.request().version() == HttpVersion.HTTP_1_1) {
            // The client waits for this before it sends the body (curl does for chunked and large bodies, and without
            // it sent after its own 1 s timeout); a request refused above got its final answer instead.
            rc.response().writeContinue();
        }
        rc.request().resume();
    }

    private void timedOut(RoutingContext rc) {
        if (!rc.response().ended()) {
            // The connection would stay open for a body that is not coming.
            respond(rc, new ApiError(408, "request_timeout", "The body did not arrive within "
                    + readTimeout.toSeconds() + " s."), true).onComplete(sent -> rc.request().connection().close());
        }
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
