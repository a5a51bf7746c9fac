package io.elasticinference.function.startup;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Records the archive that makes the packaged function start sooner: a training run of the runner jar that
 * serves real requests (raw and multipart uploads, a bad image, health, metrics, the upload page) and then stops
 * on SIGTERM, at which point the JVM writes what it loaded.
 * <ul>
 * <li>{@code --mode=appcds} (the build's default, any JDK 17+): a dynamic class-data-sharing archive
 *     ({@code -XX:ArchiveClassesAtExit}), used with {@code -XX:SharedArchiveFile}. Quarkus' own AppCDS step stops
 *     the application before its first request, so half of the classes a first prediction needs (Vert.x, Jackson,
 *     ImageIO, the request path) were still parsed from the jars at every start.</li>
 * <li>{@code --mode=aot} (JDK 25+): an AOT cache ({@code -XX:AOTCacheOutput}), used with {@code -XX:AOTCache};
 *     {@code Dockerfile.jvm} records one inside its image.</li>
 * </ul>
 * Either only fits the JDK that recorded it and the class path {@code function-runner.jar} as started from its
 * directory, so the run starts there the way the README's quick start does. Runs on the JDK alone (no other class
 * is needed on its class path), so an image's JRE can run it from the runner jar.
 */
public final class StartupArchiveTraining {

    /** How training reaches the function; the port is chosen free at start. */
    private static final String HOST = "127.0.0.1";
    private static final Duration READY_WITHIN = Duration.ofSeconds(180);
    private static final Duration EXIT_WITHIN = Duration.ofSeconds(120);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final long POLL_MS = 100;
    static final String DEFAULT_JAR = "function-runner.jar";

    private StartupArchiveTraining() {
    }

    /** What one training run needs; see {@link #usage()}. */
    record Settings(Path appDir, String jar, Path archive, Path image, String mode, int requests,
                    List<String> jvmOptions, Path java, Path log) {
    }

    public static void main(String[] args) {
        try {
            Settings settings = parse(args);
            Path written = train(settings);
            System.out.printf("[startup-archive] %s written: %s (%d MB)%n", settings.mode(), written,
                    Files.size(written) >> 20);
        } catch (IllegalArgumentException e) {
            System.err.println("[startup-archive] " + e.getMessage() + "\n" + usage());
            System.exit(2);
        } catch (TrainingFailed | IOException e) {
            System.err.println("[startup-archive] " + e.getMessage() + "\n[startup-archive] the archive only makes"
                    + " starts faster: the Maven build skips this step with -Dappcds.skip=true");
            System.exit(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(1);
        }
    }

    static String usage() {
        return "usage: StartupArchiveTraining --app-dir=DIR --image=JPEG [--jar=NAME] [--archive=FILE]"
                + " [--mode=appcds|aot] [--requests=N] [--jvm-options=\"-Xa -Xb\"] [--java=PATH] [--log=FILE]\n"
                + "  --jar in DIR, default " + DEFAULT_JAR + "; --archive defaults to DIR/app-cds.jsa (appcds) or"
                + " DIR/app.aot (aot); --requests of each kind, default 10; --java defaults to the JDK running this";
    }

    static Settings parse(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("expected --key=value, got " + arg);
            }
            opts.put(arg.substring(0, eq), arg.substring(eq + 1).strip());
        }
        String mode = opts.getOrDefault("--mode", "appcds");
        if (!mode.equals("appcds") && !mode.equals("aot")) {
            throw new IllegalArgumentException("--mode must be appcds or aot, got " + mode);
        }
        Path appDir = Path.of(required(opts, "--app-dir")).toAbsolutePath();
        String jar = opts.getOrDefault("--jar", DEFAULT_JAR);
        if (!Files.isRegularFile(appDir.resolve(jar))) {
            throw new IllegalArgumentException(appDir + " holds no " + jar + ": package the function first");
        }
        Path image = Path.of(required(opts, "--image")).toAbsolutePath();
        if (!Files.isRegularFile(image)) {
            throw new IllegalArgumentException("no such image: " + image);
        }
        String archive = opts.getOrDefault("--archive", "");
        Path archivePath = archive.isEmpty()
                ? appDir.resolve(mode.equals("aot") ? "app.aot" : "app-cds.jsa")
                : Path.of(archive).toAbsolutePath();
        int requests;
        try {
            requests = Integer.parseInt(opts.getOrDefault("--requests", "10"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--requests must be a number");
        }
        if (requests < 1) {
            throw new IllegalArgumentException("--requests must be at least 1");
        }
        String jvmOptions = opts.getOrDefault("--jvm-options", "");
        List<String> options = jvmOptions.isBlank() ? List.of() : Arrays.asList(jvmOptions.strip().split("\\s+"));
        String java = opts.getOrDefault("--java", "");
        Path javaPath = java.isEmpty() ? Path.of(System.getProperty("java.home"), "bin", "java") : Path.of(java);
        String log = opts.getOrDefault("--log", "");
        Path logPath = log.isEmpty() ? appDir.resolve("startup-archive-training.log") : Path.of(log).toAbsolutePath();
        return new Settings(appDir, jar, archivePath, image, mode, requests, options, javaPath, logPath);
    }

    private static String required(Map<String, String> opts, String key) {
        String v = opts.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException(key + " is required");
        }
        return v;
    }

