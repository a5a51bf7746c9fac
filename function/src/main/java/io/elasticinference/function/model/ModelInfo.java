package io.elasticinference.function.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;

/**
 * What is being served, written beside the ONNX file at build time and reported in every response and in
 * /q/health, so seeded random weights can never pass for a trained model.
 *
 * @param name       "resnet18", or the file name of a configured ONNX model
 * @param weights    e.g. "seeded-random (seed 42)" or "safetensors resnet18.safetensors"
 * @param pretrained true only for weights from a real training run
 * @param sha256     of the ONNX file
 * @param parameters trainable parameters (-1 when unknown, e.g. a configured model)
 */
public record ModelInfo(String name, String weights, boolean pretrained, String sha256, long parameters) {

    /**
     * Reads what {@link #toJson} wrote. It runs on the model load at start-up, the critical path of a JDK 25 start,
     * so it uses Jackson's streaming parser: an {@code ObjectMapper}, created and used for the first time in the
     * process, took ~75 ms of CPU there (docs/benchmarks.md). Fields it does not know are skipped.
     *
     * @throws IOException when the description is not a JSON object or lacks name, weights or sha256
     */
    public static ModelInfo read(InputStream in) throws IOException {
        String name = null;
        String weights = null;
        String sha256 = null;
        boolean pretrained = false;
        long parameters = -1;
        try (JsonParser json = new JsonFactory().createParser(in)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("the model description is not a JSON object");
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                json.nextToken();
                switch (field) {
                    case "name" -> name = json.getValueAsString();
                    case "weights" -> weights = json.getValueAsString();
                    case "pretrained" -> pretrained = json.getValueAsBoolean();
                    case "sha256" -> sha256 = json.getValueAsString();
                    case "parameters" -> parameters = json.getValueAsLong(-1);
                    default -> json.skipChildren();
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException("the model description is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (name == null || weights == null || sha256 == null) {
            throw new IOException("the model description lacks its name, weights or sha256");
        }
        return new ModelInfo(name, weights, pretrained, sha256, parameters);
    }

    /** Written at build time, so the mapper's cost does not matter here. */
    public byte[] toJson() throws IOException {
        return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
    }
}
