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

import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * An ImageNet classifier run by DJL's ONNX Runtime engine. Safe for concurrent callers: ONNX Runtime sessions are
 * thread-safe, and DJL predictors (which are not) are pooled, one per concurrent caller.
 */
public final class OnnxClassifier implements AutoCloseable {

    public static final String PACKAGED_MODEL = "model/" + ModelGenerator.ONNX;
    public static final String PACKAGED_INFO = "model/" + ModelGenerator.INFO;
    private static final int CHANNELS = 3;
    private static final int SIZE = 224;
    private static final int CLASSES = 1000;

    static {
        // The model ships inside the application; DJL must never try to fetch engines or models.
        System.setProperty("ai.djl.offline", "true");
    }

    private final Model model;
    private final ModelInfo info;
    private final ConcurrentLinkedQueue<Predictor<NDList, NDList>> predictors = new ConcurrentLinkedQueue<>();

    private OnnxClassifier(Model model, ModelInfo info) {
        this.model = model;
        this.info = info;
    }

    public static OnnxClassifier load(InferenceSettings settings) throws IOException {
        Model model = Model.newInstance("classifier", "OnnxRuntime");
        Map<String, Object> options;
        try {
            options = Map.of("sessionOptions", sessionOptions(settings));
        } catch (OrtException e) {
            model.close();
            throw new IOException("cannot configure ONNX Runtime: " + e.getMessage(), e);
        }
        try {
            ModelInfo info;
            if (settings.modelPath() == null) {
                try (InputStream in = resource(PACKAGED_MODEL)) {
                    model.load(in, options);
                }
                try (InputStream in = resource(PACKAGED_INFO)) {
                    info = ModelInfo.read(in);
                }
            } else {
                String sha;
                try (DigestInputStream in = new DigestInputStream(Files.newInputStream(settings.modelPath()),
                        MessageDigest.getInstance("SHA-256"))) {
                    model.load(in, options);
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                    sha = HexFormat.of().formatHex(in.getMessageDigest().digest());
                }
                info = new ModelInfo(settings.modelPath().getFileName().toString(),
                        "user-supplied ONNX file " + settings.modelPath().getFileName(), true, sha, -1);
            }
            OnnxClassifier classifier = new OnnxClassifier(model, info);
            classifier.checkShape();
            return classifier;
        } catch (MalformedModelException | NoSuchAlgorithmException | RuntimeException e) {
            model.close();
            throw new IOException("cannot load the ONNX model: " + e.getMessage(), e);
        } catch (IOException e) {
            model.close();
            throw e;
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
        }
        return options;
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = OnnxClassifier.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " is not on the classpath: build the function with ./mvnw package");
        }
        return in;
    }

    /** A model that does not map [1,3,224,224] to [1,1000] is refused at load time, not on the first request. */
    private void checkShape() throws IOException {
        float[][] out = probabilities(List.of(new float[CHANNELS * SIZE * SIZE]));
        if (out.length != 1 || out[0].length != CLASSES) {
            throw new IOException("the model must output [N," + CLASSES + "], got [" + out.length + ","
                    + (out.length > 0 ? out[0].length : 0) + "]");
        }
    }

    public ModelInfo info() {
        return info;
    }

    /**
     * Softmax probabilities for a batch of CHW tensors (each float[3 x 224 x 224], normalised).
     */
    public float[][] probabilities(List<float[]> chwTensors) {
        int n = chwTensors.size();
        int per = CHANNELS * SIZE * SIZE;
        FloatBuffer batch = FloatBuffer.allocate(n * per);
        for (float[] t : chwTensors) {
            if (t.length != per) {
                throw new IllegalArgumentException("each tensor must hold 3x224x224 floats");
            }
            batch.put(t);
        }
        batch.flip();
        Predictor<NDList, NDList> predictor = predictors.poll();
        if (predictor == null) {
            predictor = model.newPredictor(new NoopTranslator());
        }
        try (NDManager manager = model.getNDManager().newSubManager()) {
            NDArray input = manager.create(batch, new Shape(n, CHANNELS, SIZE, SIZE));
            NDList output = predictor.predict(new NDList(input));
            float[] logits = output.get(0).toFloatArray();
            int classes = logits.length / n;
            float[][] result = new float[n][];
            for (int i = 0; i < n; i++) {
                result[i] = softmax(logits, i * classes, classes);
            }
            return result;
        } catch (TranslateException e) {
            throw new IllegalStateException("inference failed: " + e.getMessage(), e);
        } finally {
            predictors.offer(predictor);
        }
    }

    static float[] softmax(float[] logits, int offset, int length) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < length; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        float[] p = new float[length];
        for (int i = 0; i < length; i++) {
            double e = Math.exp(logits[offset + i] - max);
            p[i] = (float) e;
            sum += e;
        }
        for (int i = 0; i < length; i++) {
            p[i] = (float) (p[i] / sum);
        }
        return p;
    }

    @Override
    public void close() {
        Predictor<NDList, NDList> p;
        while ((p = predictors.poll()) != null) {
            p.close();
        }
        model.close();
    }
}
