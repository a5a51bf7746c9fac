package io.elasticinference.function.startup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Points ONNX Runtime at the native libraries the build unpacked beside the runner jar
 * ({@code target/native/onnxruntime/linux-x64/}, see the pom's {@code unpack-onnxruntime}), so a start does not
 * inflate its 28 MB {@code libonnxruntime.so} out of the jar into a temporary directory first: 0.23 s of CPU in a
 * profiled start on 2 cores. Where that directory is missing (a build on another OS, the native executable, a test)
 * nothing is set and ONNX Runtime extracts the library from its jar as before.
 */
public final class UnpackedOnnxRuntime {

    /** ONNX Runtime's own system property: a directory holding libonnxruntime and its JNI library. */
    static final String NATIVE_PATH_PROPERTY = "onnxruntime.native.path";
    static final String DIRECTORY = "native/onnxruntime";

    private UnpackedOnnxRuntime() {
    }

    /** Sets {@value #NATIVE_PATH_PROPERTY} when the unpacked libraries fit this platform and nobody set it. */
    public static void useIfPresent() {
        if (System.getProperty(NATIVE_PATH_PROPERTY) != null) {
            return;
        }
        RunnerJar.directory()
                .flatMap(app -> directory(app, System.getProperty("os.name"), System.getProperty("os.arch")))
                .ifPresent(dir -> System.setProperty(NATIVE_PATH_PROPERTY, dir.toString()));
    }

    /** The unpacked libraries for this OS and CPU under {@code appDir}, if both are there. */
    static Optional<Path> directory(Path appDir, String osName, String osArch) {
        Optional<String> platform = platform(osName, osArch);
        if (platform.isEmpty()) {
            return Optional.empty();
        }
        Path dir = appDir.resolve(DIRECTORY).resolve(platform.get());
        boolean complete = Files.isRegularFile(dir.resolve("libonnxruntime.so"))
                && Files.isRegularFile(dir.resolve("libonnxruntime4j_jni.so"));
        return complete ? Optional.of(dir) : Optional.empty();
    }

    /** ONNX Runtime's name for the platform ("linux-x64", "linux-aarch64"); only Linux libraries are unpacked. */
    static Optional<String> platform(String osName, String osArch) {
        if (osName == null || osArch == null || !osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Optional.empty();
        }
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> Optional.of("linux-x64");
            case "aarch64" -> Optional.of("linux-aarch64");
            default -> Optional.empty();
        };
    }
}
