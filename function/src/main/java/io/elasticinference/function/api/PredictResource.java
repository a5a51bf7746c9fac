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
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

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
        return handle(body, topk, System.nanoTime());
    }

    @POST
    @Consumes({"image/jpeg", "image/png", "image/gif", "image/bmp", "image/webp", MediaType.APPLICATION_OCTET_STREAM})
    @Operation(summary = "Same as POST /predict (Knative function convention)")
    public Response predictRoot(byte[] body, @QueryParam("topk") String topk) {
        return handle(body, topk, System.nanoTime());
    }

    @POST
    @Path("predict")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Classify an image sent as the multipart part 'file'")
    public Response predictMultipart(@RestForm("file") FileUpload file, @QueryParam("topk") String topk) {
        long received = System.nanoTime();
        return handle(read(file), topk, received);
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Same as POST /predict with multipart (Knative function convention)")
    public Response predictRootMultipart(@RestForm("file") FileUpload file, @QueryParam("topk") String topk) {
        long received = System.nanoTime();
        return handle(read(file), topk, received);
    }

    private Response handle(byte[] body, String topkParam, long received) {
        Outcome outcome = Outcome.SERVER_ERROR;
        try {
            int topk = parseTopk(topkParam);
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

    private static byte[] read(FileUpload file) {
        if (file == null || file.uploadedFile() == null) {
            throw new ApiError(400, "missing_file", "The multipart request has no part named 'file'.");
        }
        try {
            return Files.readAllBytes(file.uploadedFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
