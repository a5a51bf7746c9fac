package io.elasticinference.function.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.elasticinference.function.SharedData;
import io.elasticinference.function.classify.TopK;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The int8 network: its float twin is the PyTorch-shaped network with BatchNorm folded, ONNX Runtime runs every
 * convolution of it in integers, and it classifies photos the way the float network does.
 */
class QuantizedResNet18Test {

    private static final int CONVOLUTIONS = 20;
    private static final int RESIDUAL_ADDS = 8;
    /** Photos of ../shared/imagenet/sample: even positions calibrate, odd ones are held out for the comparison. */
    private static final int PHOTOS = 80;

    private static final OrtEnvironment ENV = OnnxRuntimeEnvironment.shared();
    private static Map<String, float[]> weights;
    private static List<float[]> calibration;
    private static List<float[]> heldOut;
    private static Map<String, ActivationRange> ranges;

    @BeforeAll
    static void calibrate() throws IOException, OrtException {
        weights = withTrainedLikeBatchNorm(SeededWeights.generate(42), new Random(7));
        List<float[]> all = ModelGenerator.calibrationTensors(SharedData.dir().resolve("imagenet/sample"), PHOTOS);
        calibration = new ArrayList<>();
        heldOut = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            (i % 2 == 0 ? calibration : heldOut).add(all.get(i));
        }
        ranges = ActivationCalibration.calibrate(QuantizedResNet18.calibrationGraph(weights, "test"), calibration);
    }

    /**
     * Seeded weights have identity BatchNorms (weight 1, bias 0, mean 0, variance 1), which would let a folding that
     * ignores any of the four pass; these differ per channel, as trained ones do.
     */
    static Map<String, float[]> withTrainedLikeBatchNorm(Map<String, float[]> weights, Random random) {
        for (Map.Entry<String, float[]> e : weights.entrySet()) {
            String name = e.getKey();
            float[] w = e.getValue();
            if (ResNet18.stateDictShapes().get(name).length != 1 || name.startsWith("fc.")) {
                continue;
            }
            for (int i = 0; i < w.length; i++) {
                if (name.endsWith("running_var")) {
                    w[i] = 0.3f + 2 * random.nextFloat();
                } else if (name.endsWith("running_mean")) {
                    w[i] = (float) (0.3 * random.nextGaussian());
                } else if (name.endsWith(".weight")) {
                    w[i] = 0.5f + random.nextFloat();
                } else {
                    w[i] = (float) (0.2 * random.nextGaussian());
                }
            }
        }
        return weights;
    }

    @Test
    void theCalibrationGraphIsTheFloatNetworkWithBatchNormFolded() throws OrtException {
        try (OrtSession pytorchShaped = session(ResNet18.toOnnx(weights, "test"), null);
             OrtSession folded = session(QuantizedResNet18.calibrationGraph(weights, "test"), null)) {
            for (float[] photo : heldOut.subList(0, 5)) {
                float[] expected = logits(pytorchShaped, photo);
                float[] actual = logits(folded, photo);
                double spread = standardDeviation(expected);
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], actual[i], 1e-4 * spread + 1e-5, "logit " + i);
                }
            }
        }
    }

    @Test
    void everyTensorQuantizedHasACalibratedRangeThatHoldsZero() throws OrtException {
        Map<String, ActivationRange> ranges = calibrated();
        List<String> keys = QuantizedResNet18.activations();
        assertEquals(1 + CONVOLUTIONS + RESIDUAL_ADDS, keys.size(), keys.toString());
        assertEquals(Set.copyOf(keys), ranges.keySet());
        assertTrue(ranges.get("input").min() < -1.5f && ranges.get("input").max() > 2f,
                "normalised photos span about [-2.1, 2.6]: " + ranges.get("input"));
        assertEquals(0f, ranges.get("layer1.0.conv1").min(), "a ReLU output is never negative");
        assertTrue(ranges.get("layer1.0.conv2").min() < 0, "a convolution before the residual add is signed");
    }

    @Test
    void onnxRuntimeRunsEveryConvolutionAndResidualAddInIntegers(@TempDir Path tmp) throws OrtException,
            IOException {
        Path optimized = tmp.resolve("optimized.onnx");
        try (OrtSession ignored = session(QuantizedResNet18.int8Graph(weights, calibrated(), "test"), optimized)) {
            byte[] model = Files.readAllBytes(optimized);
            // A node's op_type is field 4 (tag 0x22), then its length: counts operators, not names that contain them.
            assertEquals(CONVOLUTIONS, occurrences(model, opType("QLinearConv")), "convolutions in integers");
            assertEquals(0, occurrences(model, opType("Conv")), "convolutions left in float");
            assertEquals(RESIDUAL_ADDS, occurrences(model, opType("QLinearAdd")), "residual adds in integers");
        }
    }

    /**
     * Random weights map every photo to nearly the same logits (deep random ReLU networks do), so both networks give
     * one class for all photos and top-1 agreement would prove nothing. What tells photos apart is each photo's
     * logits minus the average photo's: int8 must keep those, the classes each photo raises most and by how much.
     */
    @Test
    void int8KeepsWhatTellsPhotosApart() throws OrtException {
        int n = heldOut.size();
        float[][] fp32Logits = new float[n][];
        float[][] int8Logits = new float[n][];
        try (OrtSession fp32 = session(ResNet18.toOnnx(weights, "test"), null);
             OrtSession int8 = session(QuantizedResNet18.int8Graph(weights, calibrated(), "test"), null)) {
            for (int i = 0; i < n; i++) {
                fp32Logits[i] = logits(fp32, heldOut.get(i));
                int8Logits[i] = logits(int8, heldOut.get(i));
            }
        }
        float[][] expected = minusAverage(fp32Logits);
        float[][] actual = minusAverage(int8Logits);
        int sameTop1 = 0;
        int top5Overlap = 0;
        double worstError = 0;
        Set<Integer> expectedTop1 = new HashSet<>();
        for (int i = 0; i < n; i++) {
            int[] expectedTop = TopK.indices(expected[i], 5);
            int[] actualTop = TopK.indices(actual[i], 5);
            expectedTop1.add(expectedTop[0]);
            sameTop1 += expectedTop[0] == actualTop[0] ? 1 : 0;
            Set<Integer> expectedSet = new HashSet<>();
            for (int c : expectedTop) {
                expectedSet.add(c);
            }
            for (int c : actualTop) {
                top5Overlap += expectedSet.contains(c) ? 1 : 0;
            }
            worstError = Math.max(worstError, rms(difference(expected[i], actual[i])) / rms(expected[i]));
        }
        String summary = String.format("over %d held-out photos: top-1 same for %d, top-5 overlap %d of %d, worst "
                + "error %.3f of the photo's own deviation", n, sameTop1, top5Overlap, 5 * n, worstError);
        System.out.println("[int8 vs fp32] " + summary);
        assertTrue(expectedTop1.size() >= n / 2, "photos must differ for this to mean anything: " + expectedTop1);
        assertTrue(sameTop1 >= 0.7 * n, summary);
        assertTrue(top5Overlap >= 0.7 * 5 * n, summary);
        assertTrue(worstError < 0.4, summary);
    }

    @Test
    void rangesMustCoverEveryQuantizedTensor() throws OrtException {
        Map<String, ActivationRange> partial = new java.util.HashMap<>(calibrated());
        partial.remove("layer3.1.add");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantizedResNet18.int8Graph(weights, partial, "test"));
        assertTrue(e.getMessage().contains("layer3.1.add"), e.getMessage());
    }

    private static Map<String, ActivationRange> calibrated() {
        return ranges;
    }

    private static OrtSession session(byte[] model, Path optimizedCopy) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            if (optimizedCopy != null) {
                // Extended, not all: the copy then holds no layout specific to this CPU (ONNX Runtime warns).
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);
                options.setOptimizedModelFilePath(optimizedCopy.toString());
            }
            return ENV.createSession(model, options);
        }
    }

    private static float[] logits(OrtSession session, float[] photo) throws OrtException {
        try (OnnxTensor input = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(photo), new long[]{1, 3, 224, 224});
             OrtSession.Result result = session.run(Map.of(ResNet18.INPUT, input))) {
            return ((float[][]) result.get(ResNet18.OUTPUT).orElseThrow().getValue())[0];
        }
    }

    private static float[][] minusAverage(float[][] logits) {
        float[] average = new float[logits[0].length];
        for (float[] row : logits) {
            for (int c = 0; c < average.length; c++) {
                average[c] += row[c] / logits.length;
            }
        }
        float[][] deviations = new float[logits.length][];
        for (int i = 0; i < logits.length; i++) {
            deviations[i] = difference(average, logits[i]);
        }
        return deviations;
    }

    /** {@code b - a}. */
    private static float[] difference(float[] a, float[] b) {
        float[] d = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = b[i] - a[i];
        }
        return d;
    }

    private static double rms(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += x * (double) x;
        }
        return Math.sqrt(sum / v.length);
    }

    private static double standardDeviation(float[] v) {
        double mean = 0;
        for (float x : v) {
            mean += x;
        }
        mean /= v.length;
        double sum = 0;
        for (float x : v) {
            sum += (x - mean) * (x - mean);
        }
        return Math.sqrt(sum / v.length);
    }

    private static byte[] opType(String name) {
        byte[] text = name.getBytes(StandardCharsets.US_ASCII);
        byte[] field = new byte[text.length + 2];
        field[0] = 0x22;
        field[1] = (byte) text.length;
        System.arraycopy(text, 0, field, 2, text.length);
        return field;
    }

    private static int occurrences(byte[] data, byte[] pattern) {
        int count = 0;
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            count++;
        }
        return count;
    }
}
