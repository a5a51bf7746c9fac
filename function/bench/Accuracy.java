import io.elasticinference.function.classify.TopK;
import io.elasticinference.function.image.DecodeMemory;
import io.elasticinference.function.image.ImageDecoder;
import io.elasticinference.function.image.ImageLimits;
import io.elasticinference.function.image.TorchvisionPreprocessing;
import io.elasticinference.function.inference.InferenceSettings;
import io.elasticinference.function.inference.OnnxClassifier;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Top-1 and top-5 accuracy of one or more ONNX classifiers on labelled photos, with the service's own decoding,
 * preprocessing and model code, and how often each model puts first the class the first one does. For what int8
 * costs with trained weights (README, "Faster in int8"): build once with and once without -Dmodel.precision=int8,
 * keep both model/resnet18.onnx files, and run on photos that were not used for calibration.
 *
 * <pre>
 * java -cp function/target/function-runner.jar function/bench/Accuracy.java DIR MODEL.onnx [MODEL.onnx ...]
 * </pre>
 * DIR holds the photos and a labels.tsv: file name, class index, class name, tab-separated (as
 * ../shared/imagenet/sample does).
 */
public class Accuracy {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Accuracy.java DIR MODEL.onnx [MODEL.onnx ...]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        List<String> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("labels.tsv"))) {
            String[] f = line.split("\t");
            if (f.length >= 2 && !f[0].isBlank()) {
                files.add(f[0]);
                labels.add(Integer.parseInt(f[1].strip()));
            }
        }
        ImageDecoder decoder = new ImageDecoder(new ImageLimits(100_000_000L, 20_000), DecodeMemory.unbounded());
        List<float[]> tensors = new ArrayList<>();
        for (String file : files) {
            tensors.add(decoder.decode(Files.readAllBytes(dir.resolve(file)), TorchvisionPreprocessing::toTensor));
        }
        int[] firstTop1 = null;
        System.out.printf("%d labelled photos of %s%n%n", files.size(), dir);
        System.out.println("| model | top-1 | top-5 | same top-1 as the first |");
        System.out.println("|---|---:|---:|---:|");
        for (int m = 1; m < args.length; m++) {
            int top1 = 0;
            int top5 = 0;
            int same = 0;
            int[] best = new int[tensors.size()];
            try (OnnxClassifier classifier = OnnxClassifier.load(new InferenceSettings(Path.of(args[m]), 1))) {
                for (int i = 0; i < tensors.size(); i++) {
                    int[] order = TopK.indices(classifier.probabilities(List.of(tensors.get(i)))[0], 5);
                    int label = labels.get(i);
                    best[i] = order[0];
                    top1 += order[0] == label ? 1 : 0;
                    top5 += Arrays.stream(order).anyMatch(c -> c == label) ? 1 : 0;
                    same += firstTop1 != null && firstTop1[i] == order[0] ? 1 : 0;
                }
            }
            if (firstTop1 == null) {
                firstTop1 = best;
                same = best.length;
            }
            int n = tensors.size();
            System.out.printf("| %s | %.1f%% | %.1f%% | %d of %d |%n", args[m], 100.0 * top1 / n, 100.0 * top5 / n,
                    same, n);
        }
    }
}
