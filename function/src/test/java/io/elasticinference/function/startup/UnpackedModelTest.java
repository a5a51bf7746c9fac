package io.elasticinference.function.startup;

import io.elasticinference.function.model.OptimizedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** When a start reads the model beside the runner jar; that it does is StartupArchiveIT's. */
class UnpackedModelTest {

    @TempDir
    Path app;

    private static final byte[] INFO = "{\"sha256\":\"abc\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void usedOnlyWithBothFilesAndTheJarsDescription() throws IOException {
        assertEquals(Optional.empty(), UnpackedModel.find(app, "m.onnx", "m.json", INFO), "no directory");
        Path dir = Files.createDirectories(app.resolve("model"));
        Files.writeString(dir.resolve("m.onnx"), "graph");
        assertEquals(Optional.empty(), UnpackedModel.find(app, "m.onnx", "m.json", INFO), "description missing");
        Files.writeString(dir.resolve("m.json"), "{\"sha256\":\"def\"}");
        assertEquals(Optional.empty(), UnpackedModel.find(app, "m.onnx", "m.json", INFO), "another build's weights");
        Files.write(dir.resolve("m.json"), INFO);
        assertEquals(Optional.of(dir.resolve("m.onnx")), UnpackedModel.find(app, "m.onnx", "m.json", INFO));
    }

    @Test
    void theOptimisedCopyOnlyBesideTheJarsDescription() throws IOException {
        assertEquals(Optional.empty(), UnpackedModel.findOptimized(app, "m.json", INFO, "abc", "1.0"), "no directory");
        Path dir = Files.createDirectories(app.resolve("model"));
        Files.writeString(dir.resolve(OptimizedModel.ONNX), "graph");
        Files.writeString(dir.resolve(OptimizedModel.WEIGHTS), "weights");
        Files.writeString(dir.resolve(OptimizedModel.DESCRIPTION), "source.sha256=abc\nonnxruntime.version=1.0\n"
                + "optimization.level=EXTENDED_OPT\nweights.bytes=7\n");
        assertEquals(Optional.empty(), UnpackedModel.findOptimized(app, "m.json", INFO, "abc", "1.0"),
                "description missing");
        Files.writeString(dir.resolve("m.json"), "{\"sha256\":\"def\"}");
        assertEquals(Optional.empty(), UnpackedModel.findOptimized(app, "m.json", INFO, "abc", "1.0"),
                "another build's directory");
        Files.write(dir.resolve("m.json"), INFO);
        assertEquals(Optional.of(dir.resolve(OptimizedModel.ONNX)),
                UnpackedModel.findOptimized(app, "m.json", INFO, "abc", "1.0"));
        assertEquals(Optional.empty(), UnpackedModel.findOptimized(app, "m.json", INFO, "abc", "1.1"),
                "made for another ONNX Runtime");
    }
}
