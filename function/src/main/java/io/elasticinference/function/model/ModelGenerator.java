package io.elasticinference.function.model;

import ai.onnxruntime.OrtException;
import io.elasticinference.function.image.DecodeMemory;
import io.elasticinference.function.image.ImageDecoder;
import io.elasticinference.function.image.ImageLimits;
import io.elasticinference.function.image.ImageRejectedException;
import io.elasticinference.function.image.TorchvisionPreprocessing;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes {@code resnet18.onnx} and {@code resnet18.json} at build time (run by the function's pom in
 * process-classes), so the service never downloads anything at run time. Weights, in order of preference:
 * <ol>
 * <li>a torchvision-layout safetensors file given with {@code --safetensors} (checked against {@code --sha256} when
 *     given);</li>
 * <li>with {@code --download URL}, that file fetched once into the user cache (a connected machine only; any failure
 *     falls back, loudly, to the next option);</li>
 * <li>seeded random weights ({@code --seed}).</li>
 * </ol>
 * With {@code --precision=int8} it writes {@link QuantizedResNet18} instead, its activation ranges calibrated on
 * {@code --calibration-count} photos of {@code --calibration-images} (spread over the directory's sorted listing);
 * the model is then named {@value #INT8_NAME}, so every response says which one answered.
 * Regenerates only when the inputs changed (a stamp file records them).
 */
public final class ModelGenerator {

    public static final String ONNX = "resnet18.onnx";
    public static final String INFO = "resnet18.json";
    private static final String STAMP = "resnet18.stamp";
    static final String INT8_NAME = "resnet18-int8";
    /** Build-time decoding limits for calibration photos: any ordinary photo passes, a bomb still fails. */
    private static final ImageLimits CALIBRATION_LIMITS = new ImageLimits(100_000_000L, 20_000);
    private static final Set<String> IMAGE_SUFFIXES = Set.of(".jpeg", ".jpg", ".png", ".gif", ".bmp", ".webp");

    /** What to write besides the weights: float as PyTorch computes, or int8 calibrated on photos. */
    public record Precision(boolean int8, Path calibrationImages, int calibrationCount) {
        public static final Precision FP32 = new Precision(false, null, 0);

        public Precision {
            if (int8 && (calibrationImages == null || calibrationCount < 1)) {
                throw new IllegalArgumentException("int8 needs a directory of calibration photos and a count >= 1");
            }
        }

        public static Precision int8(Path calibrationImages, int calibrationCount) {
            return new Precision(true, calibrationImages, calibrationCount);
        }

        static Precision parse(String precision, String images, String count) {
            return switch (precision) {
                case "", "fp32" -> FP32;
                case "int8" -> {
                    if (images.isEmpty()) {
                        throw new IllegalArgumentException("--precision=int8 needs --calibration-images=DIR");
                    }
                    yield int8(Path.of(images), Integer.parseInt(count));
                }
                default -> throw new IllegalArgumentException("--precision must be fp32 or int8, not " + precision);
            };
        }

        /** What the model depends on: the directory's modification time changes when photos come or go. */
        String stamp() throws IOException {
            if (!int8) {
                return "";
            }
            return " int8 calibration=" + calibrationImages.toAbsolutePath().normalize() + " count=" + calibrationCount
                    + (Files.isDirectory(calibrationImages)
                    ? " mtime=" + Files.getLastModifiedTime(calibrationImages) : "");
        }
    }

    private ModelGenerator() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (String arg : args) {
            if (arg == null) {
                continue;
            }
            int eq = arg.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("expected --key=value, got " + arg);
            }
            opts.put(arg.substring(0, eq), arg.substring(eq + 1).strip());
        }
        Path out = Path.of(require(opts, "--out"));
        long seed = Long.parseLong(opts.getOrDefault("--seed", "42"));
        String safetensors = opts.getOrDefault("--safetensors", "");
        String sha256 = opts.getOrDefault("--sha256", "").toLowerCase();
        String download = opts.getOrDefault("--download", "");
        Precision precision = Precision.parse(opts.getOrDefault("--precision", ""),
                opts.getOrDefault("--calibration-images", ""), opts.getOrDefault("--calibration-count", "100"));
        ModelInfo info = generate(out, seed, safetensors.isEmpty() ? null : Path.of(safetensors), sha256,
                download.isEmpty() ? null : URI.create(download), precision);
        System.out.println("[model] " + info.name() + ": " + info.weights() + ", sha256 " + info.sha256());
    }

    public static ModelInfo generate(Path out, long seed, Path safetensors, String sha256, URI download)
            throws IOException {
        return generate(out, seed, safetensors, sha256, download, Precision.FP32);
    }

    public static ModelInfo generate(Path out, long seed, Path safetensors, String sha256, URI download,
                                     Precision precision) throws IOException {
        Files.createDirectories(out);
        String stamp = "v1 seed=" + seed + " safetensors=" + safetensors + " sha256=" + sha256 + " download="
                + download + (safetensors != null && Files.exists(safetensors)
                ? " mtime=" + Files.getLastModifiedTime(safetensors) : "") + precision.stamp();
        Path stampFile = out.resolve(STAMP);
        if (Files.exists(out.resolve(ONNX)) && Files.exists(out.resolve(INFO)) && Files.exists(stampFile)
                && Files.readString(stampFile).equals(stamp)) {
            try (InputStream in = Files.newInputStream(out.resolve(INFO))) {
                return ModelInfo.read(in);
            }
        }

        Path weightsFile = safetensors;
        if (weightsFile == null && download != null) {
            weightsFile = tryDownload(download);
        }
        Map<String, float[]> weights;
        String description;
        boolean pretrained;
        if (weightsFile != null) {
            if (!sha256.isEmpty()) {
                String actual = sha256(Files.readAllBytes(weightsFile));
                if (!actual.equals(sha256)) {
                    throw new IOException("sha256 of " + weightsFile + " is " + actual + ", expected " + sha256);
                }
            }
            weights = SafetensorsFile.read(weightsFile, ResNet18.stateDictShapes());
            description = "safetensors " + weightsFile.getFileName();
            pretrained = true;
        } else {
            weights = SeededWeights.generate(seed);
            description = "seeded-random (seed " + seed + ")";
            pretrained = false;
            System.out.println("[model] WARNING: no weights file configured: using seeded random weights. "
                    + "Predictions will not be meaningful. See README, 'Model weights'.");
        }
        String producer = ModelGenerator.class.getPackage().getImplementationVersion() == null
                ? "dev" : ModelGenerator.class.getPackage().getImplementationVersion();
        byte[] onnx;
        String name;
        if (precision.int8()) {
            List<float[]> photos = calibrationTensors(precision.calibrationImages(), precision.calibrationCount());
            Map<String, ActivationRange> ranges;
            try {
                ranges = ActivationCalibration.calibrate(QuantizedResNet18.calibrationGraph(weights, producer), photos);
            } catch (OrtException e) {
                throw new IOException("calibration failed in ONNX Runtime: " + e.getMessage(), e);
            }
            onnx = QuantizedResNet18.int8Graph(weights, ranges, producer);
            name = INT8_NAME;
            Path dir = precision.calibrationImages().toAbsolutePath().normalize();
            // The last two names ("imagenet/sample") say which photos without the machine's own directories.
            String photosName = (dir.getParent() == null || dir.getParent().getFileName() == null ? ""
                    : dir.getParent().getFileName() + "/") + dir.getFileName();
            description += "; int8, activations calibrated on " + photos.size() + " photos of " + photosName;
            System.out.println("[model] int8: calibrated on " + photos.size() + " photos of "
                    + precision.calibrationImages());
        } else {
            onnx = ResNet18.toOnnx(weights, producer);
            name = "resnet18";
        }
        long parameters = 0;
        for (String parameter : ResNet18.parameterNames()) {
            parameters += weights.get(parameter).length;
        }
        ModelInfo info = new ModelInfo(name, description, pretrained, sha256(onnx), parameters);
        Files.write(out.resolve(ONNX), onnx);
        Files.write(out.resolve(INFO), info.toJson());
        Files.writeString(stampFile, stamp);
        return info;
    }

    /**
     * Preprocessed tensors of {@code count} photos spread evenly over the directory's sorted image files, so a
     * directory sorted by class gives photos of many classes.
     */
    static List<float[]> calibrationTensors(Path dir, int count) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("int8 calibration photos: " + dir.toAbsolutePath().normalize()
                    + " is not a directory (set -Dmodel.calibration-images=DIR)");
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(f -> IMAGE_SUFFIXES.stream().anyMatch(
                    suffix -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(suffix))).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException("int8 calibration photos: no image files (" + IMAGE_SUFFIXES + ") in " + dir);
        }
        int n = Math.min(count, files.size());
        ImageDecoder decoder = new ImageDecoder(CALIBRATION_LIMITS, DecodeMemory.unbounded());
        List<float[]> tensors = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Path file = files.get((int) ((long) i * files.size() / n));
            try {
                tensors.add(decoder.decode(Files.readAllBytes(file), TorchvisionPreprocessing::toTensor));
            } catch (ImageRejectedException e) {
                throw new IOException("int8 calibration photo " + file + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while decoding calibration photos", e);
            }
        }
        return tensors;
    }

    /** Fetches the weights once into the user cache; null (with a warning) when that is not possible. */
    static Path tryDownload(URI url) {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "elastic-inference",
                "resnet18-" + Integer.toHexString(url.toString().hashCode()) + ".safetensors");
        if (Files.exists(cache)) {
            return cache;
        }
        try {
            Files.createDirectories(cache.getParent());
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                    .followRedirects(HttpClient.Redirect.NORMAL).build();
            HttpResponse<Path> response = client.send(HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(5))
                    .build(), HttpResponse.BodyHandlers.ofFile(cache.resolveSibling(cache.getFileName() + ".part")));
            if (response.statusCode() != 200) {
                System.out.println("[model] WARNING: download of " + url + " answered " + response.statusCode());
                Files.deleteIfExists(response.body());
                return null;
            }
            Files.move(response.body(), cache, StandardCopyOption.REPLACE_EXISTING);
            return cache;
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.out.println("[model] WARNING: could not download " + url + " (" + e + "); falling back");
            return null;
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String require(Map<String, String> opts, String key) {
        String v = opts.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("missing " + key);
        }
        return v;
    }
}
