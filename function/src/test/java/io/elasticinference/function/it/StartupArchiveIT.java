package io.elasticinference.function.it;

import io.elasticinference.function.model.OptimizedModel;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The class-data-sharing archive the build records (the pom's training run) as the README's quick start uses it:
 * started with the quick start's own JVM options plus {@code -Xshare:on}, which refuses to run rather than ignore an
 * archive that does not fit, the function must answer a prediction with the classes of that request (the REST
 * resource, the image decoder, the JDK's JPEG reader, the inference lane) mapped from the archive, not parsed from
 * the jars. Quarkus' own AppCDS archive, recorded before the first request, had none of the last three and about half
 * of all the classes a first prediction loads. And ONNX Runtime's library is mapped from the directory the build
 * unpacked it to, not inflated out of its jar into /tmp at every start (Linux x64/aarch64 builds).
 */
class StartupArchiveIT {

    private static final Path APP = Path.of("target");
    private static final String JAR = "function-runner.jar";
    private static final Path README = Path.of("..", "README.md");
    private static final Path IMAGE = Path.of("src", "main", "resources", "warm-up.jpg");
    private static final List<String> REQUEST_PATH = List.of(
            "io.elasticinference.function.api.PredictResource",
            "io.elasticinference.function.image.ImageDecoder",
            "io.elasticinference.function.inference.InferenceLane",
            "com.sun.imageio.plugins.jpeg.JPEGImageReader");
    /** Measured 0.80 with the trained archive and 0.54 with Quarkus' own. */
    private static final double MIN_SHARED_FRACTION = 0.7;

    @Test
    void theQuickStartServesItsFirstPredictionFromTheArchive() throws Exception {
        assertTrue(Files.size(APP.resolve("app-cds.jsa")) > 0, "the build recorded no app-cds.jsa");
        int port = FirstPrediction.freePort();
        Path log = Files.createTempFile("function-cds", ".log");
        Path classes = Files.createTempFile("class-load", ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xshare:on");
        command.addAll(quickStartJvmOptions());
        command.add("-Xlog:class+load=info:file=" + classes.toAbsolutePath());
        command.addAll(List.of("-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1", "-jar", JAR));
        Process function = new ProcessBuilder(command).directory(APP.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            HttpResponse<String> answer = FirstPrediction.await(function, port, IMAGE, log,
                    "the function refused its archive: ");
            assertTrue(answer.body().contains("\"predictions\""), answer.body());
            String maps = Files.readString(Path.of("/proc", Long.toString(function.pid()), "maps"));
            assertTrue(maps.contains("/native/onnxruntime/linux-"),
                    "ONNX Runtime was not loaded from the libraries the build unpacked beside the application");
            // Built and started on the same machine: the copy made for this CPU's vector width.
            String optimizedModel = APP.toAbsolutePath().resolve("model").resolve(OptimizedModel.Kind.CPU.onnx())
                    .toString();
            assertTrue(Files.readString(log).contains("loaded from " + optimizedModel + " (ONNX Runtime's build-time"),
                    "the model was not read from the build's optimised copy beside the application: "
                            + Files.readString(log));
        } finally {
            function.destroy();
            function.waitFor(20, TimeUnit.SECONDS);
        }

        Map<String, String> sources = Files.readAllLines(classes).stream()
                .map(StartupArchiveIT::classAndSource).filter(a -> a != null)
                .collect(Collectors.toMap(a -> a[0], a -> a[1], (first, again) -> first));
        for (String name : REQUEST_PATH) {
            assertTrue(sources.containsKey(name), name + " was never loaded");
            assertTrue(sources.get(name).startsWith("shared objects file"),
                    name + " was not in the archive: loaded from " + sources.get(name));
        }
        long shared = sources.values().stream().filter(s -> s.startsWith("shared objects file")).count();
        double fraction = (double) shared / sources.size();
        assertTrue(fraction >= MIN_SHARED_FRACTION, String.format("only %d of %d classes (%.2f) came from the archive;"
                + " most loaded from: %s", shared, sources.size(), fraction, topSources(sources)));
    }

    /** "[...][info][class,load] NAME source: SOURCE" -> {NAME, SOURCE}. */
    private static String[] classAndSource(String line) {
        Matcher m = Pattern.compile("\\[class,load\\s*] (\\S+) source: (.*)$").matcher(line);
        return m.find() ? new String[]{m.group(1), m.group(2)} : null;
    }

    private static String topSources(Map<String, String> sources) {
        return sources.values().stream().filter(s -> !s.startsWith("shared objects file"))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting())).entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(5)
                .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    }

    /**
     * The JVM options of the README's quick start (between {@code java} and {@code -jar function-runner.jar}), so the
     * test runs what a new user runs.
     */
    private static List<String> quickStartJvmOptions() throws IOException {
        Matcher line = Pattern.compile("(?m)&& java ((?:-\\S+ )+)-jar function-runner\\.jar").matcher(Files.readString(README));
        assertTrue(line.find(), "no 'java ... -jar function-runner.jar' quick start in " + README);
        List<String> options = Arrays.asList(line.group(1).trim().split("\\s+"));
        assertTrue(options.contains("-XX:SharedArchiveFile=app-cds.jsa"),
                "the quick start does not use the archive: " + options);
        assertEquals(options.size(), options.stream().filter(o -> o.startsWith("-")).count(), options.toString());
        return options;
    }
}
