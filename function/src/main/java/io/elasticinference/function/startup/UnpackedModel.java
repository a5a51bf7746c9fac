package io.elasticinference.function.startup;

import io.elasticinference.function.model.OptimizedModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The packaged model as the build also copied it beside the runner jar ({@code target/model/}, the pom's
 * {@code unpack-model}): ONNX Runtime reads that file where it lies instead of a copy that every start first wrote
 * out of the jar, ~60 ms of the model load, which is the last thing a JDK 25 start waits for. The copy is used only
 * when its description file is the jar's byte for byte: the description carries the weights' SHA-256, so a
 * directory left by another build is never taken for this one.
 */
public final class UnpackedModel {

    static final String DIRECTORY = "model";

    private UnpackedModel() {
    }

    /** The unpacked {@code onnxName} beside the runner jar, if its {@code infoName} holds {@code packagedInfo}. */
    public static Optional<Path> find(String onnxName, String infoName, byte[] packagedInfo) {
        return RunnerJar.directory().flatMap(app -> find(app, onnxName, infoName, packagedInfo));
    }

    /**
     * The build's optimised copies beside the runner jar ({@link OptimizedModel}) that a start may load, best first,
     * if the directory's description is the jar's: made from the model with {@code sha256} for this
     * {@code onnxRuntimeVersion}, the CPU-specific one only for a CPU with the same vector features.
     */
    public static List<OptimizedModel.Usable> findOptimized(String infoName, byte[] packagedInfo, String sha256,
                                                            String onnxRuntimeVersion) {
        return RunnerJar.directory().map(app -> findOptimized(app, infoName, packagedInfo, sha256,
                onnxRuntimeVersion, OptimizedModel.cpuFeatures())).orElse(List.of());
    }

    static List<OptimizedModel.Usable> findOptimized(Path appDir, String infoName, byte[] packagedInfo, String sha256,
                                                     String onnxRuntimeVersion, Optional<String> cpu) {
        Path dir = appDir.resolve(DIRECTORY);
        if (!describes(dir.resolve(infoName), packagedInfo)) {
            return List.of();
        }
        List<OptimizedModel.Usable> usable = new ArrayList<>();
        for (OptimizedModel.Kind kind : OptimizedModel.Kind.values()) {
            OptimizedModel.usable(dir, kind, sha256, onnxRuntimeVersion, cpu).ifPresent(usable::add);
        }
        return usable;
    }

    static Optional<Path> find(Path appDir, String onnxName, String infoName, byte[] packagedInfo) {
        Path dir = appDir.resolve(DIRECTORY);
        Path onnx = dir.resolve(onnxName);
        Path info = dir.resolve(infoName);
        return Files.isRegularFile(onnx) && describes(info, packagedInfo) ? Optional.of(onnx) : Optional.empty();
    }

    /** Whether {@code info} is the jar's description byte for byte, so the directory holds this build's model. */
    private static boolean describes(Path info, byte[] packagedInfo) {
        try {
            return Files.isRegularFile(info) && Arrays.equals(Files.readAllBytes(info), packagedInfo);
        } catch (IOException e) {
            return false;
        }
    }
}
