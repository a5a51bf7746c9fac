package io.elasticinference.loadtest.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code loadtest compare RUN...}: one side-by-side Markdown report of real or simulated runs, with plots of their
 * p99 and replicas over time.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare run directories (real or simulated) side by side: latency percentiles, share over the "
                + "objective, failures, replica-seconds, peak replicas, time to recover after a step.")
public final class CompareCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A step is a 10 s mean at least this much above the 10 s before it. */
    static final double STEP_RATIO = 1.5;
    static final int WINDOW = 10;

    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "Run directories written by run or simulate.")
    List<Path> runs;

    @Option(names = "--out", defaultValue = "compare", paramLabel = "DIR",
            description = "Where to write compare.md and its plots (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--title", defaultValue = "Run comparison", description = "Report title.")
    String title;

    /** One run as the report needs it. */
    record Run(String name, String kind, String autoscaler, String workload, JsonNode summary, Timeline timeline) {
    }

    /** The columns of timeline.csv the report uses. */
    record Timeline(double[] second, double[] scheduled, double[] p99, double[] ready) {
    }

    @Override
    public Integer call() throws IOException {
        List<Run> loaded = new ArrayList<>();
        for (Path dir : runs) {
            try {
                loaded.add(load(dir));
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("loadtest compare: " + dir + ": " + e.getMessage());
                return 2;
            }
        }
        Files.createDirectories(out);
        String md = report(loaded);
        Files.writeString(out.resolve("compare.md"), md);
        plots(loaded);
        System.out.print(md);
        System.out.println("wrote " + out.resolve("compare.md").toAbsolutePath());
        return 0;
    }

    static Run load(Path dir) throws IOException {
        if (!Files.isRegularFile(dir.resolve("summary.json")) || !Files.isRegularFile(dir.resolve("run.json"))) {
            throw new IllegalArgumentException("not a run directory (no run.json / summary.json)");
        }
        JsonNode info = JSON.readTree(dir.resolve("run.json").toFile());
        JsonNode summary = JSON.readTree(dir.resolve("summary.json").toFile());
        return new Run(info.path("name").asText(dir.getFileName().toString()), info.path("kind").asText(),
                info.path("autoscaler").asText(), info.path("workload").asText(), summary,
                readTimeline(dir.resolve("timeline.csv")));
    }

    static Timeline readTimeline(Path file) throws IOException {
        List<double[]> rows = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file)) {
            String[] header = r.readLine().split(",", -1);
            int second = column(header, "second");
            int scheduled = column(header, "scheduled");
            int p99 = column(header, "p99_s");
            int ready = column(header, "ready");
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.split(",", -1);
                rows.add(new double[]{num(f[second]), num(f[scheduled]), num(f[p99]), num(f[ready])});
            }
        }
        int n = rows.size();
        double[][] cols = new double[4][n];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 4; c++) {
                cols[c][i] = rows.get(i)[c];
            }
        }
        return new Timeline(cols[0], cols[1], cols[2], cols[3]);
    }

    private static int column(String[] header, String name) {
        for (int i = 0; i < header.length; i++) {
            if (header[i].equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("timeline.csv has no column " + name);
    }

    private static double num(String s) {
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }

    static String report(List<Run> runs) {
        StringBuilder b = new StringBuilder();
        b.append("| run | kind | autoscaler | requests | p50 | p95 | p99 | over SLO | failed | timeouts "
                + "| replica-seconds | peak replicas | recovery after step |\n");
        b.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Run r : runs) {
            JsonNode s = r.summary();
            long requests = s.has("scheduled") ? s.path("scheduled").asLong() : s.path("sent").asLong();
            long failed = 0;
            for (JsonNode v : s.path("errors")) {
                failed += v.asLong();
            }
            b.append("| ").append(r.name()).append(" | ").append(r.kind()).append(" | ").append(r.autoscaler())
                    .append(" | ").append(requests)
                    .append(" | ").append(ms(s.path("p50_s"))).append(" | ").append(ms(s.path("p95_s")))
                    .append(" | ").append(ms(s.path("p99_s")))
                    .append(" | ").append(String.format(Locale.ROOT, "%.2f%%", s.path("over_slo_share").asDouble() * 100))
                    .append(" | ").append(failed).append(" | ").append(s.path("timeouts").asLong())
                    .append(" | ").append(s.path("replica_seconds").isNumber()
                            ? String.format(Locale.ROOT, "%.0f", s.path("replica_seconds").asDouble()) : "-")
                    .append(" | ").append(s.path("peak_replicas").isNumber() ? s.path("peak_replicas").asText() : "-")
                    .append(" | ").append(recovery(r.timeline(), s.path("slo_s").asDouble(0.33))).append(" |\n");
        }
        b.append("\nOver SLO counts failed requests too. Recovery: seconds from the largest step in load (a 10 s mean ")
                .append(">= 1.5x the 10 s before) until the per-second p99 stays within the objective for 10 s.\n\n")
                .append("![p99 over time](p99.png)\n\n![ready replicas over time](replicas.png)\n");
        return b.toString();
    }

    /** Seconds from the biggest step in load until p99 holds the objective for WINDOW seconds; "-" with no step. */
    static String recovery(Timeline t, double sloS) {
        int n = t.second().length;
        int step = -1;
        double best = STEP_RATIO;
        for (int s = WINDOW; s + WINDOW <= n; s++) {
            double before = 0;
            double after = 0;
            for (int k = 0; k < WINDOW; k++) {
                before += t.scheduled()[s - WINDOW + k];
                after += t.scheduled()[s + k];
            }
            if (before > 0 && after / before >= best) {
                best = after / before;
                step = s;
            }
        }
        if (step < 0) {
            return "-";
        }
        int good = 0;
        for (int s = step; s < n; s++) {
            double p = t.p99()[s];
            if (Double.isNaN(p)) {
                continue;
            }
            good = p <= sloS ? good + 1 : 0;
            if (good == WINDOW) {
                return (s - WINDOW + 1 - step) + " s";
            }
        }
        return "never";
    }

    private void plots(List<Run> runs) throws IOException {
        XYChart p99 = RunPlots.chart(title + ": p99 per second", "p99 (s)");
        XYChart ready = RunPlots.chart(title + ": ready replicas", "pods");
        boolean anyReady = false;
        for (Run r : runs) {
            Timeline t = r.timeline();
            addFinite(p99, r.name(), t.second(), t.p99());
            if (addFinite(ready, r.name(), t.second(), t.ready())) {
                anyReady = true;
            }
        }
        BitmapEncoder.saveBitmap(p99, out.resolve("p99.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        if (anyReady) {
            BitmapEncoder.saveBitmap(ready, out.resolve("replicas.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        }
    }

    private static boolean addFinite(XYChart c, String name, double[] x, double[] y) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            if (!Double.isNaN(y[i]) && y[i] >= 0) {
                xs.add(x[i]);
                ys.add(y[i]);
            }
        }
        if (xs.isEmpty()) {
            return false;
        }
        c.addSeries(name, xs, ys).setMarker(SeriesMarkers.NONE);
        return true;
    }

    private static String ms(JsonNode seconds) {
        return seconds.isNumber() ? String.format(Locale.ROOT, "%.1f ms", seconds.asDouble() * 1000) : "-";
    }
}
