package io.elasticinference.function.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ResNet18 in 8-bit integers, in the form ONNX Runtime runs fastest on a CPU: each BatchNorm folded into its
 * convolution, weights int8 per output channel, activations uint8 per tensor, written as QuantizeLinear and
 * DequantizeLinear pairs around float operators (ONNX's "QDQ" form), which ONNX Runtime turns into QLinearConv and
 * QLinearAdd when it loads the graph. The activation ranges come from a calibration: the same folded network in
 * float ({@link #calibrationGraph}) run on real photos, every tensor that the int8 graph quantizes an output of it.
 * A ReLU is not a node in the int8 graph: its output is encoded with zero point 0, which clamps negatives to 0.
 */
public final class QuantizedResNet18 {

    /**
     * Weights use 7 bits (-63..63). On CPUs without VNNI, ONNX Runtime multiplies uint8 activations by int8 weights
     * with VPMADDUBSW, which adds pairs of products into int16 and saturates when both are near full range
     * (2 x 255 x 127 > 32767); with 7-bit weights the pair sum stays below 32767.
     */
    static final int WEIGHT_LEVELS = 63;

    /** The graph input's calibration key: its range is taken from the input tensors themselves. */
    public static final String INPUT = ResNet18.INPUT;

    private QuantizedResNet18() {
    }

    /** The tensors the int8 graph quantizes, by calibration key, in graph order ({@link #INPUT} first). */
    public static List<String> activations() {
        List<String> keys = new ArrayList<>();
        OnnxGraph scratch = new OnnxGraph();
        ResNet18.write(scratch, new FoldedLayers(scratch, null, null, keys));
        return keys;
    }

    /**
     * The folded float network, whose outputs are the logits and every activation but the input, named by its key.
     * Its logits equal the PyTorch-shaped graph's ({@link ResNet18#toOnnx}) up to float rounding.
     */
    public static byte[] calibrationGraph(Map<String, float[]> weights, String producerVersion) {
        OnnxGraph g = new OnnxGraph();
        List<String> keys = new ArrayList<>();
        classifier(g, weights);
        ResNet18.write(g, new FoldedLayers(g, weights, null, keys));
        for (String key : keys) {
            if (!key.equals(INPUT)) {
                g.extraOutput(key);
            }
        }
        return ResNet18.toModel(g, producerVersion);
    }

    /** The int8 network for {@code weights} and the calibrated {@code ranges} (one for each of {@link #activations}). */
    public static byte[] int8Graph(Map<String, float[]> weights, Map<String, ActivationRange> ranges,
                                   String producerVersion) {
        for (String key : activations()) {
            if (!ranges.containsKey(key)) {
                throw new IllegalArgumentException("no calibrated range for " + key);
            }
        }
        OnnxGraph g = new OnnxGraph();
        classifier(g, weights);
        ResNet18.write(g, new FoldedLayers(g, weights, ranges, new ArrayList<>()));
        return ResNet18.toModel(g, producerVersion);
    }

    /** The final fully connected layer stays float: 0.5 M multiply-adds of the network's 1.8 G. */
    private static void classifier(OnnxGraph g, Map<String, float[]> weights) {
        g.initializer("fc.weight", ResNet18.require(weights, "fc.weight"), ResNet18.CLASSES, 512);
        g.initializer("fc.bias", ResNet18.require(weights, "fc.bias"), ResNet18.CLASSES);
    }

    /**
     * Folded convolutions; with {@code ranges} null, float tensors named by their calibration keys (collected in
     * {@code keys}), otherwise quantized ones. {@code weights} null only lists the keys.
     */
    private static final class FoldedLayers implements ResNet18.Layers {
        private final OnnxGraph g;
        private final Map<String, float[]> weights;
        private final Map<String, ActivationRange> ranges;
        private final List<String> keys;
        /** The encoding of each dequantized tensor, for the bias scales of the convolutions that read it. */
        private final Map<String, ActivationRange> encodingOf = new HashMap<>();

        FoldedLayers(OnnxGraph g, Map<String, float[]> weights, Map<String, ActivationRange> ranges,
                     List<String> keys) {
            this.g = g;
            this.weights = weights;
            this.ranges = ranges;
            this.keys = keys;
        }

        @Override
        public String input(String tensor) {
            keys.add(INPUT);
            return ranges == null ? tensor : quantized(tensor, INPUT, ranges.get(INPUT));
        }

        @Override
        public String convBn(String in, String conv, String bn, int kernel, int stride, int pad, boolean relu) {
            keys.add(conv);
            if (weights == null) {
                return conv;
            }
            float[] w = ResNet18.require(weights, conv + ".weight");
            float[] gamma = ResNet18.require(weights, bn + ".weight");
            float[] beta = ResNet18.require(weights, bn + ".bias");
            float[] mean = ResNet18.require(weights, bn + ".running_mean");
            float[] var = ResNet18.require(weights, bn + ".running_var");
            int out = gamma.length;
            int perChannel = w.length / out;
            long[] shape = {out, perChannel / (kernel * kernel), kernel, kernel};
            float[] folded = new float[w.length];
            float[] bias = new float[out];
            for (int c = 0; c < out; c++) {
                double k = gamma[c] / Math.sqrt(var[c] + (double) ResNet18.BN_EPSILON);
                for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                    folded[i] = (float) (w[i] * k);
                }
                bias[c] = (float) (beta[c] - mean[c] * k);
            }
            Object[] attributes = ResNet18.convAttributes(kernel, stride, pad);
            if (ranges == null) {
                g.initializer(conv + ".weight", folded, shape);
                g.initializer(conv + ".bias", bias, out);
                String c = relu ? conv + ".out" : conv;
                g.node("Conv", List.of(in, conv + ".weight", conv + ".bias"), c, attributes);
                if (relu) {
                    g.node("Relu", List.of(c), conv);
                }
                return conv;
            }
            String weight = quantizedWeight(conv, folded, shape, out, perChannel);
            String quantizedBias = quantizedBias(conv, bias, encodingOf.get(in).scale(), weightScales(folded, out,
                    perChannel));
            g.node("Conv", List.of(in, weight, quantizedBias), conv + ".out", attributes);
            return quantized(conv + ".out", conv, ranges.get(conv));
        }

        @Override
        public String addRelu(String a, String b, String name) {
            keys.add(name);
            if (weights == null) {
                return name;
            }
            g.node("Add", List.of(a, b), name + ".sum");
            if (ranges == null) {
                g.node("Relu", List.of(name + ".sum"), name);
                return name;
            }
            return quantized(name + ".sum", name, ranges.get(name));
        }

        @Override
        public String maxPool(String in) {
            if (weights == null) {
                return in;
            }
            String pooled = ResNet18.maxPoolNode(g, in);
            // The maximum of encoded values is the encoding of the maximum: same encoding on both sides lets ONNX
            // Runtime run the pool on the uint8 tensor itself.
            return ranges == null ? pooled : quantized(pooled, pooled, encodingOf.get(in));
        }

        /** QuantizeLinear then DequantizeLinear with the encoding of {@code range}; returns the float result. */
        private String quantized(String tensor, String key, ActivationRange range) {
            String scale = key + ".act_scale";
            String zero = key + ".act_zero";
            g.initializer(scale, new float[]{range.scale()});
            g.initializer(zero, OnnxGraph.UINT8, new byte[]{(byte) range.zeroPoint()});
            g.node("QuantizeLinear", List.of(tensor, scale, zero), key + ".q");
            g.node("DequantizeLinear", List.of(key + ".q", scale, zero), key + ".dq");
            encodingOf.put(key + ".dq", range);
            return key + ".dq";
        }

        private static float[] weightScales(float[] w, int out, int perChannel) {
            float[] scales = new float[out];
            for (int c = 0; c < out; c++) {
                float max = 0;
                for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                    max = Math.max(max, Math.abs(w[i]));
                }
                scales[c] = max > 0 ? max / WEIGHT_LEVELS : 1f;
            }
            return scales;
        }

        private String quantizedWeight(String conv, float[] w, long[] shape, int out, int perChannel) {
            float[] scales = weightScales(w, out, perChannel);
            byte[] q = new byte[w.length];
            for (int c = 0; c < out; c++) {
                for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                    q[i] = (byte) Math.max(-WEIGHT_LEVELS, Math.min(WEIGHT_LEVELS, Math.round(w[i] / scales[c])));
                }
            }
            g.initializer(conv + ".weight_q", OnnxGraph.INT8, q, shape);
            g.initializer(conv + ".weight_scale", scales, out);
            g.initializer(conv + ".weight_zero", OnnxGraph.INT8, new byte[out], out);
            g.node("DequantizeLinear", List.of(conv + ".weight_q", conv + ".weight_scale", conv + ".weight_zero"),
                    conv + ".weight", "axis", 0);
            return conv + ".weight";
        }

        /** int32 with the scale input x weight, per channel: the form QLinearConv adds to its accumulators. */
        private String quantizedBias(String conv, float[] bias, float inputScale, float[] weightScales) {
            int out = bias.length;
            float[] scales = new float[out];
            ByteBuffer q = ByteBuffer.allocate(out * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (int c = 0; c < out; c++) {
                scales[c] = inputScale * weightScales[c];
                q.putInt((int) Math.max(Integer.MIN_VALUE + 1, Math.min(Integer.MAX_VALUE,
                        Math.round((double) bias[c] / scales[c]))));
            }
            g.initializer(conv + ".bias_q", OnnxGraph.INT32, q.array(), out);
            g.initializer(conv + ".bias_scale", scales, out);
            g.initializer(conv + ".bias_zero", OnnxGraph.INT32, new byte[out * Integer.BYTES], out);
            g.node("DequantizeLinear", List.of(conv + ".bias_q", conv + ".bias_scale", conv + ".bias_zero"),
                    conv + ".bias", "axis", 0);
            return conv + ".bias";
        }
    }
}
