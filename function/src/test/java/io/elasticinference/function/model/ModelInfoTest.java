package io.elasticinference.function.model;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelInfoTest {

    private static ModelInfo read(String json) throws IOException {
        return ModelInfo.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void readsWhatItWrote() throws IOException {
        ModelInfo info = new ModelInfo("resnet18", "safetensors \"tv\" weights \\ ü.safetensors", true,
                "d35a14cd", 11_689_512);
        assertEquals(info, ModelInfo.read(new ByteArrayInputStream(info.toJson())));
        ModelInfo seeded = new ModelInfo("resnet18", "seeded-random (seed 42)", false, "ab", -1);
        assertEquals(seeded, ModelInfo.read(new ByteArrayInputStream(seeded.toJson())));
    }

    @Test
    void unknownFieldsAreSkippedAndMissingParametersAreUnknown() throws IOException {
        ModelInfo info = read("{\"extra\":{\"a\":[1,2]},\"name\":\"m\",\"weights\":\"w\",\"sha256\":\"s\"}");
        assertEquals(new ModelInfo("m", "w", false, "s", -1), info);
    }

    @Test
    void aBrokenDescriptionIsAnIoErrorThatSaysWhy() {
        IOException notObject = assertThrows(IOException.class, () -> read("[1]"));
        assertTrue(notObject.getMessage().contains("not a JSON object"), notObject.getMessage());
        IOException lacking = assertThrows(IOException.class, () -> read("{\"name\":\"m\"}"));
        assertTrue(lacking.getMessage().contains("lacks"), lacking.getMessage());
        IOException truncated = assertThrows(IOException.class, () -> read("{\"name\":\"m\",\"weig"));
        assertTrue(truncated.getMessage().contains("not valid JSON"), truncated.getMessage());
    }
}
