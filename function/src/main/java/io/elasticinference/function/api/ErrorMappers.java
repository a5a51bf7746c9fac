package io.elasticinference.function.api;

import io.elasticinference.function.config.FunctionConfig;
import io.elasticinference.function.metrics.FunctionMetrics;
import jakarta.inject.Inject;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error leaves as JSON in one shape. Framework errors (unknown path, wrong method, wrong content type, body
 * too large) are mapped here too, so a client never sees an HTML page or a stack trace.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);
    /** What a request with the wrong content type is told, wherever it is refused. */
    static final String SEND_AN_IMAGE = "Send an image (image/jpeg, image/png, image/gif, image/bmp, image/webp, "
            + "application/octet-stream) or multipart/form-data with a part named 'file'.";
    /** What a client is told of the server's own failure: no more (the log has the rest). */
    static final String SERVER_FAILED = "The server failed to process the request.";

    @Inject
    FunctionMetrics metrics;
    @Inject
    FunctionConfig config;

    @ServerExceptionMapper
    public Response apiError(ApiError e) {
        return response(e);
    }

    @ServerExceptionMapper
    public Response unsupportedType(NotSupportedException e) {
        return counted(new ApiError(415, "unsupported_media_type", SEND_AN_IMAGE));
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return response(new ApiError(404, "not_found", "No such endpoint. POST an image to /predict."));
    }

    /**
     * RFC 9110 requires a 405 to carry {@code Allow}. Quarkus REST leaves the exception's list empty, and it would
     * not know of the upload page on {@code /}, which the static resources serve outside JAX-RS.
     */
    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e, UriInfo uri) {
        boolean uploadPage = "/".equals(uri.getPath());
        Response json = response(new ApiError(405, "method_not_allowed", uploadPage
                ? "Use POST to send an image, or GET for the upload page." : "Use POST to send an image."));
        return Response.fromResponse(json)
                .header("Allow", uploadPage ? "GET, HEAD, POST, OPTIONS" : "POST, OPTIONS").build();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status == 413) {
            return counted(new ApiError(413, "body_too_large", "The request body is larger than allowed."));
        }
        if (status >= 500) {
            LOG.error("Request failed", e);
            return counted(new ApiError(status, "internal_error", SERVER_FAILED));
        }
        return counted(new ApiError(status, "bad_request", "The request could not be read."));
    }

    /**
     * The heap ran out for this request (the body and decode bounds make it rare): the function is overloaded, not
     * broken, so the client is asked to retry, in JSON like every other error (the framework's page is plain text).
     */
    @ServerExceptionMapper
    public Response outOfMemory(OutOfMemoryError e) {
        LOG.warnf("Out of heap while serving a request (%s): answered 503", e.getMessage());
        metrics.countOnly(FunctionMetrics.Outcome.REJECTED);
        return response(new ApiError(503, "overloaded", "The function has no memory free for this request; retry "
                + "later.", config.admission().retryAfterSeconds()));
    }

    /** Any other error: JSON too, and never its stack trace. */
    @ServerExceptionMapper
    public Response unexpectedError(Error e) {
        LOG.error("Request failed with an error", e);
        return counted(new ApiError(500, "internal_error", SERVER_FAILED));
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        LOG.error("Request failed unexpectedly", e);
        return counted(new ApiError(500, "internal_error", SERVER_FAILED));
    }

    private Response counted(ApiError e) {
        metrics.countOnly(e.status() >= 500 ? FunctionMetrics.Outcome.SERVER_ERROR
                : FunctionMetrics.Outcome.CLIENT_ERROR);
        return response(e);
    }

    static Response response(ApiError e) {
        Response.ResponseBuilder builder = Response.status(e.status()).type(MediaType.APPLICATION_JSON)
                .entity(e.body());
        if (e.retryAfterSeconds() != null) {
            builder.header("Retry-After", e.retryAfterSeconds());
        }
        return builder.build();
    }
}
