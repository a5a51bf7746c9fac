package io.elasticinference.loadtest.run;

import io.elasticinference.loadtest.record.ClusterSample;
import io.elasticinference.loadtest.record.Outcome;
import io.elasticinference.loadtest.record.RequestRecord;
import io.elasticinference.loadtest.record.RunInfo;
import io.elasticinference.loadtest.report.RealRunReport;
import io.elasticinference.loadtest.workload.Traffic;
import io.elasticinference.loadtest.workload.TrafficOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code loadtest run}: replay a workload file against a URL, open loop, and write a run directory. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Replay a workload (one number per second = requests in that second) against a function, "
                + "open loop, and write per-request records, a per-second timeline, a summary and plots.")
public final class RunCommand implements Callable<Integer> {

    /** Send lag above which the client is said not to have kept the schedule. */
    static final double LAG_WARNING_S = 0.010;

    @Option(names = "--target", required = true, paramLabel = "URL",
            description = "Where to POST images, e.g. http://127.0.0.1:8080/predict or a Knative route.")
    URI target;

    @Mixin
    TrafficOptions traffic;

    @Option(names = "--images", paramLabel = "DIR",
            description = "Images sent round-robin (default: ../shared/imagenet/sample).")
    Path images;

    @Option(names = "--multipart", description = "Send multipart/form-data with a part 'file' instead of a raw body.")
    boolean multipart;

    @Option(names = "--max-in-flight", defaultValue = "2000",
            description = "Safety cap on outstanding requests; beyond it requests are not sent and count as client "
                    + "failures (default ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--pod-header", defaultValue = "X-Served-By",
            description = "Response header naming the serving pod (default ${DEFAULT-VALUE}).")
    String podHeader;

    @Option(names = "--prometheus", paramLabel = "URL",
            description = "Prometheus server to read ready replicas from once a second (with --replicas-query).")
    String prometheus;

