package io.elasticinference.function.it;

import io.elasticinference.function.model.OptimizedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guard on the build's CPU-specific copy of the model, in a real start of the packaged function: a copy whose
 * warm-up does not reproduce the exact graph's outputs (as on a CPU whose vector width the description did not
 * capture) is dropped, and the function serves from the portable copy instead, correctly.
 */
class OptimizedModelIT {

    private static final Path APP = Path.of("target").toAbsolutePath();
    private static final Path IMAGE = Path.of("src", "main", "resources", "warm-up.jpg");

    /** In target/, so that the build's files can be hard-linked (a symbolic link to the jar would be followed). */
    @TempDir(factory = InTarget.class)
    Path app;

    static final class InTarget implements org.junit.jupiter.api.io.TempDirFactory {
        @Override
        public Path createTempDirectory(org.junit.jupiter.api.extension.AnnotatedElementContext element,
                                        org.junit.jupiter.api.extension.ExtensionContext extension) throws IOException {
            return Files.createTempDirectory(APP, "optimized-model-it");
        }
    }

    @Test
    void aCopyThatComputesOtherwiseHereIsDroppedForThePortableOne() throws Exception {
        OptimizedModel.Kind cpu = OptimizedModel.Kind.CPU;
        OptimizedModel.Kind portable = OptimizedModel.Kind.PORTABLE;
        assertTrue(Files.isRegularFile(APP.resolve("model").resolve(cpu.description())),
                "the build wrote no CPU-specific copy");
        // The application as built, by hard links in target/, except the CPU copy's description: its recorded
        // warm-up logits are changed, as a copy that computes something else on this machine would show them.
        Files.createLink(app.resolve("function-runner.jar"), APP.resolve("function-runner.jar"));
        try (var files = Files.walk(APP.resolve("native"))) {
            for (Path f : files.toList()) {
                Path to = app.resolve(APP.relativize(f));
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.createLink(to, f);
                }
            }
        }
        Path model = Files.createDirectories(app.resolve("model"));
        try (var files = Files.list(APP.resolve("model"))) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals(cpu.description())) {
                    Files.createLink(model.resolve(f.getFileName()), f);
                }
            }
        }
        Properties description = new Properties();
        try (var in = Files.newInputStream(APP.resolve("model").resolve(cpu.description()))) {
            description.load(in);
        }
        ByteBuffer logits = ByteBuffer.wrap(Base64.getDecoder().decode(description.getProperty("warm-up.logits")))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < logits.capacity(); i += Float.BYTES) {
            logits.putFloat(i, logits.getFloat(i) + 1f + i % 7);
        }
        description.setProperty("warm-up.logits", Base64.getEncoder().encodeToString(logits.array()));
        try (var out = Files.newOutputStream(model.resolve(cpu.description()))) {
            description.store(out, null);
        }

        int port = FirstPrediction.freePort();
        Path log = app.resolve("function.log");
        Process function = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1", "-jar", "function-runner.jar")
                .directory(app.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpResponse<String> answer = FirstPrediction.await(function, port, IMAGE, log, "the function died: ");
            assertTrue(answer.body().contains("\"predictions\""), answer.body());
            String output = Files.readString(log);
            assertTrue(output.contains(model.resolve(cpu.onnx()) + " does not reproduce resnet18.onnx's outputs"),
                    output);
            assertTrue(output.contains("loaded from " + model.resolve(portable.onnx()) + " (ONNX Runtime's build-time"),
                    output);
        } finally {
            function.destroy();
            function.waitFor(20, TimeUnit.SECONDS);
        }
    }
}
