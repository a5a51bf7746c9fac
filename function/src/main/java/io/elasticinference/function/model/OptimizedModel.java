package io.elasticinference.function.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * The fp32 model as ONNX Runtime itself rewrites it when it creates a session, written once at build time beside the
 * runner jar, weights in a file of their own. Creating the session from the exact graph is most of a start's model
 * load: folding the BatchNormalizations into the convolutions, then reordering every weight into the blocked (NCHWc)
 * layout of the CPU's vector width, each step into fresh memory (0.65-0.9 s on the Zen 5 VM, whose page faults are
 * slow). Two copies spare it (docs/benchmarks.md, "Optimised at build time"):
 * <ul>
 * <li>{@link Kind#CPU}: everything ONNX Runtime does, NCHWc included. Its blocks fit the building machine's vector
 *     width, so it is used only where the CPU has the same vector features, and only if it reproduces the exact
 *     graph's outputs on the start's warm-up input (the description records them). Session in ~30 ms.</li>
 * <li>{@link Kind#PORTABLE}: ONNX Runtime's portable ("extended") level, BatchNormalization folded; any CPU. The start
 *     still makes the NCHWc layout: ~0.2 s less than from the exact graph.</li>
 * </ul>
 * <p>{@code resnet18.onnx} stays the product's model, exactly torchvision's graph: it is what the tests check against
 * torchvision, what the jar carries and whose sha256 every response names. The copies are derived from it, checked at
 * build time to compute the same outputs, and used only when their description names that sha256 and the ONNX Runtime
 * version that runs them ({@link #usable}); otherwise the exact graph is loaded, as before. The int8 graph has no copies:
 * its quantised fusions depend on the CPU's instructions in more ways than a vector width.
 */
public final class OptimizedModel {

    /** A build-time copy: its file, and the optimisation level ONNX Runtime saved it at. */
    public enum Kind {
        CPU("resnet18.optimized-cpu.onnx", OrtSession.SessionOptions.OptLevel.ALL_OPT),
        PORTABLE("resnet18.optimized.onnx", OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);

        private final String onnx;
        private final OrtSession.SessionOptions.OptLevel level;

        Kind(String onnx, OrtSession.SessionOptions.OptLevel level) {
            this.onnx = onnx;
            this.level = level;
        }

        public String onnx() {
            return onnx;
        }

        public String weights() {
            return onnx + ".data";
        }

        public String description() {
            return onnx.substring(0, onnx.length() - ".onnx".length()) + ".properties";
        }
    }

    /** Largest difference allowed between the graphs' logits, relative to the largest logit. */
    public static final double TOLERANCE = 1e-4;
    /** Inputs the build compares the graphs on, besides the warm-up input. */
    private static final int CHECK_INPUTS = 3;
    private static final long CHECK_SEED = 7;
    private static final int INPUT_FLOATS = 3 * 224 * 224;
    private static final long[] INPUT_SHAPE = {1, 3, 224, 224};
    /** The CPU features whose presence decides ONNX Runtime's NCHWc block (MLAS: 16 floats with AVX-512F, 8 with AVX2). */
    private static final List<String> VECTOR_FEATURES = List.of("avx2", "fma", "avx512f");

    /**
     * What a copy was made from and by, the size of its weights file (a truncated copy is never loaded), the vector
     * features of the CPU it fits ("any" for the portable copy), and the exact graph's logits for the
     * {@link #warmUpInput} that a start's warm-up runs.
     */
    public record Description(String sourceSha256, String onnxRuntimeVersion, String level, long weightsBytes,
                              String cpu, float[] warmUpLogits) {

        static Description read(Path file) throws IOException {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
            String[] keys = {"source.sha256", "onnxruntime.version", "optimization.level", "weights.bytes", "cpu",
                    "warm-up.logits"};
            for (String key : keys) {
                if (p.getProperty(key) == null) {
                    throw new IOException(file + " lacks " + key);
                }
            }
            try {
                ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(p.getProperty("warm-up.logits")))
                        .order(ByteOrder.LITTLE_ENDIAN);
                float[] logits = new float[bytes.remaining() / Float.BYTES];
                bytes.asFloatBuffer().get(logits);
                return new Description(p.getProperty("source.sha256"), p.getProperty("onnxruntime.version"),
                        p.getProperty("optimization.level"), Long.parseLong(p.getProperty("weights.bytes")),
                        p.getProperty("cpu"), logits);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": " + e.getMessage(), e);
            }
        }

        void write(Path file) throws IOException {
            ByteBuffer bytes = ByteBuffer.allocate(warmUpLogits.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(warmUpLogits);
            Properties p = new Properties();
            p.setProperty("source.sha256", sourceSha256);
            p.setProperty("onnxruntime.version", onnxRuntimeVersion);
            p.setProperty("optimization.level", level);
            p.setProperty("weights.bytes", Long.toString(weightsBytes));
            p.setProperty("cpu", cpu);
            p.setProperty("warm-up.logits", Base64.getEncoder().encodeToString(bytes.array()));
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
     * The vector features ONNX Runtime's layout depends on, as this machine's kernel reports them
     * ({@code "x86_64:avx2,avx512f,fma"}); empty where they cannot be read (not Linux).
     */
    public static Optional<String> cpuFeatures() {
        return cpuFeatures(Path.of("/proc/cpuinfo"), System.getProperty("os.arch"));
    }

    static Optional<String> cpuFeatures(Path cpuinfo, String arch) {
        try {
            for (String line : Files.readAllLines(cpuinfo)) {
                // x86 says "flags", ARM "Features"; the first CPU's line stands for all.
                if (line.startsWith("flags") || line.startsWith("Features")) {
                    TreeSet<String> present = new TreeSet<>();
                    for (String flag : line.substring(line.indexOf(':') + 1).trim().split("\\s+")) {
                        if (VECTOR_FEATURES.contains(flag)) {
                            present.add(flag);
                        }
                    }
                    return Optional.of(arch.toLowerCase(Locale.ROOT) + ":" + String.join(",", present));
                }
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The {@code kind} of copy in {@code dir}, if it was made from the model with {@code sourceSha256} for ONNX
     * Runtime {@code onnxRuntimeVersion}, fits a CPU with {@code cpu} features (the CPU copy), and its files are whole.
     * Never throws: anything else means the next copy, or the exact graph.
     */
    public static Optional<Usable> usable(Path dir, Kind kind, String sourceSha256, String onnxRuntimeVersion,
                                          Optional<String> cpu) {
        Path description = dir.resolve(kind.description());
        Path onnx = dir.resolve(kind.onnx());
        Path weights = dir.resolve(kind.weights());
        try {
            if (!Files.isRegularFile(description) || !Files.isRegularFile(onnx) || !Files.isRegularFile(weights)) {
                return Optional.empty();
            }
            Description d = Description.read(description);
            boolean fits = kind == Kind.PORTABLE ? d.cpu().equals("any") : cpu.map(d.cpu()::equals).orElse(false);
            boolean matches = fits && d.sourceSha256().equals(sourceSha256)
                    && d.onnxRuntimeVersion().equals(onnxRuntimeVersion)
                    && d.weightsBytes() == Files.size(weights);
            return matches ? Optional.of(new Usable(kind, onnx, d.warmUpLogits())) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A copy a start may load, and the logits its warm-up must reproduce. */
    public record Usable(Kind kind, Path onnx, float[] warmUpLogits) {

        /** Whether a warm-up's logits for the {@link #warmUpInput} are the exact graph's. */
        public boolean reproduces(float[] logits) {
            return difference(logits) <= TOLERANCE;
        }

        /** How far a warm-up's logits are from the exact graph's, relative to its largest. */
        public double difference(float[] logits) {
            return relativeDifference(warmUpLogits, logits);
        }
    }

    /**
     * Writes the {@code kind} of copy of {@code source} (whose sha256 is {@code sourceSha256}) into {@code outDir},
     * after checking that it computes what the source computes. The description is written last, so an interrupted
     * build leaves a copy that {@link #usable} refuses. Does nothing when an up-to-date copy is there.
     *
     * @return the description of the copy in {@code outDir}, and the difference checked (NaN when the copy was there)
     * @throws IOException when ONNX Runtime cannot write the copy or the copy computes something else
     */
    public static Written write(Path source, String sourceSha256, Path outDir, Kind kind) throws IOException {
        String cpu = kind == Kind.PORTABLE ? "any" : cpuFeatures().orElseThrow(
                () -> new IOException("this machine's CPU features cannot be read: no CPU-specific copy"));
        try {
            OrtEnvironment env = OnnxRuntimeEnvironment.shared();
            String version = env.getVersion();
            if (usable(outDir, kind, sourceSha256, version, Optional.of(cpu)).isPresent()) {
                return new Written(Description.read(outDir.resolve(kind.description())), Double.NaN);
            }
            remove(outDir, kind);
            Files.createDirectories(outDir);
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setOptimizationLevel(kind.level);
                options.setIntraOpNumThreads(1);
                // ONNX Runtime warns that a file saved at the ALL level fits only this machine's CPU: that is what
                // the description's CPU features and the warm-up check are for, and the build log says it below.
                options.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
                options.setOptimizedModelFilePath(outDir.resolve(kind.onnx()).toString());
                // A name relative to the graph's file: ONNX Runtime looks for it beside the graph, wherever the
                // directory is copied (an image's /deployments/model).
                options.addConfigEntry("session.optimized_model_external_initializers_file_name", kind.weights());
                options.addConfigEntry("session.optimized_model_external_initializers_min_size_in_bytes", "1024");
                env.createSession(source.toString(), options).close();
            }
            List<float[]> inputs = checkInputs();
            List<float[]> expected = logits(env, source, inputs);
            List<float[]> actual = logits(env, outDir.resolve(kind.onnx()), inputs);
            double difference = 0;
            for (int i = 0; i < inputs.size(); i++) {
                difference = Math.max(difference, relativeDifference(expected.get(i), actual.get(i)));
            }
            if (!(difference <= TOLERANCE)) {
                remove(outDir, kind);
                throw new IOException(String.format("ONNX Runtime's %s copy of %s computes other logits than the "
                        + "graph itself (relative difference %.3g, allowed %.1g)", kind, source, difference, TOLERANCE));
            }
            Description description = new Description(sourceSha256, version, kind.level.name(),
                    Files.size(outDir.resolve(kind.weights())), cpu, expected.get(0));
            description.write(outDir.resolve(kind.description()));
            return new Written(description, difference);
        } catch (OrtException e) {
            throw new IOException("ONNX Runtime could not optimise " + source + ": " + e.getMessage(), e);
        }
    }

    static void remove(Path dir, Kind kind) throws IOException {
        Files.deleteIfExists(dir.resolve(kind.description()));
        Files.deleteIfExists(dir.resolve(kind.onnx()));
        Files.deleteIfExists(dir.resolve(kind.weights()));
    }

    /**
     * The input a start's warm-up inference runs, [1,3,224,224]: a fixed pattern of values between -1 and 1 rather
     * than zeros, so that every weight of the first convolution, not only its bias, shapes the logits a copy is
     * checked against (a weights file damaged anywhere changes them). An integer hash, cheap on the start's path.
     */
    public static float[] warmUpInput() {
        float[] input = new float[INPUT_FLOATS];
        for (int i = 0; i < input.length; i++) {
            input[i] = ((i * 0x9E3779B1) >>> 24) / 127.5f - 1f;
        }
        return input;
    }

    /** The warm-up input first, then a few seeded ones. */
    private static List<float[]> checkInputs() {
        List<float[]> inputs = new ArrayList<>();
        inputs.add(warmUpInput());
        SplittableRandom random = new SplittableRandom(CHECK_SEED);
        for (int i = 0; i < CHECK_INPUTS; i++) {
            float[] input = new float[INPUT_FLOATS];
            for (int j = 0; j < input.length; j++) {
                input[j] = (float) random.nextGaussian();
            }
            inputs.add(input);
        }
        return inputs;
    }

    /** The largest difference between two logit vectors, relative to the largest logit of the first. */
    static double relativeDifference(float[] expected, float[] actual) {
        if (expected.length != actual.length || expected.length == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double scale = 0;
        double diff = 0;
        for (int j = 0; j < expected.length; j++) {
            scale = Math.max(scale, Math.abs(expected[j]));
            diff = Math.max(diff, Math.abs(expected[j] - actual[j]));
        }
        return diff / Math.max(scale, Float.MIN_NORMAL);
    }

    /** A graph's logits for each input, run at the level the function runs it. */
    static List<float[]> logits(OrtEnvironment env, Path graph, List<float[]> inputs) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(graph.toString(), options)) {
                List<float[]> out = new ArrayList<>();
                for (float[] input : inputs) {
                    try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), INPUT_SHAPE);
                         OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(),
                                 tensor))) {
                        out.add(((float[][]) result.get(0).getValue())[0]);
                    }
                }
                return out;
            }
        }
    }

    /**
     * Build step (the function's pom, prepare-package): {@code --model=FILE --info=FILE --out=DIR [--precision=P]}.
     * For int8 it writes nothing and removes copies an earlier fp32 build left.
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
            for (Kind kind : Kind.values()) {
                remove(out, kind);
            }
            System.out.println("[model] int8: no build-time optimisation (its fusions depend on the CPU)");
            return;
        }
        ModelInfo info;
        try (InputStream in = Files.newInputStream(Path.of(opts.get("--info")))) {
            info = ModelInfo.read(in);
        }
        for (Kind kind : Kind.values()) {
            if (kind == Kind.CPU && cpuFeatures().isEmpty()) {
                remove(out, kind);
                System.out.println("[model] no CPU-specific copy: this machine's CPU features cannot be read");
                continue;
            }
            Written written = write(model, info.sha256(), out, kind);
            Description d = written.description();
            System.out.println("[model] " + out.resolve(kind.onnx()) + ": ONNX Runtime " + d.onnxRuntimeVersion()
                    + " " + d.level() + " optimisation of sha256 " + d.sourceSha256() + " for CPUs " + d.cpu()
                    + (kind == Kind.CPU ? " (used only on CPUs with these vector features)" : "")
                    + ", weights " + d.weightsBytes() + " bytes beside it"
                    + (Double.isNaN(written.difference()) ? " (up to date)"
                    : String.format(", logits within %.2g of the graph's", written.difference())));
        }
    }
}