    /** The training run's command line: the recording option first, then the caller's, then the port. */
    static List<String> command(Settings s, int port) {
        List<String> cmd = new ArrayList<>();
        cmd.add(s.java().toString());
        cmd.add(s.mode().equals("aot") ? "-XX:AOTCacheOutput=" + s.archive() : "-XX:ArchiveClassesAtExit=" + s.archive());
        cmd.addAll(s.jvmOptions());
        cmd.add("-Dquarkus.http.host=" + HOST);
        cmd.add("-Dquarkus.http.port=" + port);
        cmd.add("-jar");
        cmd.add(s.jar());
        return cmd;
    }

    static Path train(Settings s) throws IOException, InterruptedException, TrainingFailed {
        Files.deleteIfExists(s.archive());
        Files.createDirectories(s.archive().toAbsolutePath().getParent());
        int port = freePort();
        Process process = new ProcessBuilder(command(s, port)).directory(s.appDir().toFile())
                .redirectErrorStream(true).redirectOutput(s.log().toFile()).start();
        try {
            String base = "http://" + HOST + ":" + port;
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            awaitReady(http, base, process, s.log());
            exercise(http, base, s);
            // SIGTERM: the function drains, the JVM exits and writes the archive on the way out.
            process.destroy();
            if (!process.waitFor(EXIT_WITHIN.toSeconds(), TimeUnit.SECONDS)) {
                throw new TrainingFailed("the function did not exit within " + EXIT_WITHIN.toSeconds()
                        + " s of SIGTERM; log: " + s.log());
            }
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (!Files.isRegularFile(s.archive()) || Files.size(s.archive()) == 0) {
            throw new TrainingFailed("the JVM wrote no archive to " + s.archive() + " (exit code "
                    + process.exitValue() + "); log: " + s.log());
        }
        return s.archive();
    }

    private static void awaitReady(HttpClient http, String base, Process process, Path log)
            throws InterruptedException, TrainingFailed {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).timeout(REQUEST_TIMEOUT)
                .build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new TrainingFailed("the function exited (code " + process.exitValue()
                        + ") before it was ready; log: " + log);
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(POLL_MS);
        }
        throw new TrainingFailed("the function was not ready within " + READY_WITHIN.toSeconds() + " s; log: " + log);
    }

    /** Every kind of request a serving replica gets early in its life, so their classes are in the archive. */
    private static void exercise(HttpClient http, String base, Settings s)
            throws IOException, InterruptedException, TrainingFailed {
        byte[] jpeg = Files.readAllBytes(s.image());
        String boundary = "startup-archive-training";
        byte[] multipart = multipart(boundary, jpeg);
        for (int i = 0; i < s.requests(); i++) {
            expect(http, HttpRequest.newBuilder(URI.create(base + "/predict"))
                    .header("Content-Type", "image/jpeg").POST(HttpRequest.BodyPublishers.ofByteArray(jpeg)), 200);
            expect(http, HttpRequest.newBuilder(URI.create(base + "/predict?topk=3"))
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(multipart)), 200);
            expect(http, HttpRequest.newBuilder(URI.create(base + "/predict"))
                    .header("Content-Type", "image/jpeg").POST(HttpRequest.BodyPublishers.ofString("not an image")),
                    422);
        }
        expect(http, HttpRequest.newBuilder(URI.create(base + "/q/metrics")).GET(), 200);
        expect(http, HttpRequest.newBuilder(URI.create(base + "/q/health")).GET(), 200);
        expect(http, HttpRequest.newBuilder(URI.create(base + "/")).GET(), 200);
    }

    private static void expect(HttpClient http, HttpRequest.Builder request, int status)
            throws IOException, InterruptedException, TrainingFailed {
        HttpRequest built = request.timeout(REQUEST_TIMEOUT).build();
        HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != status) {
            throw new TrainingFailed(built.method() + " " + built.uri().getPath() + " answered "
                    + response.statusCode() + " instead of " + status + ": " + response.body());
        }
    }

    private static byte[] multipart(String boundary, byte[] jpeg) {
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"training.jpg\""
                + "\r\nContent-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[head.length + jpeg.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(jpeg, 0, body, head.length, jpeg.length);
        System.arraycopy(tail, 0, body, head.length + jpeg.length, tail.length);
        return body;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A training run that could not produce an archive; the message says why and where the log is. */
    static final class TrainingFailed extends Exception {
        TrainingFailed(String message) {
            super(message);
        }
    }
}
