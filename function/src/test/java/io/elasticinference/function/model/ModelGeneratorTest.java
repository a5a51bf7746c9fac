package io.elasticinference.function.model;

import io.elasticinference.function.SharedData;
import io.elasticinference.function.inference.InferenceSettings;
import io.elasticinference.function.inference.OnnxClassifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ONNX model the build writes: torchvision's shapes, honest about its weights, wired end to end. */
class ModelGeneratorTest {

    @Test
    void torchvisionParameterCount() {
        long parameters = 0;
        for (String name : ResNet18.parameterNames()) {
            parameters += Arrays.stream(ResNet18.stateDictShapes().get(name)).reduce(1, (a, b) -> a * b);
        }
        assertEquals(11_689_512L, parameters);
        assertEquals(ResNet18.PARAMETERS, parameters);
        assertEquals(62, ResNet18.parameterNames().size(), "conv/bn/fc tensors of torchvision's state dict");
    }

    @Test
    void seededWeightsAreDeterministicAndSaySo(@TempDir Path tmp) throws IOException {
        ModelInfo a = ModelGenerator.generate(tmp.resolve("a"), 42, null, "", null);
        ModelInfo b = ModelGenerator.generate(tmp.resolve("b"), 42, null, "", null);
        ModelInfo c = ModelGenerator.generate(tmp.resolve("c"), 43, null, "", null);
        assertEquals(a.sha256(), b.sha256());
        assertNotEquals(a.sha256(), c.sha256());
        assertFalse(a.pretrained());
        assertTrue(a.weights().contains("seeded"));
        assertEquals(11_689_512L, a.parameters());
    }

    /**
     * With fc.weight = 0 the logits are fc.bias whatever the image: a safetensors file whose bias encodes a known
     * distribution must come out of ONNX Runtime as exactly that distribution, in class order. This checks the
     * safetensors reading, the ONNX graph's head and names, the engine, and the softmax, end to end.
     */
    @Test
    void safetensorsWeightsFlowThroughToTheOutput(@TempDir Path tmp) throws IOException {
        Map<String, float[]> weights = SeededWeights.generate(7);
        Arrays.fill(weights.get("fc.weight"), 0f);
        float[] bias = weights.get("fc.bias");
        double[] expected = new double[1000];
        double sum = 0;
        for (int i = 0; i < 1000; i++) {
            expected[i] = i == 281 ? 50 : 1 + (i % 7);
            sum += expected[i];
        }
        for (int i = 0; i < 1000; i++) {
            expected[i] /= sum;
            bias[i] = (float) Math.log(expected[i]);
        }
        Path file = tmp.resolve("resnet18.safetensors");
        SafetensorsFile.write(file, weights, ResNet18.stateDictShapes());
        Path out = tmp.resolve("model");
        ModelInfo info = ModelGenerator.generate(out, 0, file, "", null);
        assertTrue(info.pretrained());
        assertEquals("safetensors resnet18.safetensors", info.weights());

        try (OnnxClassifier classifier = OnnxClassifier.load(new InferenceSettings(out.resolve("resnet18.onnx"), 1))) {
            float[] input = new float[3 * 224 * 224];
            for (int i = 0; i < input.length; i++) {
                input[i] = (float) Math.sin(i);
            }
            float[][] p = classifier.probabilities(List.of(input, new float[input.length]));
            assertEquals(2, p.length);
            for (float[] row : p) {
                for (int i = 0; i < 1000; i++) {
                    assertEquals(expected[i], row[i], 1e-5, "class " + i);
                }
            }
        }
    }

    @Test
    void aWrongChecksumIsRefused(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("w.safetensors");
        SafetensorsFile.write(file, SeededWeights.generate(1), ResNet18.stateDictShapes());
        IOException e = assertThrows(IOException.class,
                () -> ModelGenerator.generate(tmp.resolve("m"), 0, file, "00".repeat(32), null));
        assertTrue(e.getMessage().contains("sha256"), e.getMessage());
    }

