package io.elasticinference.function.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JVM image's AOT cache, recorded the way Dockerfile.jvm records it (its training run's mode and JVM options,
 * the trainer run from the runner jar by the JDK 25 of this machine): the training must leave a cache, and the
 * function must start with it and the image's own JVM options under {@code -XX:AOTMode=on}, which refuses to run
 * rather than silently ignore a cache that does not fit.
 */
class AotCacheIT {

    private static final Path APP = Path.of("target");
    private static final String JAR = "function-runner.jar";
    private static final Path IMAGE = Path.of("src", "main", "resources", "warm-up.jpg");
    private static final Path DOCKERFILE = Path.of("..", "Dockerfile.jvm");

    @Test
    void theTrainingScriptRecordsACacheTheFunctionStartsWith() throws Exception {
        Path java = jdk25().orElse(null);
        if (java == null) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("no JDK 25 under /usr/lib/jvm (set JDK25 to its java)");
            }
            Assumptions.abort("no JDK 25 under /usr/lib/jvm: set JDK25 to a JDK 25 java to run this test");
        }
        Path cache = Files.createTempDirectory("aot").resolve("app.aot");
        Path trainLog = Files.createTempFile("train", ".log");
        List<String> training = new ArrayList<>(List.of(java.toString(), "-cp", APP.resolve(JAR).toString(),
                "io.elasticinference.function.startup.StartupArchiveTraining", "--app-dir=" + APP,
                "--archive=" + cache, "--image=" + IMAGE, "--requests=3", "--log=" + trainLog));
        training.addAll(imageTrainingOptions());
        Process train = new ProcessBuilder(training).redirectErrorStream(true).redirectOutput(trainLog.toFile())
                .start();
        train.getOutputStream().close();
        assertTrue(train.waitFor(180, TimeUnit.SECONDS), "training did not finish: " + Files.readString(trainLog));
        assertEquals(0, train.exitValue(), Files.readString(trainLog));
        assertTrue(Files.size(cache) > 0, "no cache written");

        int port = FirstPrediction.freePort();
        Path log = Files.createTempFile("function-aot", ".log");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-XX:AOTMode=on"));
        for (String option : imageJvmOptions()) {
            command.add(option.startsWith("-XX:AOTCache=") ? "-XX:AOTCache=" + cache.toAbsolutePath() : option);
        }
        // Later -D options win: the test listens on loopback only, on a free port.
        command.addAll(List.of("-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1", "-jar", JAR));
        Process function = new ProcessBuilder(command)
                .directory(APP.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpResponse<String> answer = FirstPrediction.await(function, port, IMAGE, log,
                    "the function refused its AOT cache: ");
            assertTrue(answer.body().contains("\"predictions\""), answer.body());
            assertFalse(Files.readString(log).contains("restricted method"),
                    "JDK 25 warned about ONNX Runtime's System.load: " + Files.readString(log));
        } finally {
            function.destroy();
            function.waitFor(20, TimeUnit.SECONDS);
        }
    }

    /**
     * The JVM options of Dockerfile.jvm's ENTRYPOINT (between {@code java} and {@code -jar}), so the test runs what
     * the image runs: an option that does not fit the cache or the JDK fails here.
     */
    private static List<String> imageJvmOptions() throws IOException {
        Matcher entrypoint = Pattern.compile("(?m)^ENTRYPOINT \\[(.*)]$").matcher(dockerfileLines());
        assertTrue(entrypoint.find(), "no ENTRYPOINT [...] in " + DOCKERFILE);
        List<String> words = groups(Pattern.compile("\"([^\"]*)\""), entrypoint.group(1));
        assertEquals("java", words.get(0), "the image's entrypoint must run java: " + words);
        int jar = words.indexOf("-jar");
        assertTrue(jar > 0, "the image's entrypoint must run -jar function-runner.jar: " + words);
        return words.subList(1, jar);
    }

    /**
     * The training options of Dockerfile.jvm's StartupArchiveTraining run other than its paths: its mode and JVM
     * options, so a cache recorded here fits what the image records.
     */
    private static List<String> imageTrainingOptions() throws IOException {
        Matcher run = Pattern.compile("(?m)^RUN .*StartupArchiveTraining(.*)$").matcher(dockerfileLines());
        assertTrue(run.find(), "no StartupArchiveTraining run in " + DOCKERFILE);
        List<String> options = groups(Pattern.compile("(--(?:mode|jvm-options)=\\S+)"), run.group(1));
        assertTrue(options.contains("--mode=aot"), "the image must record an AOT cache: " + run.group(1));
        return options;
    }

    /** Dockerfile.jvm with its continued lines joined, one instruction per line. */
    private static String dockerfileLines() throws IOException {
        return Files.readString(DOCKERFILE).replace("\\\n", " ");
    }

    /** Group 1 of every match of {@code pattern} in {@code text}. */
    private static List<String> groups(Pattern pattern, String text) {
        List<String> found = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    private static Optional<Path> jdk25() throws IOException {
        String configured = System.getenv("JDK25");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured));
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(jvms)) {
            List<Path> found = dirs.filter(d -> d.getFileName().toString().matches(".*-25([.-].*)?"))
                    .map(d -> d.resolve("bin").resolve("java")).filter(Files::isExecutable)
                    .sorted(Comparator.reverseOrder()).toList();
            return found.stream().findFirst();
        }
    }
}
