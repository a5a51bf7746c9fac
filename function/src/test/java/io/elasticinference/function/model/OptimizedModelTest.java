package io.elasticinference.function.model;

import io.elasticinference.function.model.OptimizedModel.Kind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build-time optimised copies: the exact graph's outputs, BatchNormalization folded away, the NCHWc layout in the
 * CPU copy only, and never used unless they belong to this model, this ONNX Runtime and (the CPU copy) this CPU.
 */
class OptimizedModelTest {

    @TempDir
    static Path tmp;

    private static Path exact;
    private static ModelInfo info;
    private static Path out;
    private static final String VERSION = OnnxRuntimeEnvironment.shared().getVersion();
    private static final Optional<String> CPU = OptimizedModel.cpuFeatures();

    @BeforeAll
    static void writeOnce() throws IOException {
        info = ModelGenerator.generate(tmp.resolve("exact"), 42, null, "", null);
        exact = tmp.resolve("exact").resolve(ModelGenerator.ONNX);
        out = tmp.resolve("optimized");
        for (Kind kind : Kind.values()) {
            OptimizedModel.Written written = OptimizedModel.write(exact, info.sha256(), out, kind);
            assertTrue(written.difference() <= OptimizedModel.TOLERANCE, kind + ": " + written.difference());
        }
    }

    @Test
    void bothCopiesComputeWhatTheExactGraphComputes() throws Exception {
        List<float[]> inputs = List.of(OptimizedModel.warmUpInput(), sine());
        List<float[]> expected = OptimizedModel.logits(OnnxRuntimeEnvironment.shared(), exact, inputs);
        for (Kind kind : Kind.values()) {
            List<float[]> actual = OptimizedModel.logits(OnnxRuntimeEnvironment.shared(), out.resolve(kind.onnx()),
                    inputs);
            for (int i = 0; i < inputs.size(); i++) {
                assertTrue(OptimizedModel.relativeDifference(expected.get(i), actual.get(i)) <= OptimizedModel.TOLERANCE,
                        kind + " input " + i);
            }
        }
        OptimizedModel.Usable cpu = OptimizedModel.usable(out, Kind.CPU, info.sha256(), VERSION, CPU).orElseThrow();
        assertTrue(cpu.reproduces(expected.get(0)), "the description records the warm-up input's logits");
        assertFalse(cpu.reproduces(expected.get(1)), "and a check against them can fail");
    }

    /**
     * Why the warm-up input is not zeros: through the first convolution (no bias) zeros give zeros whatever its
     * weights, so damage there would pass a check on zeros; the warm-up pattern sees it.
     */
    @Test
    void theWarmUpInputDependsOnTheFirstConvolutionsWeights() throws Exception {
        java.util.Map<String, float[]> weights = SeededWeights.generate(42);
        float[] conv1 = weights.get("conv1.weight");
        for (int i = 0; i < conv1.length; i++) {
            conv1[i] *= 2;
        }
        Path file = tmp.resolve("conv1-doubled.safetensors");
        SafetensorsFile.write(file, weights, ResNet18.stateDictShapes());
        ModelGenerator.generate(tmp.resolve("conv1-doubled"), 0, file, "", null);
        Path damaged = tmp.resolve("conv1-doubled").resolve(ModelGenerator.ONNX);
        List<float[]> inputs = List.of(new float[3 * 224 * 224], OptimizedModel.warmUpInput());
        List<float[]> a = OptimizedModel.logits(OnnxRuntimeEnvironment.shared(), exact, inputs);
        List<float[]> b = OptimizedModel.logits(OnnxRuntimeEnvironment.shared(), damaged, inputs);
        assertTrue(OptimizedModel.relativeDifference(a.get(0), b.get(0)) <= OptimizedModel.TOLERANCE,
                "zeros cannot tell");
        assertTrue(OptimizedModel.relativeDifference(a.get(1), b.get(1)) > OptimizedModel.TOLERANCE,
                "the warm-up input can");
    }

