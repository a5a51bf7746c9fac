package io.elasticinference.function.api;

import io.elasticinference.function.admission.RefusedException;
import io.elasticinference.function.classify.Classification;
import io.elasticinference.function.classify.ClassificationService;
import io.elasticinference.function.config.FunctionConfig;
import io.elasticinference.function.image.ImageRejectedException;
import io.elasticinference.function.metrics.FunctionMetrics;
import io.elasticinference.function.metrics.FunctionMetrics.Outcome;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * {@code POST /predict} and {@code POST /} (the Knative function convention): a raw image body, or multipart with a
 * part named {@code file} (what the course projects' clients send).
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class PredictResource {

    @Inject
    ClassificationService service;
    @Inject
    FunctionConfig config;
    @Inject
    FunctionMetrics metrics;

    @POST
    @Path("predict")
    @Consumes({"image/jpeg", "image/png", "image/gif", "image/bmp", "image/webp", MediaType.APPLICATION_OCTET_STREAM})
    @Operation(summary = "Classify an image sent as the raw request body")
    @APIResponse(responseCode = "200", description = "Top-k ImageNet classes")
    @APIResponse(responseCode = "400", description = "Empty body or bad topk")
    @APIResponse(responseCode = "413", description = "Body or image dimensions too large")
    @APIResponse(responseCode = "415", description = "Unsupported content type")
    @APIResponse(responseCode = "422", description = "Not a readable image")
    @APIResponse(responseCode = "503", description = "At capacity, loading or draining; see Retry-After")
    public Response predict(byte[] body, @QueryParam("topk") String topk) {
        return handle(body, null, topk, System.nanoTime());
    }

    @POST
    @Consumes({"image/jpeg", "image/png", "image/gif", "image/bmp", "image/webp", MediaType.APPLICATION_OCTET_STREAM})
    @Operation(summary = "Same as POST /predict (Knative function convention)")
    public Response predictRoot(byte[] body, @QueryParam("topk") String topk) {
        return handle(body, null, topk, System.nanoTime());
    }

    @POST
    @Path("predict")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Classify an image sent as the multipart part 'file'")
    public Response predictMultipart(
            @RequestBody(content = @Content(mediaType = MediaType.MULTIPART_FORM_DATA,
                    schema = @Schema(implementation = ImageForm.class))) byte[] body,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @QueryParam("topk") String topk) {
        return handle(body, contentType, topk, System.nanoTime());
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Same as POST /predict with multipart (Knative function convention)")
    public Response predictRootMultipart(
            @RequestBody(content = @Content(mediaType = MediaType.MULTIPART_FORM_DATA,
                    schema = @Schema(implementation = ImageForm.class))) byte[] body,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @QueryParam("topk") String topk) {
        return handle(body, contentType, topk, System.nanoTime());
    }

    /** What the OpenAPI document shows for a multipart request: the body is read by {@link MultipartImage}. */
    @Schema(name = "ImageForm", requiredProperties = "file")
    static final class ImageForm {
        @Schema(type = SchemaType.STRING, format = "binary", description = "The image (JPEG, PNG, GIF, BMP or WebP)")
        public byte[] file;
    }

    /** {@code multipartType}: the request's multipart content type when the image is its part {@code file}. */
    private Response handle(byte[] request, String multipartType, String topkParam, long received) {
        Outcome outcome = Outcome.SERVER_ERROR;
        try {
            int topk = parseTopk(topkParam);
            byte[] body = multipartType == null ? request : filePart(request, multipartType);
            if (body == null || body.length == 0) {
                throw new ApiError(400, "empty_body", "The request has no image: send the image bytes as the body "
                        + "or as the multipart part 'file'.");
            }
            Classification result = service.classify(body, topk, received);
            outcome = Outcome.OK;
            return Response.ok(PredictionResponse.of(result)).build();
        } catch (ApiError e) {
            outcome = e.status() >= 500 ? Outcome.SERVER_ERROR : Outcome.CLIENT_ERROR;
            throw e;
        } catch (ImageRejectedException e) {
            outcome = Outcome.CLIENT_ERROR;
            throw new ApiError(ImageErrors.status(e.code()), e.code(), e.getMessage());
        } catch (RefusedException e) {
            outcome = Outcome.REJECTED;
            throw new ApiError(503, "overloaded", e.getMessage() + "; retry later",
                    config.admission().retryAfterSeconds());
        } catch (InterruptedException e) {
            // Only a shutdown interrupts a worker; the client may retry on another replica.
            Thread.currentThread().interrupt();
            outcome = Outcome.REJECTED;
            throw new ApiError(503, "shutting_down", "The function is shutting down; retry later",
                    config.admission().retryAfterSeconds());
        } finally {
            metrics.request(outcome, System.nanoTime() - received);
        }
    }

    private int parseTopk(String value) {
        if (value == null || value.isBlank()) {
            return config.topkDefault();
        }
        try {
            int k = Integer.parseInt(value.strip());
            if (k >= 1 && k <= 1000) {
                return k;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the error below
        }
        throw new ApiError(400, "bad_topk", "topk must be a whole number from 1 to 1000, got '" + value + "'.");
    }

    private static byte[] filePart(byte[] body, String contentType) {
        byte[] file = body == null ? null : MultipartImage.filePart(body, contentType);
        if (file == null) {
            throw new ApiError(400, "missing_file", "The multipart request has no part named 'file'.");
        }
        return file;
    }
}
