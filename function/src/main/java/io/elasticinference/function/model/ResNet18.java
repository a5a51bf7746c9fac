package io.elasticinference.function.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torchvision's {@code resnet18()}: the parameter names and shapes of its state dict, and the same network written as
 * an ONNX graph (Conv, BatchNormalization, Relu, MaxPool, Add, GlobalAveragePool, Flatten, Gemm). BatchNorm stays a
 * node of its own, as in the PyTorch model; ONNX Runtime fuses it into the convolution when it loads the graph.
 */
public final class ResNet18 {

    public static final String INPUT = "input";
    public static final String OUTPUT = "logits";
    public static final int CLASSES = 1000;
    /** torchvision's count of trainable parameters (BatchNorm running statistics are buffers, not parameters). */
    public static final long PARAMETERS = 11_689_512L;
    static final float BN_EPSILON = 1e-5f;
    static final int OPSET = 13;

    private static final int[] WIDTHS = {64, 128, 256, 512};

    private ResNet18() {
    }

    /** Every tensor of the state dict (without num_batches_tracked), in torchvision's order. */
    public static Map<String, long[]> stateDictShapes() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("conv1.weight", new long[]{64, 3, 7, 7});
        batchNorm(shapes, "bn1", 64);
        int in = 64;
        for (int layer = 0; layer < 4; layer++) {
            int out = WIDTHS[layer];
            for (int block = 0; block < 2; block++) {
                String p = "layer" + (layer + 1) + "." + block + ".";
                int blockIn = block == 0 ? in : out;
                shapes.put(p + "conv1.weight", new long[]{out, blockIn, 3, 3});
                batchNorm(shapes, p + "bn1", out);
                shapes.put(p + "conv2.weight", new long[]{out, out, 3, 3});
                batchNorm(shapes, p + "bn2", out);
                if (block == 0 && layer > 0) {
                    shapes.put(p + "downsample.0.weight", new long[]{out, blockIn, 1, 1});
                    batchNorm(shapes, p + "downsample.1", out);
                }
            }
            in = out;
        }
        shapes.put("fc.weight", new long[]{CLASSES, 512});
        shapes.put("fc.bias", new long[]{CLASSES});
        return shapes;
    }

    /** Whether a state-dict entry is a trainable parameter (as opposed to a BatchNorm running statistic). */
    public static boolean isParameter(String name) {
        return !name.endsWith("running_mean") && !name.endsWith("running_var");
    }

    private static void batchNorm(Map<String, long[]> shapes, String prefix, int channels) {
        shapes.put(prefix + ".weight", new long[]{channels});
        shapes.put(prefix + ".bias", new long[]{channels});
        shapes.put(prefix + ".running_mean", new long[]{channels});
        shapes.put(prefix + ".running_var", new long[]{channels});
    }

    /** The ONNX model for the given weights (all names of {@link #stateDictShapes()} must be present). */
    public static byte[] toOnnx(Map<String, float[]> weights, String producerVersion) {
        OnnxGraph g = new OnnxGraph();
        Map<String, long[]> shapes = stateDictShapes();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            g.initializer(e.getKey(), require(weights, e.getKey()), e.getValue());
        }
        write(g, new FloatLayers(g));
        return toModel(g, producerVersion);
    }

    /**
     * How the parts of the network become nodes: as in PyTorch (convolution, BatchNorm and ReLU nodes), or folded and
     * quantized ({@link QuantizedResNet18}). The topology itself is written once, by {@link #write}.
     */
    interface Layers {
        /** The image as the first convolution reads it. */
        String input(String tensor);

        /** A convolution with its BatchNorm, then a ReLU when {@code relu}; returns the output tensor. */
        String convBn(String in, String conv, String bn, int kernel, int stride, int pad, boolean relu);

        /** {@code relu(a + b)}, a residual block's end. */
        String addRelu(String a, String b, String name);

        /** The stem's 3x3 max pool after {@code in}. */
        String maxPool(String in);
    }

    /** Writes torchvision's topology with {@code layers}, ending in the classifier's {@link #OUTPUT}. */
    static void write(OnnxGraph g, Layers layers) {
        String x = layers.convBn(layers.input(INPUT), "conv1", "bn1", 7, 2, 3, true);
        x = layers.maxPool(x);
        for (int layer = 0; layer < 4; layer++) {
            for (int block = 0; block < 2; block++) {
                String p = "layer" + (layer + 1) + "." + block + ".";
                int stride = block == 0 && layer > 0 ? 2 : 1;
                String y = layers.convBn(x, p + "conv1", p + "bn1", 3, stride, 1, true);
                y = layers.convBn(y, p + "conv2", p + "bn2", 3, 1, 1, false);
                String identity = x;
                if (block == 0 && layer > 0) {
                    identity = layers.convBn(x, p + "downsample.0", p + "downsample.1", 1, 2, 0, false);
                }
                x = layers.addRelu(y, identity, p + "add");
            }
        }
        g.node("GlobalAveragePool", List.of(x), "avgpool");
        g.node("Flatten", List.of("avgpool"), "flatten", "axis", 1);
        g.node("Gemm", List.of("flatten", "fc.weight", "fc.bias"), OUTPUT, "transB", 1);
    }

    /** A square convolution's attributes, as both writers give them. */
    static Object[] convAttributes(int kernel, int stride, int pad) {
        return new Object[]{"kernel_shape", new long[]{kernel, kernel}, "strides", new long[]{stride, stride},
                "pads", new long[]{pad, pad, pad, pad}};
    }

    /** torchvision's stem pool (3x3, stride 2, padding 1) after {@code in}; returns its output tensor. */
    static String maxPoolNode(OnnxGraph g, String in) {
        g.node("MaxPool", List.of(in), "maxpool", "kernel_shape", new long[]{3, 3}, "strides", new long[]{2, 2},
                "pads", new long[]{1, 1, 1, 1});
        return "maxpool";
    }

    static byte[] toModel(OnnxGraph g, String producerVersion) {
        return g.toModel("resnet18", INPUT, new long[]{3, 224, 224}, OUTPUT, new long[]{CLASSES}, OPSET,
                producerVersion);
    }

    static float[] require(Map<String, float[]> weights, String name) {
        float[] w = weights.get(name);
        if (w == null) {
            throw new IllegalArgumentException("missing weight " + name);
        }
        return w;
    }

    /** PyTorch's nodes, one for one; BatchNorm stays a node, which ONNX Runtime fuses when it loads the graph. */
    private record FloatLayers(OnnxGraph g) implements Layers {
        @Override
        public String input(String tensor) {
            return tensor;
        }

        @Override
        public String convBn(String in, String conv, String bn, int kernel, int stride, int pad, boolean relu) {
            String c = conv + ".out";
            g.node("Conv", List.of(in, conv + ".weight"), c, convAttributes(kernel, stride, pad));
            String b = bn + ".out";
            g.node("BatchNormalization", List.of(c, bn + ".weight", bn + ".bias", bn + ".running_mean",
                    bn + ".running_var"), b, "epsilon", BN_EPSILON);
            return relu ? relu(b) : b;
        }

        @Override
        public String addRelu(String a, String b, String name) {
            g.node("Add", List.of(a, b), name);
            return relu(name);
        }

        @Override
        public String maxPool(String in) {
            return maxPoolNode(g, in);
        }

        private String relu(String in) {
            String out = in + ".relu";
            g.node("Relu", List.of(in), out);
            return out;
        }
    }

    /** Names of the trainable parameters, for counting. */
    public static List<String> parameterNames() {
        List<String> names = new ArrayList<>();
        for (String n : stateDictShapes().keySet()) {
            if (isParameter(n)) {
                names.add(n);
            }
        }
        return names;
    }
}
