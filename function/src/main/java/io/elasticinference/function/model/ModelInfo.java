package io.elasticinference.function.model;

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

    private static final ObjectMapper JSON = new ObjectMapper();

    public static ModelInfo read(InputStream in) throws IOException {
        return JSON.readValue(in, ModelInfo.class);
    }

    public byte[] toJson() throws IOException {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
    }
}
