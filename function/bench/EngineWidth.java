import io.elasticinference.function.inference.InferenceSettings;
import io.elasticinference.function.inference.OnnxClassifier;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * One packaged-ResNet18 run on the shared session's width (1 thread) against the lone-run session's (every CPU,
 * idle threads spinning 3 ms), interleaved, with a pause between runs as a one-at-a-time client leaves them.
 * Run from the repository after a build, with the source launcher:
 * {@code java -cp function/target/function-runner.jar function/bench/EngineWidth.java [rounds=40] [pause ms=70]}
 */
public class EngineWidth {
    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", "true");
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        long pauseMs = args.length > 1 ? Long.parseLong(args[1]) : 70;
        int cpus = Runtime.getRuntime().availableProcessors();
        try (OnnxClassifier shared = OnnxClassifier.load(new InferenceSettings(null, 1));
             OnnxClassifier lone = OnnxClassifier.load(new InferenceSettings(null, cpus, true, 3000))) {
            float[] tensor = new float[3 * 224 * 224];
            Random random = new Random(1);
            for (int i = 0; i < tensor.length; i++) {
                tensor[i] = (float) random.nextGaussian();
            }
            List<float[]> batch = List.of(tensor);
            for (int i = 0; i < 5; i++) { // warm-up, not reported
                shared.probabilities(batch);
                lone.probabilities(batch);
            }
            long[] one = new long[rounds];
            long[] wide = new long[rounds];
            for (int i = 0; i < rounds; i++) {
                one[i] = timed(shared, batch);
                Thread.sleep(pauseMs);
                wide[i] = timed(lone, batch);
                Thread.sleep(pauseMs);
            }
            System.out.printf("%d rounds, %d ms apart: 1 thread p50 %.1f ms, p90 %.1f ms, p99 %.1f ms | %d threads, "
                    + "spin 3 ms: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms%n", rounds, pauseMs, p(one, 50), p(one, 90),
                    p(one, 99), cpus, p(wide, 50), p(wide, 90), p(wide, 99));
        }
    }

    private static long timed(OnnxClassifier classifier, List<float[]> batch) {
        long start = System.nanoTime();
        classifier.probabilities(batch);
        return System.nanoTime() - start;
    }

    private static double p(long[] nanos, int percentile) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)] / 1e6;
    }
}
