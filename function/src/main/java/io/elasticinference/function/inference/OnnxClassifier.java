package io.elasticinference.function.inference;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.elasticinference.function.model.ModelGenerator;
import io.elasticinference.function.model.ModelInfo;
import io.elasticinference.function.model.OnnxRuntimeEnvironment;
import io.elasticinference.function.model.OptimizedModel;
import io.elasticinference.function.startup.UnpackedModel;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * An ImageNet classifier run by DJL's ONNX Runtime engine. Safe for concurrent callers: ONNX Runtime sessions are
 * thread-safe, and DJL predictors (which are not) are pooled, one per concurrent caller.
 */
public final class OnnxClassifier implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(OnnxClassifier.class);

    public static final String PACKAGED_MODEL = "model/" + ModelGenerator.ONNX;
    public static final String PACKAGED_INFO = "model/" + ModelGenerator.INFO;
    private static final int CHANNELS = 3;
    private static final int SIZE = 224;
    private static final int CLASSES = 1000;
    private static final String ENGINE = OnnxRuntimeEnvironment.DJL_ENGINE;

    static {
        // The model ships inside the application; DJL must never try to fetch engines or models.
        System.setProperty("ai.djl.offline", "true");
    }

    private final Model model;
    private final ModelInfo info;
    private final String source;
    private final ConcurrentLinkedQueue<PooledPredictor> predictors = new ConcurrentLinkedQueue<>();
    /** The warm-up's outputs for {@link OptimizedModel#warmUpInput}. */
    private float[] warmUpLogits;

    /**
     * A predictor and its input buffer. The buffer is direct and in native order, so ONNX Runtime reads the batch
     * where it lies; from a heap buffer it allocated a fresh direct copy per call (600 KB per image), garbage the JVM
     * frees only on a GC: ~100 MB of native memory under load. One caller at a time uses a pooled predictor, so its
     * buffer is never shared.
     */
    private static final class PooledPredictor {
        final Predictor<NDList, NDList> predictor;
        private FloatBuffer input;

        PooledPredictor(Predictor<NDList, NDList> predictor) {
            this.predictor = predictor;
        }

        FloatBuffer input(int floats) {
            if (input == null || input.capacity() < floats) {
                input = java.nio.ByteBuffer.allocateDirect(floats * Float.BYTES).order(java.nio.ByteOrder.nativeOrder())
                        .asFloatBuffer();
            }
            input.clear();
            input.limit(floats);
            return input;
        }
    }

    private OnnxClassifier(Model model, ModelInfo info, String source) {
        this.model = model;
        this.info = info;
        this.source = source;
    }

    public static OnnxClassifier load(InferenceSettings settings) throws IOException {
        try (OnnxRuntimeExit.Creation creation = OnnxRuntimeExit.process().creatingSession()) {
            return loadSession(settings);
        }
    }

    private static OnnxClassifier loadSession(InferenceSettings settings) throws IOException {
        if (settings.modelPath() == null) {
            byte[] packagedInfo;
            try (InputStream in = resource(PACKAGED_INFO)) {
                packagedInfo = in.readAllBytes();
            }
            ModelInfo info = ModelInfo.read(new java.io.ByteArrayInputStream(packagedInfo));
            List<OptimizedModel.Usable> copies = UnpackedModel.findOptimized(ModelGenerator.INFO, packagedInfo,
                    info.sha256(), OnnxRuntimeEnvironment.shared().getVersion());
            for (OptimizedModel.Usable copy : copies) {
                OnnxClassifier loaded = loadCopy(copy, info, settings);
                if (loaded != null) {
                    return loaded;
                }
            }
            Optional<Path> unpacked = UnpackedModel.find(ModelGenerator.ONNX, ModelGenerator.INFO, packagedInfo);
            return loadChecked(settings, info, model -> {
                if (unpacked.isPresent()) {
                    model.load(unpacked.get(), null, options(settings));
                    return unpacked.get().toString();
                }
                return loadPackaged(model, options(settings));
            });
        }
        String sha;
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(settings.modelPath()),
                MessageDigest.getInstance("SHA-256"))) {
            // A stream, so a large model never passes through the Java heap; ONNX Runtime reads the file itself.
            in.transferTo(OutputStream.nullOutputStream());
            sha = HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new IOException("cannot load the ONNX model: cannot read " + settings.modelPath() + " ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        ModelInfo info = new ModelInfo(settings.modelPath().getFileName().toString(),
                "user-supplied ONNX file " + settings.modelPath().getFileName(), true, sha, -1);
        return loadChecked(settings, info, model -> {
            model.load(settings.modelPath(), null, options(settings));
            return settings.modelPath().toString();
        });
    }

    /** Reads the model into a DJL model and says from where. */
    private interface Loader {
        String load(Model model) throws IOException, MalformedModelException;
    }

    /** A new model, read by {@code loader} and checked by a first (warm-up) inference; closed when either fails. */
    private static OnnxClassifier loadChecked(InferenceSettings settings, ModelInfo info, Loader loader)
            throws IOException {
        Model model = Model.newInstance("classifier", ENGINE);
        try {
            OnnxClassifier classifier = new OnnxClassifier(model, info, loader.load(model));
            classifier.checkShape();
            return classifier;
        } catch (MalformedModelException | RuntimeException e) {
            model.close();
            throw new IOException("cannot load the ONNX model: " + e.getMessage(), e);
        } catch (IOException e) {
            model.close();
            throw e;
        }
    }

    /**
     * The build's optimised copy, if it loads and its warm-up reproduces the exact graph's outputs; null (after a
     * warning) otherwise, so the caller goes on to the next copy or the exact graph.
     */
    private static OnnxClassifier loadCopy(OptimizedModel.Usable copy, ModelInfo info, InferenceSettings settings) {
        OnnxClassifier classifier;
        float[] warmUp;
        try {
            classifier = loadChecked(settings, info, model -> {
                model.load(copy.onnx(), null, options(settings));
                return copy.onnx() + " (ONNX Runtime's build-time optimisation of " + ModelGenerator.ONNX
                        + (copy.kind() == OptimizedModel.Kind.CPU ? ", for this CPU's vector width)" : ")");
            });
            warmUp = classifier.warmUpLogits;
        } catch (IOException | RuntimeException e) {
            LOG.warnf("%s did not load (%s): loading the next copy or %s", copy.onnx(), e.getMessage(),
                    ModelGenerator.ONNX);
            return null;
        }
        if (copy.reproduces(warmUp)) {
            return classifier;
        }
        LOG.warnf("%s does not reproduce %s's outputs on this machine (relative difference %.3g): loading the next "
                + "copy or the exact graph", copy.onnx(), ModelGenerator.ONNX,
                copy.difference(warmUp));
        classifier.close();
        return null;
    }

    private static Map<String, Object> options(InferenceSettings settings) throws IOException {
        try {
            return Map.of("sessionOptions", sessionOptions(settings));
        } catch (OrtException e) {
            throw new IOException("cannot configure ONNX Runtime: " + e.getMessage(), e);
        }
    }

    /**
     * DJL's string options cannot switch off ONNX Runtime's spin-waiting, so the session options are built here and
     * handed to DJL whole.
     */
    private static OrtSession.SessionOptions sessionOptions(InferenceSettings settings) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setIntraOpNumThreads(settings.effectiveThreads());
        // Operators run one after the other; parallelism across requests comes from the admission slots.
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        if (!settings.spinWait()) {
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
        } else if (settings.spinMicros() > 0) {
            options.addConfigEntry("session.intra_op.spin_duration_us", Long.toString(settings.spinMicros()));
        }
        return options;
    }

    /**
     * The packaged model is handed to ONNX Runtime as a file. Loaded from a stream, DJL first collects all 47 MB on
     * the Java heap, twice while its buffer grows: with the 128 MB heap the JVM gives itself in a 512 MiB container
     * the load failed with "Java heap space". From the jar the model is copied to a temporary file, which is deleted
     * once the session holds it; where no temporary file can be written (a read-only file system without a writable
     * temp directory) the stream is the fallback. (The build's copy beside the runner jar, {@link UnpackedModel},
     * spares the copy; this is for the executables and layouts without it.)
     *
     * @return where the model was read from
     */
    private static String loadPackaged(Model model, Map<String, Object> options)
            throws IOException, MalformedModelException {
        java.net.URL url = OnnxClassifier.class.getClassLoader().getResource(PACKAGED_MODEL);
        if (url == null) {
            throw new IOException(PACKAGED_MODEL + " is not on the classpath: build the function with ./mvnw package");
        }
        if ("file".equals(url.getProtocol())) {
            try {
                Path file = Path.of(url.toURI());
                model.load(file, null, options);
                return file.toString();
            } catch (java.net.URISyntaxException e) {
                throw new IOException("bad model location " + url, e);
            }
        }
        Path copy;
        try {
            copy = Files.createTempFile("elastic-inference-model", ".onnx");
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warnf("no temporary file for the model (%s): loading it through the Java heap", e.getMessage());
            try (InputStream in = resource(PACKAGED_MODEL)) {
                model.load(in, options);
            }
            return PACKAGED_MODEL + " in the application, through the heap";
        }
        try {
            try (InputStream in = resource(PACKAGED_MODEL)) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            model.load(copy, null, options);
            return PACKAGED_MODEL + " in the application, copied to a temporary file";
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = OnnxClassifier.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " is not on the classpath: build the function with ./mvnw package");
        }
        return in;
    }

    /**
     * A model that does not map [1,3,224,224] to [1,1000] is refused at load time, not on the first request. This
     * first inference is also the model's warm-up (EarlyModelLoad counts on it); its logits are kept for
     * {@link #loadCopy}.
     */
    private void checkShape() throws IOException {
        float[][] out = logits(List.of(OptimizedModel.warmUpInput()));
        if (out.length != 1 || out[0].length != CLASSES) {
            throw new IOException("the model must output [N," + CLASSES + "], got [" + out.length + ","
                    + (out.length > 0 ? out[0].length : 0) + "]");
        }
        warmUpLogits = out[0];
    }

    public ModelInfo info() {
        return info;
    }

    /** Where ONNX Runtime read the model from, for the log. */
    public String source() {
        return source;
    }

    /**
     * Softmax probabilities for a batch of CHW tensors (each float[3 x 224 x 224], normalised).
     */
    public float[][] probabilities(List<float[]> chwTensors) {
        float[][] logits = logits(chwTensors);
        float[][] result = new float[logits.length][];
        for (int i = 0; i < logits.length; i++) {
            result[i] = softmax(logits[i]);
        }
        return result;
    }

    /** The model's raw outputs for a batch of CHW tensors, one row per tensor. */
    public float[][] logits(List<float[]> chwTensors) {
        int n = chwTensors.size();
        int per = CHANNELS * SIZE * SIZE;
        PooledPredictor pooled = predictors.poll();
        if (pooled == null) {
            pooled = new PooledPredictor(model.newPredictor(new NoopTranslator()));
        }
        Predictor<NDList, NDList> predictor = pooled.predictor;
        FloatBuffer batch = pooled.input(n * per);
        for (float[] t : chwTensors) {
            if (t.length != per) {
                predictors.offer(pooled);
                throw new IllegalArgumentException("each tensor must hold 3x224x224 floats");
            }
            batch.put(t);
        }
        batch.flip();
        try (NDManager manager = model.getNDManager().newSubManager()) {
            NDArray input = manager.create(batch, new Shape(n, CHANNELS, SIZE, SIZE));
            NDList output = predictor.predict(new NDList(input));
            float[] logits = output.get(0).toFloatArray();
            int classes = logits.length / n;
            float[][] result = new float[n][];
            for (int i = 0; i < n; i++) {
                result[i] = Arrays.copyOfRange(logits, i * classes, (i + 1) * classes);
            }
            return result;
        } catch (TranslateException e) {
            throw new IllegalStateException("inference failed: " + e.getMessage(), e);
        } finally {
            predictors.offer(pooled);
        }
    }

    static float[] softmax(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        float[] p = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            double e = Math.exp(logits[i] - max);
            p[i] = (float) e;
            sum += e;
        }
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (p[i] / sum);
        }
        return p;
    }

    @Override
    public void close() {
        PooledPredictor p;
        while ((p = predictors.poll()) != null) {
            p.predictor.close();
        }
        model.close();
    }
}
