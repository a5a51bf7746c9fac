package io.elasticinference.function.api;

import io.elasticinference.function.metrics.FunctionMetrics;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Optional;

/**
 * Refuses a body sent in a content coding (gzip, deflate, br): the function does not decode them, since the images it
 * takes are compressed already, and without this check a gzipped photo would be answered "not an image", which sends
 * the client looking in the wrong place. The answer is the 415 that RFC 9110 gives for an unsupported coding, with
 * {@code Accept-Encoding: identity} naming the one it takes.
 */
public class ContentCodingFilter {

    /** Looked up per refusal: Quarkus REST creates its filters before the configuration the metrics need exists. */
    @Inject
    Provider<FunctionMetrics> metrics;

    @ServerRequestFilter
    public Optional<Response> refuseCodedBody(ContainerRequestContext request) {
        String coding = request.getHeaderString("Content-Encoding");
        if (!HttpMethod.POST.equals(request.getMethod()) || coding == null || isIdentity(coding)) {
            return Optional.empty();
        }
        metrics.get().countOnly(FunctionMetrics.Outcome.CLIENT_ERROR);
        Response refusal = ErrorMappers.response(new ApiError(415, "unsupported_content_encoding",
                "The body is sent with Content-Encoding '" + coding.strip() + "'; send the image bytes as they are "
                        + "(no content coding: images are compressed already)."));
        return Optional.of(Response.fromResponse(refusal).header(HttpHeaders.ACCEPT_ENCODING, "identity").build());
    }

    /** No coding at all: empty, or only {@code identity} (the header is a comma-separated list). */
    private static boolean isIdentity(String header) {
        for (String coding : header.split(",")) {
            String name = coding.strip();
            if (!name.isEmpty() && !name.equalsIgnoreCase("identity")) {
                return false;
            }
        }
        return true;
    }
}
