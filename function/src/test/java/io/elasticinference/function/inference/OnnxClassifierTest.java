package io.elasticinference.function.inference;

import io.elasticinference.function.model.ModelGenerator;
import io.elasticinference.function.model.ModelInfo;
import io.elasticinference.function.model.OptimizedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A configured model file: read as given (never a build-time copy beside it), or refused with a clear message. */
class OnnxClassifierTest {

    @Test
    void aConfiguredModelIsReadAsGivenEvenWithOptimisedCopiesBesideIt(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("model");
        ModelInfo generated = ModelGenerator.generate(dir, 42, null, "", null);
        OptimizedModel.write(dir.resolve(ModelGenerator.ONNX), generated.sha256(), dir, OptimizedModel.Kind.PORTABLE);
        try (OnnxClassifier classifier = OnnxClassifier.load(new InferenceSettings(dir.resolve(ModelGenerator.ONNX),
                1))) {
            assertEquals(dir.resolve(ModelGenerator.ONNX).toString(), classifier.source());
            assertEquals(generated.sha256(), classifier.info().sha256());
        }
    }

    @Test
    void aMissingModelFileIsAClearError(@TempDir Path tmp) {
        Path missing = tmp.resolve("nothing-here.onnx");
        IOException e = assertThrows(IOException.class, () -> OnnxClassifier.load(new InferenceSettings(missing, 1)));
        assertTrue(e.getMessage().contains("cannot load the ONNX model") && e.getMessage().contains(missing.toString()),
                e.getMessage());
    }
}
