package io.elasticinference.function.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SplittableRandom;

/**
 * The fp32 model as ONNX Runtime itself rewrites it at its portable ("extended") optimisation level, written once at
 * build time beside the runner jar, with its weights in a separate file. A start then loads a graph whose
 * BatchNormalizations are already folded into the convolutions, and whose weights ONNX Runtime reads straight from
 * that file instead of from the middle of a 47 MB protobuf: creating the session took ~0.2 s less and touched ~70 MB
 * less memory on the Zen 5 VM, whose page faults are slow (docs/benchmarks.md, "Optimised at build time").
 *
 * <p>{@code resnet18.onnx} stays the product's model, exactly torchvision's graph: it is what the tests check against
 * torchvision, what the jar carries and whose sha256 every response names. This copy is derived from it, checked at
 * build time to compute the same outputs, and used only when its description names that sha256 and the ONNX Runtime
 * version that runs it ({@link #usable}); otherwise the exact graph is loaded, as before. Levels above "extended"
 * (the NCHWc layout) are not saved: ONNX Runtime makes them for the building machine's CPU, and an image runs
 * elsewhere. The int8 graph is not pre-optimised either: its quantised fusions depend on the CPU's instructions.
 */
public final class OptimizedModel {

    public static final String ONNX = "resnet18.optimized.onnx";
    public static final String WEIGHTS = ONNX + ".data";
    public static final String DESCRIPTION = "resnet18.optimized.properties";

    /** Largest difference allowed between the two graphs' logits, relative to the largest logit. */
    static final double TOLERANCE = 1e-4;
    /** Inputs the build compares the two graphs on. */
    private static final int CHECK_INPUTS = 3;
    private static final long CHECK_SEED = 7;
    private static final long[] INPUT_SHAPE = {1, 3, 224, 224};

    /**
     * What the optimised copy was made from and by, and how large its weights file is (a truncated copy is never
     * loaded).
     */
    public record Description(String sourceSha256, String onnxRuntimeVersion, String level, long weightsBytes) {

        static Description read(Path file) throws IOException {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
            String sha = p.getProperty("source.sha256");
            String version = p.getProperty("onnxruntime.version");
            String level = p.getProperty("optimization.level");
            String bytes = p.getProperty("weights.bytes");
            if (sha == null || version == null || level == null || bytes == null) {
                throw new IOException(file + " lacks source.sha256, onnxruntime.version, optimization.level or "
                        + "weights.bytes");
            }
            try {
                return new Description(sha, version, level, Long.parseLong(bytes));
            } catch (NumberFormatException e) {
                throw new IOException(file + ": weights.bytes is not a number", e);
            }
        }

        void write(Path file) throws IOException {
            Properties p = new Properties();
            p.setProperty("source.sha256", sourceSha256);
            p.setProperty("onnxruntime.version", onnxRuntimeVersion);
            p.setProperty("optimization.level", level);
            p.setProperty("weights.bytes", Long.toString(weightsBytes));
            try (OutputStream out = Files.newOutputStream(file)) {
                p.store(out, "ONNX Runtime's optimisation of the exact graph, written at build time; see OptimizedModel");
            }
        }
    }

    /** A copy's description and the largest relative difference of its logits from the source's. */
    public record Written(Description description, double difference) {
    }

    private OptimizedModel() {
    }