    @Option(names = "--replicas-query", paramLabel = "PROMQL",
            description = "Instant query giving ready replicas, e.g. "
                    + "sum(kube_deployment_status_replicas_ready{deployment=~\"resnet-kpa-.*\"}).")
    String replicasQuery;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/run-TIMESTAMP).")
    Path out;

    @Option(names = "--name", description = "Run name in reports (default: the directory's name).")
    String name;

    @Option(names = "--no-plots", description = "Skip the PNG plots.")
    boolean noPlots;

    @Option(names = "--quiet", description = "No progress line and no summary on stdout.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        Traffic schedule;
        RequestBodies bodies;
        try {
            schedule = traffic.traffic();
            traffic.arrivalModel(); // an unknown arrival model is an argument error, reported like the others
            bodies = RequestBodies.fromDirectory(images != null ? images : defaultImages(), multipart);
            if (!"http".equals(target.getScheme()) && !"https".equals(target.getScheme())) {
                throw new IllegalArgumentException("--target must be an http(s) URL, got " + target);
            }
            if ((prometheus == null) != (replicasQuery == null)) {
                throw new IllegalArgumentException("--prometheus and --replicas-query go together");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("loadtest run: " + e.getMessage());
            return 2;
        }
        Path dir = out != null ? out : Path.of("runs", "run-" + LocalDateTime.now()
                .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Duration timeout = Duration.ofMillis((long) (traffic.timeoutS * 1000));
        Duration maxDuration = Duration.ofSeconds(schedule.seconds()).plus(timeout).plusSeconds(30);
        OpenLoopRunner runner = new OpenLoopRunner(new OpenLoopRunner.Settings(target, schedule.perSecond(),
                traffic.arrivalModel(), traffic.seed, bodies, timeout, maxInFlight, podHeader, maxDuration));
        ReplicaSource replicas = prometheus != null ? new ReplicaSource(prometheus, replicasQuery, runner::elapsedS)
                : null;

        boolean terminal = System.console() != null && !quiet;
        if (!quiet) {
            System.out.printf(Locale.ROOT, "loadtest: %d requests over %d s (peak %d/s) to %s, %s arrivals, %d images%n",
                    schedule.total(), schedule.seconds(), schedule.peak(), target, traffic.arrival, bodies.size());
        }
        // ctrl-c: stop sending, keep what was measured, write it.
        CountDownLatch written = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            runner.stop();
            try {
                written.await((long) traffic.timeoutS + 20, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        List<RequestRecord> records;
        ProgressLine progress = terminal ? new ProgressLine(runner, System.out) : null;
        try {
            if (replicas != null) {
                replicas.start();
            }
            if (progress != null) {
                progress.start();
            }
            records = runner.run();
        } finally {
            if (progress != null) {
                progress.close();
            }
            if (replicas != null) {
                replicas.close();
            }
        }
        try {
            List<ClusterSample> cluster = replicas != null ? replicas.samples() : new ArrayList<>();
            Map<String, String> params = new LinkedHashMap<>();
            params.put("target", target.toString());
            params.put("arrival", traffic.arrival);
            params.put("seed", Long.toString(traffic.seed));
            params.put("scale", Double.toString(traffic.scale));
            params.put("multipart", Boolean.toString(multipart));
            params.put("timeout_s", Double.toString(traffic.timeoutS));
            RunInfo info = new RunInfo(name != null ? name : dir.getFileName().toString(), "real", "unknown",
                    schedule.label(), traffic.sloS, params);
            Files.createDirectories(dir);
            Map<String, Object> summary = RealRunReport.write(dir, info, records, cluster, !noPlots);
            Object lag = summary.get("send_lag_p99_s");
            boolean keptUp = lag == null || ((Number) lag).doubleValue() <= LAG_WARNING_S;
            if (!quiet) {
                printSummary(summary, dir, records);
            }
            if (!keptUp) {
                System.err.printf(Locale.ROOT, "WARNING: the client could not keep the schedule: send lag p99 "
                        + "%.1f ms (> %.0f ms). Latencies are still measured from the actual send, but the offered "
                        + "load was lower than the workload's.%n", ((Number) lag).doubleValue() * 1000,
                        LAG_WARNING_S * 1000);
            }
            long notSent = records.stream().filter(r -> r.outcome() == Outcome.CONNECTION_ERROR
                    && r.detail().startsWith("not sent")).count();
            if (notSent > 0) {
                System.err.println("WARNING: " + notSent + " requests were not sent: the in-flight cap ("
                        + maxInFlight + ") was reached.");
            }
        } finally {
            written.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down: the hook is running and waits for the latch released above
            }
        }
        return 0;
    }

    private static void printSummary(Map<String, Object> s, Path dir, List<RequestRecord> records) {
        System.out.printf(Locale.ROOT, "sent %s  ok %s  errors %s  timeouts %s%n", s.get("sent"), s.get("ok"),
                s.get("errors"), s.get("timeouts"));
        System.out.printf(Locale.ROOT, "latency p50 %s  p90 %s  p95 %s  p99 %s  max %s%n", ms(s.get("p50_s")),
                ms(s.get("p90_s")), ms(s.get("p95_s")), ms(s.get("p99_s")), ms(s.get("max_s")));
        System.out.printf(Locale.ROOT, "over the %.0f ms objective: %.2f%%   send lag p99 %s%n",
                ((Number) s.get("slo_s")).doubleValue() * 1000, ((Number) s.get("over_slo_share")).doubleValue() * 100,
                ms(s.get("send_lag_p99_s")));
        System.out.println("wrote " + dir.toAbsolutePath() + " (" + records.size() + " requests)");
    }

    private static String ms(Object seconds) {
        return seconds == null ? "-" : String.format(Locale.ROOT, "%.1f ms", ((Number) seconds).doubleValue() * 1000);
    }

    static Path defaultImages() {
        for (Path p : List.of(Path.of("..", "shared", "imagenet", "sample"), Path.of("shared", "imagenet", "sample"),
                Path.of("..", "..", "shared", "imagenet", "sample"))) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no --images given and ../shared/imagenet/sample not found");
    }
}