    /**
     * The warm-up check also sees a weights file damaged in place (same size, so the description's size check
     * passes): the warm-up input is not zeros, so every weight shapes its logits.
     */
    @Test
    void theWarmUpCheckSeesDamagedWeights() throws Exception {
        for (Kind kind : Kind.values()) {
            Path dir = Files.createDirectories(tmp.resolve("damaged-" + kind));
            for (String f : List.of(kind.onnx(), kind.description())) {
                Files.copy(out.resolve(f), dir.resolve(f));
            }
            byte[] weights = Files.readAllBytes(out.resolve(kind.weights()));
            // 256 bytes in each MiB: every tensor over ~1 MiB, and a few smaller ones, loses some of its values.
            for (int at = 0; at + 256 <= weights.length; at += 1 << 20) {
                Arrays.fill(weights, at, at + 256, (byte) 0x3f);
            }
            Files.write(dir.resolve(kind.weights()), weights);
            OptimizedModel.Usable usable = OptimizedModel.usable(dir, kind, info.sha256(), VERSION, CPU)
                    .orElseThrow(() -> new AssertionError(kind + ": same size, so usable by its description"));
            float[] warmUp = OptimizedModel.logits(OnnxRuntimeEnvironment.shared(), dir.resolve(kind.onnx()),
                    List.of(OptimizedModel.warmUpInput())).get(0);
            assertFalse(usable.reproduces(warmUp), kind + ": difference " + usable.difference(warmUp));
        }
    }

    @Test
    void batchNormIsFoldedAndOnlyTheCpuCopyHasTheBlockedLayout() throws IOException {
        assertTrue(graph(exact).contains("BatchNormalization"));
        for (Kind kind : Kind.values()) {
            String graph = graph(out.resolve(kind.onnx()));
            assertFalse(graph.contains("BatchNormalization"), kind + ": BatchNormalization should be folded");
            assertEquals(kind == Kind.CPU, graph.contains("ReorderOutput"), kind + ": NCHWc layout (its reorder nodes)");
            assertTrue(Files.size(out.resolve(kind.onnx())) < 100_000, "weights should live in their own file");
        }
    }

    /** The check the build relies on can fail: two different models are far apart. */
    @Test
    void theEquivalenceCheckSeesADifferentModel() throws Exception {
        ModelGenerator.generate(tmp.resolve("other"), 43, null, "", null);
        List<float[]> inputs = List.of(sine());
        float[] a = OptimizedModel.logits(OnnxRuntimeEnvironment.shared(), exact, inputs).get(0);
        float[] b = OptimizedModel.logits(OnnxRuntimeEnvironment.shared(),
                tmp.resolve("other").resolve(ModelGenerator.ONNX), inputs).get(0);
        assertTrue(OptimizedModel.relativeDifference(a, b) > 0.01);
    }

    @Test
    void usableOnlyForItsModelItsRuntimeItsCpuAndWholeFiles() throws IOException {
        Path copy = Files.createDirectories(tmp.resolve("copy"));
        for (Kind kind : Kind.values()) {
            for (String f : List.of(kind.onnx(), kind.weights(), kind.description())) {
                Files.copy(out.resolve(f), copy.resolve(f));
            }
        }
        assertEquals(copy.resolve(Kind.CPU.onnx()),
                OptimizedModel.usable(copy, Kind.CPU, info.sha256(), VERSION, CPU).orElseThrow().onnx());
        assertEquals(Optional.empty(), OptimizedModel.usable(copy, Kind.CPU, info.sha256(), VERSION,
                Optional.of("amd64:sse2")), "a CPU with another vector width");
        assertEquals(Optional.empty(), OptimizedModel.usable(copy, Kind.CPU, info.sha256(), VERSION,
                Optional.empty()), "a CPU whose features are unknown");
        assertTrue(OptimizedModel.usable(copy, Kind.PORTABLE, info.sha256(), VERSION, Optional.empty()).isPresent(),
                "the portable copy fits any CPU");

        for (Kind kind : Kind.values()) {
            assertEquals(Optional.empty(), OptimizedModel.usable(copy, kind, "0".repeat(64), VERSION, CPU),
                    "another model");
            assertEquals(Optional.empty(), OptimizedModel.usable(copy, kind, info.sha256(), "0.0.1", CPU),
                    "another runtime");
            byte[] weights = Files.readAllBytes(copy.resolve(kind.weights()));
            Files.write(copy.resolve(kind.weights()), Arrays.copyOf(weights, weights.length - 4096));
            assertEquals(Optional.empty(), OptimizedModel.usable(copy, kind, info.sha256(), VERSION, CPU),
                    "truncated weights");
            Files.write(copy.resolve(kind.weights()), weights);
            Files.writeString(copy.resolve(kind.description()), "source.sha256=" + info.sha256() + "\n");
            assertEquals(Optional.empty(), OptimizedModel.usable(copy, kind, info.sha256(), VERSION, CPU),
                    "incomplete description");
            Files.delete(copy.resolve(kind.description()));
            assertEquals(Optional.empty(), OptimizedModel.usable(copy, kind, info.sha256(), VERSION, CPU),
                    "no description");
        }
    }