    /**
     * The optimised copy in {@code dir}, if it was made from the model with {@code sourceSha256} for ONNX Runtime
     * {@code onnxRuntimeVersion} and its files are whole. Never throws: anything else means loading the exact graph.
     */
    public static Optional<Path> usable(Path dir, String sourceSha256, String onnxRuntimeVersion) {
        Path description = dir.resolve(DESCRIPTION);
        Path onnx = dir.resolve(ONNX);
        Path weights = dir.resolve(WEIGHTS);
        try {
            if (!Files.isRegularFile(description) || !Files.isRegularFile(onnx) || !Files.isRegularFile(weights)) {
                return Optional.empty();
            }
            Description d = Description.read(description);
            boolean matches = d.sourceSha256().equals(sourceSha256)
                    && d.onnxRuntimeVersion().equals(onnxRuntimeVersion)
                    && d.weightsBytes() == Files.size(weights);
            return matches ? Optional.of(onnx) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Writes the optimised copy of {@code source} (whose sha256 is {@code sourceSha256}) into {@code outDir}, after
     * checking that it computes what the source computes. The description is written last, so an interrupted build
     * leaves a copy that {@link #usable} refuses. Does nothing when an up-to-date copy is there.
     *
     * @return the description of the copy in {@code outDir}, and the difference checked (NaN when the copy was there)
     * @throws IOException when ONNX Runtime cannot write the copy or the copy computes something else
     */
    public static Written write(Path source, String sourceSha256, Path outDir) throws IOException {
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            String version = env.getVersion();
            if (usable(outDir, sourceSha256, version).isPresent()) {
                return new Written(Description.read(outDir.resolve(DESCRIPTION)), Double.NaN);
            }
            Files.createDirectories(outDir);
            Files.deleteIfExists(outDir.resolve(DESCRIPTION));
            Files.deleteIfExists(outDir.resolve(ONNX));
            Files.deleteIfExists(outDir.resolve(WEIGHTS));
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);
                options.setIntraOpNumThreads(1);
                options.setOptimizedModelFilePath(outDir.resolve(ONNX).toString());
                // A name relative to the graph's file: ONNX Runtime looks for it beside the graph, wherever the
                // directory is copied (an image's /deployments/model).
                options.addConfigEntry("session.optimized_model_external_initializers_file_name", WEIGHTS);
                options.addConfigEntry("session.optimized_model_external_initializers_min_size_in_bytes", "1024");
                env.createSession(source.toString(), options).close();
            }
            double difference = largestDifference(env, source, outDir.resolve(ONNX));
            if (!(difference <= TOLERANCE)) {
                throw new IOException(String.format("ONNX Runtime's optimised copy of %s computes other logits than "
                        + "the graph itself (relative difference %.3g, allowed %.1g)", source, difference, TOLERANCE));
            }
            Description description = new Description(sourceSha256, version,
                    OrtSession.SessionOptions.OptLevel.EXTENDED_OPT.name(), Files.size(outDir.resolve(WEIGHTS)));
            description.write(outDir.resolve(DESCRIPTION));
            return new Written(description, difference);
        } catch (OrtException e) {
            throw new IOException("ONNX Runtime could not optimise " + source + ": " + e.getMessage(), e);
        }
    }

    /**
     * The largest difference between the two graphs' logits on a few seeded inputs, relative to the largest logit.
     * Both run at the level the function runs them.
     */
    static double largestDifference(OrtEnvironment env, Path a, Path b) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(1);
            try (OrtSession first = env.createSession(a.toString(), options);
                 OrtSession second = env.createSession(b.toString(), options)) {
                SplittableRandom random = new SplittableRandom(CHECK_SEED);
                double worst = 0;
                for (int i = 0; i < CHECK_INPUTS; i++) {
                    float[] input = new float[3 * 224 * 224];
                    for (int j = 0; j < input.length; j++) {
                        input[j] = (float) random.nextGaussian();
                    }
                    float[] x = logits(env, first, input);
                    float[] y = logits(env, second, input);
                    if (x.length != y.length) {
                        return Double.POSITIVE_INFINITY;
                    }
                    double scale = 0;
                    double diff = 0;
                    for (int j = 0; j < x.length; j++) {
                        scale = Math.max(scale, Math.abs(x[j]));
                        diff = Math.max(diff, Math.abs(x[j] - y[j]));
                    }
                    worst = Math.max(worst, diff / Math.max(scale, Float.MIN_NORMAL));
                }
                return worst;
            }
        }
    }

    private static float[] logits(OrtEnvironment env, OrtSession session, float[] input) throws OrtException {
        Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), INPUT_SHAPE)) {
            inputs.put(session.getInputNames().iterator().next(), tensor);
            try (OrtSession.Result result = session.run(inputs)) {
                float[][] out = (float[][]) result.get(0).getValue();
                return out[0];
            }
        }
    }

    /**
     * Build step (the function's pom, prepare-package): {@code --model=FILE --info=FILE --out=DIR [--precision=P]}.
     * For int8 it writes nothing and removes a copy an earlier fp32 build left.
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("expected --key=value, got " + arg);
            }
            opts.put(arg.substring(0, eq), arg.substring(eq + 1).strip());
        }
        Path model = Path.of(opts.get("--model"));
        Path out = Path.of(opts.get("--out"));
        if ("int8".equals(opts.getOrDefault("--precision", "fp32"))) {
            Files.deleteIfExists(out.resolve(DESCRIPTION));
            Files.deleteIfExists(out.resolve(ONNX));
            Files.deleteIfExists(out.resolve(WEIGHTS));
            System.out.println("[model] int8: no build-time optimisation (its fusions depend on the CPU)");
            return;
        }
        ModelInfo info;
        try (InputStream in = Files.newInputStream(Path.of(opts.get("--info")))) {
            info = ModelInfo.read(in);
        }
        Written written = write(model, info.sha256(), out);
        Description d = written.description();
        System.out.println("[model] " + out.resolve(ONNX) + ": ONNX Runtime " + d.onnxRuntimeVersion() + " "
                + d.level() + " optimisation of sha256 " + d.sourceSha256() + ", weights " + d.weightsBytes()
                + " bytes beside it" + (Double.isNaN(written.difference()) ? " (up to date)"
                : String.format(", logits within %.2g of the graph's", written.difference())));
    }
}
