package io.elasticinference.function.model;

import ai.onnxruntime.OrtEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build-time optimised copy: the same outputs as the exact graph, BatchNormalization folded away, and never used
 * unless it belongs to this model and this ONNX Runtime.
 */
class OptimizedModelTest {

    @TempDir
    static Path tmp;

    private static Path exact;
    private static ModelInfo info;
    private static Path out;
    private static OptimizedModel.Written written;
    private static final String VERSION = OrtEnvironment.getEnvironment().getVersion();

    @BeforeAll
    static void writeOnce() throws IOException {
        info = ModelGenerator.generate(tmp.resolve("exact"), 42, null, "", null);
        exact = tmp.resolve("exact").resolve(ModelGenerator.ONNX);
        out = tmp.resolve("optimized");
        written = OptimizedModel.write(exact, info.sha256(), out);
    }

    @Test
    void computesWhatTheExactGraphComputesWithoutItsBatchNorms() throws Exception {
        assertTrue(written.difference() <= OptimizedModel.TOLERANCE, "difference " + written.difference());
        assertTrue(OptimizedModel.largestDifference(OrtEnvironment.getEnvironment(), exact,
                out.resolve(OptimizedModel.ONNX)) <= OptimizedModel.TOLERANCE);
        String exactGraph = new String(Files.readAllBytes(exact), StandardCharsets.ISO_8859_1);
        String optimizedGraph = new String(Files.readAllBytes(out.resolve(OptimizedModel.ONNX)),
                StandardCharsets.ISO_8859_1);
        assertTrue(exactGraph.contains("BatchNormalization"));
        assertFalse(optimizedGraph.contains("BatchNormalization"), "BatchNormalization should be folded");
        assertTrue(Files.size(out.resolve(OptimizedModel.ONNX)) < 100_000, "weights should live in their own file");
        assertEquals(Files.size(out.resolve(OptimizedModel.WEIGHTS)), written.description().weightsBytes());
        assertEquals(info.sha256(), written.description().sourceSha256());
        assertEquals(VERSION, written.description().onnxRuntimeVersion());
    }

    /** The check the build relies on can fail: two different models are far apart. */
    @Test
    void theEquivalenceCheckSeesADifferentModel() throws Exception {
        ModelGenerator.generate(tmp.resolve("other"), 43, null, "", null);
        double difference = OptimizedModel.largestDifference(OrtEnvironment.getEnvironment(), exact,
                tmp.resolve("other").resolve(ModelGenerator.ONNX));
        assertTrue(difference > 0.01, "difference " + difference);
    }

    @Test
    void usableOnlyForItsModelItsRuntimeAndWholeFiles() throws IOException {
        Path copy = Files.createDirectories(tmp.resolve("copy"));
        for (String f : new String[]{OptimizedModel.ONNX, OptimizedModel.WEIGHTS, OptimizedModel.DESCRIPTION}) {
            Files.copy(out.resolve(f), copy.resolve(f));
        }
        assertEquals(Optional.of(copy.resolve(OptimizedModel.ONNX)),
                OptimizedModel.usable(copy, info.sha256(), VERSION));
        assertEquals(Optional.empty(), OptimizedModel.usable(copy, "0".repeat(64), VERSION), "another model");
        assertEquals(Optional.empty(), OptimizedModel.usable(copy, info.sha256(), "0.0.1"), "another runtime");

        byte[] weights = Files.readAllBytes(copy.resolve(OptimizedModel.WEIGHTS));
        Files.write(copy.resolve(OptimizedModel.WEIGHTS), java.util.Arrays.copyOf(weights, weights.length - 4096));
        assertEquals(Optional.empty(), OptimizedModel.usable(copy, info.sha256(), VERSION), "truncated weights");
        Files.write(copy.resolve(OptimizedModel.WEIGHTS), weights);

        Files.writeString(copy.resolve(OptimizedModel.DESCRIPTION), "source.sha256=" + info.sha256() + "\n");
        assertEquals(Optional.empty(), OptimizedModel.usable(copy, info.sha256(), VERSION), "incomplete description");
        Files.delete(copy.resolve(OptimizedModel.DESCRIPTION));
        assertEquals(Optional.empty(), OptimizedModel.usable(copy, info.sha256(), VERSION), "no description");
    }

    @Test
    void anUpToDateCopyIsKeptAndAStaleOneReplaced() throws IOException {
        Path dir = tmp.resolve("rewrite");
        OptimizedModel.write(exact, info.sha256(), dir);
        FileTime before = Files.getLastModifiedTime(dir.resolve(OptimizedModel.WEIGHTS));
        OptimizedModel.Written again = OptimizedModel.write(exact, info.sha256(), dir);
        assertTrue(Double.isNaN(again.difference()), "an up-to-date copy is not written again");
        assertEquals(before, Files.getLastModifiedTime(dir.resolve(OptimizedModel.WEIGHTS)));

        // A copy of another model's (its description names another sha256) is replaced by this model's.
        String description = Files.readString(dir.resolve(OptimizedModel.DESCRIPTION));
        Files.writeString(dir.resolve(OptimizedModel.DESCRIPTION), description.replace(info.sha256(), "f".repeat(64)));
        OptimizedModel.Written replaced = OptimizedModel.write(exact, info.sha256(), dir);
        assertFalse(Double.isNaN(replaced.difference()));
        assertTrue(OptimizedModel.usable(dir, info.sha256(), VERSION).isPresent());
    }

    @Test
    void anInt8BuildRemovesAnEarlierCopy() throws Exception {
        Path dir = tmp.resolve("int8");
        OptimizedModel.write(exact, info.sha256(), dir);
        OptimizedModel.main(new String[]{"--model=" + exact, "--info=unused", "--out=" + dir, "--precision=int8"});
        assertFalse(Files.exists(dir.resolve(OptimizedModel.ONNX)));
        assertFalse(Files.exists(dir.resolve(OptimizedModel.WEIGHTS)));
        assertFalse(Files.exists(dir.resolve(OptimizedModel.DESCRIPTION)));
    }
}