    @Test
    void cpuFeaturesAreTheVectorFlagsThatDecideTheLayout() throws IOException {
        Path cpuinfo = tmp.resolve("cpuinfo");
        Files.writeString(cpuinfo, "processor\t: 0\nflags\t\t: fpu sse2 avx fma avx2 avx512f avx512bw\n"
                + "processor\t: 1\nflags\t\t: fpu sse2\n");
        assertEquals(Optional.of("amd64:avx2,avx512f,fma"), OptimizedModel.cpuFeatures(cpuinfo, "amd64"));
        Files.writeString(cpuinfo, "processor\t: 0\nFeatures\t: fp asimd\n");
        assertEquals(Optional.of("aarch64:"), OptimizedModel.cpuFeatures(cpuinfo, "aarch64"));
        assertEquals(Optional.empty(), OptimizedModel.cpuFeatures(tmp.resolve("missing"), "amd64"));
    }

    @Test
    void anUpToDateCopyIsKeptAndAStaleOneReplaced() throws IOException {
        Path dir = tmp.resolve("rewrite");
        OptimizedModel.write(exact, info.sha256(), dir, Kind.PORTABLE);
        FileTime before = Files.getLastModifiedTime(dir.resolve(Kind.PORTABLE.weights()));
        OptimizedModel.Written again = OptimizedModel.write(exact, info.sha256(), dir, Kind.PORTABLE);
        assertTrue(Double.isNaN(again.difference()), "an up-to-date copy is not written again");
        assertEquals(before, Files.getLastModifiedTime(dir.resolve(Kind.PORTABLE.weights())));

        // A copy of another model's (its description names another sha256) is replaced by this model's.
        Path description = dir.resolve(Kind.PORTABLE.description());
        Files.writeString(description, Files.readString(description).replace(info.sha256(), "f".repeat(64)));
        OptimizedModel.Written replaced = OptimizedModel.write(exact, info.sha256(), dir, Kind.PORTABLE);
        assertFalse(Double.isNaN(replaced.difference()));
        assertTrue(OptimizedModel.usable(dir, Kind.PORTABLE, info.sha256(), VERSION, CPU).isPresent());
    }

    @Test
    void anInt8BuildRemovesEarlierCopies() throws Exception {
        Path dir = tmp.resolve("int8");
        for (Kind kind : Kind.values()) {
            OptimizedModel.write(exact, info.sha256(), dir, kind);
        }
        OptimizedModel.main(new String[]{"--model=" + exact, "--info=unused", "--out=" + dir, "--precision=int8"});
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.toList());
        }
    }

    private static String graph(Path onnx) throws IOException {
        return new String(Files.readAllBytes(onnx), StandardCharsets.ISO_8859_1);
    }

    private static float[] sine() {
        float[] input = new float[3 * 224 * 224];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) Math.sin(i * 0.01);
        }
        return input;
    }
}
