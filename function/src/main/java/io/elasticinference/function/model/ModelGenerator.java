package io.elasticinference.function.model;

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
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

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
 * Regenerates only when the inputs changed (a stamp file records them).
 */
public final class ModelGenerator {

    public static final String ONNX = "resnet18.onnx";
    public static final String INFO = "resnet18.json";
    private static final String STAMP = "resnet18.stamp";

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
        ModelInfo info = generate(out, seed, safetensors.isEmpty() ? null : Path.of(safetensors), sha256,
                download.isEmpty() ? null : URI.create(download));
        System.out.println("[model] " + info.name() + ": " + info.weights() + ", sha256 " + info.sha256());
    }

    public static ModelInfo generate(Path out, long seed, Path safetensors, String sha256, URI download)
            throws IOException {
        Files.createDirectories(out);
        String stamp = "v1 seed=" + seed + " safetensors=" + safetensors + " sha256=" + sha256 + " download="
                + download + (safetensors != null && Files.exists(safetensors)
                ? " mtime=" + Files.getLastModifiedTime(safetensors) : "");
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
        byte[] onnx = ResNet18.toOnnx(weights, ModelGenerator.class.getPackage().getImplementationVersion() == null
                ? "dev" : ModelGenerator.class.getPackage().getImplementationVersion());
        long parameters = 0;
        for (String name : ResNet18.parameterNames()) {
            parameters += weights.get(name).length;
        }
        ModelInfo info = new ModelInfo("resnet18", description, pretrained, sha256(onnx), parameters);
        Files.write(out.resolve(ONNX), onnx);
        Files.write(out.resolve(INFO), info.toJson());
        Files.writeString(stampFile, stamp);
        return info;
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
