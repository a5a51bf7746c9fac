package io.elasticinference.function.api;

import io.elasticinference.function.metrics.FunctionMetrics;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Optional;

/**
 * What the headers say of a request's body, checked before Quarkus REST acts on them. Each refusal is the 415 that
 * RFC 9110 gives, in the API's JSON:
 * <ul>
 *   <li>a body sent in a content coding (gzip, deflate, br): the function does not decode them, since the images it
 *   takes are compressed already, and without this check a gzipped photo was answered "not an image", which sends
 *   the client looking in the wrong place; the answer carries {@code Accept-Encoding: identity};</li>
 *   <li>a Content-Type that is not a media type ({@code image/}, {@code a/b/c}): Quarkus REST's parser threw, and
 *   the client got a 500.</li>
 * </ul>
 */
public class BodyHeaderChecks {

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

    /** Before matching: Quarkus REST parses the Content-Type to choose between the raw and the multipart method. */
    @ServerRequestFilter(preMatching = true)
    public Optional<Response> refuseUnreadableContentType(ContainerRequestContext request) {
        String type = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
        if (!HttpMethod.POST.equals(request.getMethod()) || type == null) {
            return Optional.empty();
        }
        try {
            MediaType.valueOf(type);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            metrics.get().countOnly(FunctionMetrics.Outcome.CLIENT_ERROR);
            return Optional.of(ErrorMappers.response(new ApiError(415, "unsupported_media_type", "The Content-Type '"
                    + type.strip() + "' is not a media type (type/subtype). " + ErrorMappers.SEND_AN_IMAGE)));
        }
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