    @Test
    void brokenOrForeignFilesGiveErrorsThatSayWhat(@TempDir Path tmp) throws IOException {
        Path truncated = tmp.resolve("t.safetensors");
        SafetensorsFile.write(truncated, SeededWeights.generate(1), ResNet18.stateDictShapes());
        byte[] all = Files.readAllBytes(truncated);
        Files.write(truncated, Arrays.copyOf(all, all.length / 2));
        IOException cut = assertThrows(IOException.class,
                () -> SafetensorsFile.read(truncated, ResNet18.stateDictShapes()));
        assertTrue(cut.getMessage().contains("truncated") || cut.getMessage().contains("offsets"), cut.getMessage());

        Map<String, float[]> partial = SeededWeights.generate(1);
        partial.remove("layer3.1.bn2.running_var");
        Path missing = tmp.resolve("m.safetensors");
        SafetensorsFile.write(missing, partial, ResNet18.stateDictShapes());
        IOException gone = assertThrows(IOException.class,
                () -> SafetensorsFile.read(missing, ResNet18.stateDictShapes()));
        assertTrue(gone.getMessage().contains("layer3.1.bn2.running_var"), gone.getMessage());

        Path garbage = tmp.resolve("g.safetensors");
        Files.writeString(garbage, "definitely not safetensors");
        assertThrows(IOException.class, () -> SafetensorsFile.read(garbage, ResNet18.stateDictShapes()));
    }

    @Test
    void aModelWithTheWrongOutputIsRefusedAtLoad(@TempDir Path tmp) throws IOException {
        Path notAModel = tmp.resolve("x.onnx");
        Files.writeString(notAModel, "not onnx");
        assertThrows(IOException.class, () -> OnnxClassifier.load(new InferenceSettings(notAModel, 1)));
    }

    @Test
    void int8IsNamedForWhatItIsAndServes(@TempDir Path tmp) throws IOException {
        Path photos = Files.createDirectory(tmp.resolve("photos"));
        Path sample = SharedData.dir().resolve("imagenet/sample");
        for (String photo : List.of("n01440764_tench.JPEG", "n01496331_electric_ray.JPEG")) {
            Files.copy(sample.resolve(photo), photos.resolve(photo));
        }
        Files.writeString(photos.resolve("labels.tsv"), "not a photo: skipped\n");
        Path out = tmp.resolve("model");
        ModelInfo int8 = ModelGenerator.generate(out, 42, null, "", null, ModelGenerator.Precision.int8(photos, 5));
        assertEquals("resnet18-int8", int8.name());
        assertEquals("seeded-random (seed 42); int8, activations calibrated on 2 photos of "
                + tmp.getFileName() + "/photos", int8.weights());
        assertFalse(int8.pretrained());
        assertEquals(ResNet18.PARAMETERS, int8.parameters());
        try (OnnxClassifier classifier = OnnxClassifier.load(new InferenceSettings(out.resolve("resnet18.onnx"), 1))) {
            float[] p = classifier.probabilities(List.of(new float[3 * 224 * 224]))[0];
            double sum = 0;
            for (float v : p) {
                sum += v;
            }
            assertEquals(1.0, sum, 1e-3);
        }
        ModelInfo fp32 = ModelGenerator.generate(out, 42, null, "", null);
        assertEquals("resnet18", fp32.name(), "switching back regenerates");
        assertNotEquals(int8.sha256(), fp32.sha256());
    }

    @Test
    void int8WithoutUsablePhotosSaysWhatIsWrong(@TempDir Path tmp) throws IOException {
        Path nowhere = tmp.resolve("nowhere");
        IOException missing = assertThrows(IOException.class, () -> ModelGenerator.generate(tmp.resolve("a"), 42,
                null, "", null, ModelGenerator.Precision.int8(nowhere, 10)));
        assertTrue(missing.getMessage().contains("is not a directory")
                && missing.getMessage().contains("model.calibration-images"), missing.getMessage());

        Path empty = Files.createDirectory(tmp.resolve("empty"));
        IOException none = assertThrows(IOException.class, () -> ModelGenerator.generate(tmp.resolve("b"), 42,
                null, "", null, ModelGenerator.Precision.int8(empty, 10)));
        assertTrue(none.getMessage().contains("no image files"), none.getMessage());

        Path broken = Files.createDirectory(tmp.resolve("broken"));
        Files.writeString(broken.resolve("cat.jpg"), "not a JPEG");
        IOException corrupt = assertThrows(IOException.class, () -> ModelGenerator.generate(tmp.resolve("c"), 42,
                null, "", null, ModelGenerator.Precision.int8(broken, 10)));
        assertTrue(corrupt.getMessage().contains("cat.jpg"), corrupt.getMessage());

        assertThrows(IllegalArgumentException.class, () -> ModelGenerator.Precision.parse("int4", "x", "10"));
        assertThrows(IllegalArgumentException.class, () -> ModelGenerator.Precision.parse("int8", "", "10"));
        assertEquals(ModelGenerator.Precision.FP32, ModelGenerator.Precision.parse("fp32", "", "10"));
    }
}
