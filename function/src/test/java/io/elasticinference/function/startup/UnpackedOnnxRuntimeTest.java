package io.elasticinference.function.startup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which unpacked ONNX Runtime directory a start uses; whether ONNX Runtime loads from it is StartupArchiveIT's. */
class UnpackedOnnxRuntimeTest {

    @TempDir
    Path app;

    @Test
    void onlyLinuxOnAKnownCpuHasAPlatform() {
        assertEquals(Optional.of("linux-x64"), UnpackedOnnxRuntime.platform("Linux", "amd64"));
        assertEquals(Optional.of("linux-aarch64"), UnpackedOnnxRuntime.platform("Linux", "aarch64"));
        assertEquals(Optional.empty(), UnpackedOnnxRuntime.platform("Mac OS X", "aarch64"));
        assertEquals(Optional.empty(), UnpackedOnnxRuntime.platform("Linux", "riscv64"));
        assertEquals(Optional.empty(), UnpackedOnnxRuntime.platform(null, "amd64"));
    }

    @Test
    void theDirectoryIsUsedOnlyWhenBothLibrariesAreThere() throws IOException {
        Path dir = Files.createDirectories(app.resolve("native/onnxruntime/linux-x64"));
        Files.writeString(dir.resolve("libonnxruntime.so"), "");
        assertEquals(Optional.empty(), UnpackedOnnxRuntime.directory(app, "Linux", "amd64"), "JNI library missing");
        Files.writeString(dir.resolve("libonnxruntime4j_jni.so"), "");
        assertEquals(Optional.of(dir), UnpackedOnnxRuntime.directory(app, "Linux", "amd64"));
        assertEquals(Optional.empty(), UnpackedOnnxRuntime.directory(app, "Linux", "aarch64"), "other CPU");
    }
}
