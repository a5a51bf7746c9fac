package io.elasticinference.function.startup;

import io.elasticinference.function.model.OptimizedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    void theOptimisedCopiesOnlyBesideTheJarsDescriptionBestFirst() throws IOException {
        Optional<String> cpu = Optional.of("amd64:avx2,fma");
        assertEquals(List.of(), found(cpu), "no directory");
        Path dir = Files.createDirectories(app.resolve("model"));
        for (OptimizedModel.Kind kind : OptimizedModel.Kind.values()) {
            Files.writeString(dir.resolve(kind.onnx()), "graph");
            Files.writeString(dir.resolve(kind.weights()), "weights");
            Files.writeString(dir.resolve(kind.description()), "source.sha256=abc\nonnxruntime.version=1.0\n"
                    + "optimization.level=X\nweights.bytes=7\nwarm-up.logits=AACAPw==\ncpu="
                    + (kind == OptimizedModel.Kind.CPU ? "amd64:avx2,fma" : "any") + "\n");
        }
        assertEquals(List.of(), found(cpu), "description missing");
        Files.writeString(dir.resolve("m.json"), "{\"sha256\":\"def\"}");
        assertEquals(List.of(), found(cpu), "another build's directory");
        Files.write(dir.resolve("m.json"), INFO);
        assertEquals(List.of(dir.resolve(OptimizedModel.Kind.CPU.onnx()),
                dir.resolve(OptimizedModel.Kind.PORTABLE.onnx())), found(cpu));
        assertEquals(List.of(dir.resolve(OptimizedModel.Kind.PORTABLE.onnx())),
                found(Optional.of("amd64:avx2,avx512f,fma")), "another vector width: the portable copy only");
        assertEquals(List.of(dir.resolve(OptimizedModel.Kind.PORTABLE.onnx())), found(Optional.empty()),
                "CPU unknown: the portable copy only");
        assertEquals(List.of(), UnpackedModel.findOptimized(app, "m.json", INFO, "abc", "1.1", cpu),
                "made for another ONNX Runtime");
    }

    private List<Path> found(Optional<String> cpu) {
        return UnpackedModel.findOptimized(app, "m.json", INFO, "abc", "1.0", cpu).stream()
                .map(OptimizedModel.Usable::onnx).toList();
    }
}
