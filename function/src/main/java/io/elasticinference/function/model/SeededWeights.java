package io.elasticinference.function.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Random weights drawn the way torchvision initialises an untrained resnet18 (Kaiming normal, fan-out, for the
 * convolutions; BatchNorm weight 1, bias 0, running mean 0, variance 1; PyTorch's default uniform for the classifier),
 * from a fixed seed. Same shapes, so the same compute cost as trained weights; predictions are meaningless, and the
 * service says so in every response.
 */
public final class SeededWeights {

    private SeededWeights() {
    }

    public static Map<String, float[]> generate(long seed) {
        Random random = new Random(seed);
        Map<String, float[]> weights = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : ResNet18.stateDictShapes().entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            int size = 1;
            for (long d : shape) {
                size *= (int) d;
            }
            float[] w = new float[size];
            if (shape.length == 4) {
                double std = Math.sqrt(2.0 / (shape[0] * shape[2] * shape[3]));
                for (int i = 0; i < size; i++) {
                    w[i] = (float) (random.nextGaussian() * std);
                }
            } else if (name.startsWith("fc.")) {
                double bound = 1.0 / Math.sqrt(512);
                for (int i = 0; i < size; i++) {
                    w[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
                }
            } else if (name.endsWith(".weight") || name.endsWith("running_var")) {
                java.util.Arrays.fill(w, 1f);
            }
            weights.put(name, w);
        }
        return weights;
    }
}
