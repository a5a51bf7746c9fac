import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where one request at a time spends its time: sends one image every {@code intervalMs}, waiting for each answer, and
 * splits the client's latency with the {@code timings} the function puts in every response (decode, queue, model
 * run, server total; the rest is HTTP, JSON and the client). The load tester reports only the client's side; this
 * tells a tail in the model run from one in decoding or on the wire.
 *
 * <p>Run against a started function, with the source launcher (no build needed):
 * {@code java function/bench/OneAtATimeBreakdown.java http://127.0.0.1:8080/predict 650 IMAGE_OR_DIR [intervalMs=100]}.
 * The first fifth of the requests (at most 50) warm up and are not reported.
 */
public class OneAtATimeBreakdown {

    private static final Pattern TIMING = Pattern.compile("\"(queue|decode|inference|total)_ms\":([0-9.]+)");
    private static final String[] COLUMNS = {"client", "queue", "decode", "model run", "server total", "outside"};

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: OneAtATimeBreakdown URL REQUESTS IMAGE_OR_DIR [intervalMs=100]");
            System.exit(2);
        }
        URI target = URI.create(args[0]);
        int requests = Integer.parseInt(args[1]);
        List<byte[]> images = images(Path.of(args[2]));
        long intervalNanos = (args.length > 3 ? Long.parseLong(args[3]) : 100) * 1_000_000L;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        double[][] ms = new double[requests][COLUMNS.length];
        long start = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            long due = start + i * intervalNanos;
            for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
                Thread.sleep((due - now) / 1_000_000, (int) ((due - now) % 1_000_000));
            }
            long sent = System.nanoTime();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(target)
                    .header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(images.get(i % images.size()))).build(),
                    HttpResponse.BodyHandlers.ofString());
            ms[i][0] = (System.nanoTime() - sent) / 1e6;
            if (response.statusCode() != 200) {
                throw new IllegalStateException("request " + i + " got " + response.statusCode() + ": "
                        + response.body());
            }
            Matcher m = TIMING.matcher(response.body());
            while (m.find()) {
                int column = switch (m.group(1)) {
                    case "queue" -> 1;
                    case "decode" -> 2;
                    case "inference" -> 3;
                    default -> 4;
                };
                ms[i][column] = Double.parseDouble(m.group(2));
            }
            ms[i][5] = ms[i][0] - ms[i][4];
        }

        double[][] reported = Arrays.copyOfRange(ms, Math.min(50, requests / 5), requests);
        System.out.printf("%d requests reported, one every %d ms, %d image(s)%n", reported.length,
                intervalNanos / 1_000_000, images.size());
        System.out.println("| ms | p50 | p90 | p99 | max |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (int c = 0; c < COLUMNS.length; c++) {
            int column = c;
            double[] sorted = Arrays.stream(reported).mapToDouble(row -> row[column]).sorted().toArray();
            System.out.printf("| %s | %.1f | %.1f | %.1f | %.1f |%n", COLUMNS[c], at(sorted, 50), at(sorted, 90),
                    at(sorted, 99), sorted[sorted.length - 1]);
        }
    }

    private static double at(double[] sorted, int percentile) {
        return sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)];
    }

    private static List<byte[]> images(Path path) throws IOException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> listing = Files.list(path)) {
                listing.filter(p -> p.getFileName().toString().matches("(?i).*\\.(jpe?g|png)")).sorted()
                        .forEach(files::add);
            }
        } else {
            files.add(path);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no JPEG or PNG image at " + path);
        }
        List<byte[]> bodies = new ArrayList<>();
        for (Path file : files) {
            bodies.add(Files.readAllBytes(file));
        }
        return bodies;
    }
}
