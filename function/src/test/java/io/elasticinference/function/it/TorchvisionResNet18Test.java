package io.elasticinference.function.it;

import io.elasticinference.function.RawTensors;
import io.elasticinference.function.SharedData;
import io.elasticinference.function.classify.TopK;
import io.elasticinference.function.image.ImageLimits;
import io.elasticinference.function.image.ImagePipeline;
import io.elasticinference.function.inference.InferenceSettings;
import io.elasticinference.function.inference.OnnxClassifier;
import io.elasticinference.function.model.ModelGenerator;
import io.elasticinference.function.model.ResNet18;
import io.elasticinference.function.model.SafetensorsFile;
import io.elasticinference.function.model.SeededWeights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ONNX graph the build writes computes what torchvision's {@code resnet18()} computes, checked against torchvision
 * itself (Debian's python3-torch and python3-torchvision, {@code src/test/python/torchvision_resnet18.py}) with the same
 * weights. The parameter count alone would not notice a wrong stride, padding, pooling, residual or BatchNorm formula;
 * this does. The weights are seeded, then every BatchNorm gets random statistics and affine terms: with torchvision's
 * initial values (mean 0, variance 1, weight 1, bias 0) BatchNorm is almost the identity and a mistake in how the
 * graph uses them would go unseen. They reach both sides through a safetensors file, the path real weights take.
 */
class TorchvisionResNet18Test {

    private static final ImagePipeline PIPELINE = new ImagePipeline(new ImageLimits(100_000_000L, 30_000));

    @TempDir
    static Path tmp;
    private static Path python;
    private static Path weights;
    private static OnnxClassifier classifier;
    private static List<Path> photos;

    @BeforeAll
    static void weightsAndModel() throws Exception {
        python = ExternalTools.requirePython("torch, torchvision", "python3-torch python3-torchvision");
        Map<String, float[]> w = SeededWeights.generate(5);
        Map<String, long[]> shapes = ResNet18.stateDictShapes();
        Random random = new Random(17);
        for (Map.Entry<String, float[]> e : w.entrySet()) {
            String name = e.getKey();
            float[] v = e.getValue();
            if (shapes.get(name).length != 1 || name.startsWith("fc.")) {
                continue;
            }
            for (int i = 0; i < v.length; i++) {
                v[i] = switch (name.substring(name.lastIndexOf('.') + 1)) {
                    case "running_mean", "bias" -> (float) (random.nextGaussian() * 0.2);
                    case "running_var" -> 0.5f + random.nextFloat() * 1.5f;
                    case "weight" -> 0.5f + random.nextFloat();
                    default -> throw new IllegalStateException("unexpected BatchNorm tensor " + name);
                };
            }
        }
        weights = tmp.resolve("resnet18.safetensors");
        SafetensorsFile.write(weights, w, shapes);
        Path model = tmp.resolve("model");
        ModelGenerator.generate(model, 0, weights, "", null);
        classifier = OnnxClassifier.load(new InferenceSettings(model.resolve(ModelGenerator.ONNX), 1));
        try (Stream<String> lines = Files.lines(SharedData.dir().resolve("reference/manifest.tsv"))) {
            photos = lines.skip(1).map(l -> l.split("\t")[0]).filter(n -> n.endsWith(".JPEG"))
                    .map(n -> SharedData.dir().resolve("reference").resolve(n)).toList();
        }
        assertTrue(photos.size() >= 8, "the ImageNet photos of ../shared/reference: " + photos);
    }

    @AfterAll
    static void closeModel() {
        if (classifier != null) {
            classifier.close();
        }
    }

    /**
     * The same input tensors through both models: the graph alone. Float32 sums in a different order (ONNX Runtime
     * fuses BatchNorm into the convolutions) differ in the last bits only, so the bound is tight: a structural mistake
     * moves logits by a sizeable fraction of their spread.
     */
    @Test
    void sameTensorsGiveTheSameLogits() throws Exception {
        List<Path> inputs = new ArrayList<>();
        List<float[]> tensors = new ArrayList<>();
        for (int i = 0; i < photos.size(); i++) {
            float[] t = PIPELINE.toTensor(Files.readAllBytes(photos.get(i)));
            tensors.add(t);
            Path f = tmp.resolve("input-" + i + ".f32");
            RawTensors.write(f, t);
            inputs.add(f);
        }
        float[][] theirs = torchvision(inputs);
        float[][] ours = classifier.logits(tensors);
        for (int i = 0; i < photos.size(); i++) {
            double spread = spread(theirs[i]);
            double diff = maxAbsDiff(ours[i], theirs[i]);
            System.out.printf("torchvision %-32s logit spread %.3f, max abs diff %.2e%n",
                    photos.get(i).getFileName(), spread, diff);
            assertTrue(spread > 1, "weights this varied give logits that differ: spread " + spread);
            assertTrue(diff <= 1e-4 * spread, photos.get(i) + ": max abs logit diff " + diff + " of spread " + spread);
            assertArrayEquals(TopK.indices(theirs[i], 5), TopK.indices(ours[i], 5), photos.get(i) + ": top 5");
        }
    }

    /**
     * Image files in, as a user sends them: our decoding and preprocessing plus our graph against PIL, torchvision's
     * transforms and torchvision's model. Preprocessing matches torchvision within rounding (TorchvisionGoldenTest),
     * so the logits agree to a looser bound and the best class is the same.
     */
    @Test
    void sameImagesGiveTheSamePrediction() throws Exception {
        float[][] theirs = torchvision(photos);
        for (int i = 0; i < photos.size(); i++) {
            float[] ours = classifier.logits(List.of(PIPELINE.toTensor(Files.readAllBytes(photos.get(i)))))[0];
            double spread = spread(theirs[i]);
            double diff = maxAbsDiff(ours, theirs[i]);
            System.out.printf("end to end  %-32s logit spread %.3f, max abs diff %.2e%n",
                    photos.get(i).getFileName(), spread, diff);
            assertTrue(diff <= 2e-3 * spread, photos.get(i) + ": max abs logit diff " + diff + " of spread " + spread);
            assertEquals(TopK.indices(theirs[i], 1)[0], TopK.indices(ours, 1)[0], photos.get(i) + ": best class");
        }
    }

    private static float[][] torchvision(List<Path> inputs) throws IOException, InterruptedException {
        Path out = Files.createTempDirectory(tmp, "logits");
        Path script = Path.of("src/test/python/torchvision_resnet18.py").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(python.toString(), script.toString(), weights.toString(),
                out.toString()));
        inputs.forEach(p -> command.add(p.toString()));
        Path log = tmp.resolve("torchvision.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("torchvision did not finish in 120 s: " + Files.readString(log));
        }
        assertEquals(0, p.exitValue(), "torchvision_resnet18.py failed: " + Files.readString(log));
        float[][] logits = new float[inputs.size()][];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = RawTensors.read(out.resolve(i + ".logits"));
            assertEquals(ResNet18.CLASSES, logits[i].length);
        }
        return logits;
    }

    private static double spread(float[] v) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float x : v) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        return max - min;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
