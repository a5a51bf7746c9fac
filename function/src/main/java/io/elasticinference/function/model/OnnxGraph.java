package io.elasticinference.function.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal ONNX model builder: float and integer initializers, nodes with int/float attributes, one float input and
 * output (plus, for calibration, float outputs of unknown shape). Field numbers follow onnx.proto (ModelProto,
 * GraphProto, NodeProto, TensorProto, ValueInfoProto).
 */
final class OnnxGraph {

    private static final int IR_VERSION = 8;
    static final int FLOAT = 1;
    static final int UINT8 = 2;
    static final int INT8 = 3;
    static final int INT32 = 6;

    private final List<ProtoWriter> nodes = new ArrayList<>();
    private final List<ProtoWriter> initializers = new ArrayList<>();
    private final List<String> extraOutputs = new ArrayList<>();
    private int nodeCount;

    /** Adds a float initializer (a weight) with the given shape. */
    void initializer(String name, float[] data, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(data);
        initializer(name, FLOAT, raw.array(), dims);
    }

    /** Adds an initializer of any element type from its little-endian bytes (ONNX's raw_data). */
    void initializer(String name, int dataType, byte[] raw, long... dims) {
        ProtoWriter t = new ProtoWriter();
        for (long d : dims) {
            t.varint(1, d);
        }
        t.varint(2, dataType);
        t.string(8, name);
        t.bytes(9, raw);
        initializers.add(t);
    }

    /** Makes an intermediate float tensor an output of the graph too, so a run returns it (for calibration). */
    void extraOutput(String tensor) {
        extraOutputs.add(tensor);
    }

    /** Adds a node; attributes are given as name/value pairs (Integer, Float, or long[] for ints). */
    void node(String opType, List<String> inputs, String output, Object... attributes) {
        ProtoWriter n = new ProtoWriter();
        for (String in : inputs) {
            n.string(1, in);
        }
        n.string(2, output);
        n.string(3, opType + "_" + (nodeCount++));
        n.string(4, opType);
        for (int i = 0; i < attributes.length; i += 2) {
            n.message(5, attribute((String) attributes[i], attributes[i + 1]));
        }
        nodes.add(n);
    }

    private static ProtoWriter attribute(String name, Object value) {
        ProtoWriter a = new ProtoWriter().string(1, name);
        if (value instanceof Integer i) {
            a.varint(3, i).varint(20, 2);
        } else if (value instanceof Float f) {
            a.fixed32(2, f).varint(20, 1);
        } else if (value instanceof long[] ints) {
            for (long v : ints) {
                a.varint(8, v);
            }
            a.varint(20, 7);
        } else {
            throw new IllegalArgumentException("unsupported attribute " + name);
        }
        return a;
    }

    /** Serialises the model with a float input {@code [N, dims...]} and output {@code [N, outDims...]}. */
    byte[] toModel(String graphName, String input, long[] inputDims, String output, long[] outputDims, int opset,
                   String producerVersion) {
        ProtoWriter graph = new ProtoWriter();
        for (ProtoWriter n : nodes) {
            graph.message(1, n);
        }
        graph.string(2, graphName);
        for (ProtoWriter t : initializers) {
            graph.message(5, t);
        }
        graph.message(11, valueInfo(input, inputDims));
        graph.message(12, valueInfo(output, outputDims));
        for (String extra : extraOutputs) {
            graph.message(12, new ProtoWriter().string(1, extra)
                    .message(2, new ProtoWriter().message(1, new ProtoWriter().varint(1, FLOAT))));
        }

        return new ProtoWriter()
                .varint(1, IR_VERSION)
                .string(2, "elastic-inference")
                .string(3, producerVersion)
                .message(7, graph)
                .message(8, new ProtoWriter().string(1, "").varint(2, opset))
                .toByteArray();
    }

    private static ProtoWriter valueInfo(String name, long[] dims) {
        ProtoWriter shape = new ProtoWriter();
        shape.message(1, new ProtoWriter().string(2, "N"));
        for (long d : dims) {
            shape.message(1, new ProtoWriter().varint(1, d));
        }
        ProtoWriter tensor = new ProtoWriter().varint(1, FLOAT).message(2, shape);
        return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensor));
    }
}
