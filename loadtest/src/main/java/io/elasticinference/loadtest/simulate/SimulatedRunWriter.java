package io.elasticinference.loadtest.simulate;

import io.elasticinference.loadtest.report.Csv;
import io.elasticinference.loadtest.report.RealRunReport;
import io.elasticinference.loadtest.report.RunPlots;
import io.elasticinference.loadtest.report.TimelineSeries;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.elasticinference.loadtest.record.ClusterSample;
import io.elasticinference.loadtest.record.Outcome;
import io.elasticinference.loadtest.record.RunInfo;
import io.elasticinference.loadtest.simulation.SecondStats;
import io.elasticinference.loadtest.simulation.SimulationListener;
import io.elasticinference.loadtest.simulation.SimulationResult;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Streams a simulated run into a run directory in the format of docs/run-format.md: requests.csv as requests end,
 * timeline.csv as seconds end, then run.json, summary.json and the plots. Holds only the per-second series (for the
 * plots), never the requests.
 */
final class SimulatedRunWriter implements SimulationListener, AutoCloseable {

    static final String REQUESTS_HEADER = RealRunReport.REQUESTS_HEADER;
    static final String TIMELINE_HEADER = RealRunReport.TIMELINE_HEADER;

    private final Path dir;
    private final double sloS;
    private final Writer requests;
    private final Writer timeline;
    private final StringBuilder line = new StringBuilder(128);
    private final String[] podNames = new String[4096];
    final TimelineSeries series = new TimelineSeries();
    private int overSloThisSecond;

    SimulatedRunWriter(Path dir, double sloS, boolean writeRequests) throws IOException {
        this.dir = dir;
        this.sloS = sloS;
        Files.createDirectories(dir);
        this.requests = writeRequests ? Files.newBufferedWriter(dir.resolve("requests.csv"), StandardCharsets.UTF_8)
                : null;
        this.timeline = new BufferedWriter(Files.newBufferedWriter(dir.resolve("timeline.csv"),
                StandardCharsets.UTF_8));
        if (requests != null) {
            requests.write(REQUESTS_HEADER);
            requests.write('\n');
        }
        timeline.write(TIMELINE_HEADER);
        timeline.write('\n');
    }

    @Override
    public void onRequest(long id, double scheduledS, double latencyS, Outcome outcome, int pod) {
        if (outcome == Outcome.OK && latencyS > sloS) {
            overSloThisSecond++;
        }
        if (requests == null) {
            return;
        }
        StringBuilder b = line;
        b.setLength(0);
        b.append(id).append(',');
        Csv.fixed(b, scheduledS, 6).append(',');
        Csv.fixed(b, scheduledS, 6).append(',');
        if (!Double.isNaN(latencyS)) {
            Csv.fixed(b, latencyS, 6);
        }
        b.append(',').append(status(outcome)).append(',').append(outcome.name()).append(',');
        b.append(detail(outcome)).append(',');
        if (pod >= 0) {
            b.append(podName(pod));
        }
        b.append('\n');
        try {
            requests.append(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int status(Outcome o) {
        return switch (o) {
            case OK -> 200;
            case REJECTED -> 503;
            default -> 0;
        };
    }

    private static String detail(Outcome o) {
        return switch (o) {
            case OK -> "";
            case REJECTED -> "queue full";
            case TIMEOUT -> "client timeout";
            default -> o.name().toLowerCase();
        };
    }

    private String podName(int pod) {
        if (pod >= podNames.length) {
            return "sim-pod-" + pod;
        }
        String n = podNames[pod];
        if (n == null) {
            n = "sim-pod-" + pod;
            podNames[pod] = n;
        }
        return n;
    }

    @Override
    public void onSecond(SecondStats s, ClusterSample c, int desired) {
        int second = (int) s.endS() - 1;
        double p50 = s.latencyQuantile(0.50);
        double p95 = s.latencyQuantile(0.95);
        double p99 = s.latencyQuantile(0.99);
        double max = s.latencyCount() == 0 ? Double.NaN : s.latenciesS()[s.latencyCount() - 1];
        int overSlo = overSloThisSecond + s.failed();
        overSloThisSecond = 0;
        series.add(second, s.arrivals(), s.completed(), s.failed(), p50, p95, p99, desired, c.readyReplicas(),
                c.startingReplicas());
        StringBuilder b = line;
        b.setLength(0);
        b.append(second).append(',').append(s.arrivals()).append(',').append(s.arrivals()).append(',')
                .append(s.completed() + s.failed()).append(',').append(s.completed()).append(',')
                .append(s.failed()).append(',');
        appendOptional(b, p50).append(',');
        appendOptional(b, p95).append(',');
        appendOptional(b, p99).append(',');
        appendOptional(b, max).append(',');
        b.append(overSlo).append(',').append(desired).append(',').append(c.readyReplicas()).append(',')
                .append(c.startingReplicas()).append(',').append(c.inFlight()).append(',').append(c.queued())
                .append('\n');
        try {
            timeline.append(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static StringBuilder appendOptional(StringBuilder b, double v) {
        // Seconds without answers have no percentiles: an empty cell, as in a real run.
        return Double.isNaN(v) ? b : Csv.fixed(b, v, 6);
    }

    /** Writes run.json, summary.json and the plots; closes the CSV files. */
    void finish(RunInfo info, SimulationResult r, boolean plots) throws IOException {
        close();
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        json.writeValue(dir.resolve("run.json").toFile(), info);
        json.writeValue(dir.resolve("summary.json").toFile(), summary(r, info.sloSeconds()));
        if (plots) {
            RunPlots.write(dir, series, info.name(), info.sloSeconds());
        }
    }

    static Map<String, Object> summary(SimulationResult r, double sloS) {
        Map<String, Object> errors = new LinkedHashMap<>();
        errors.put(Outcome.REJECTED.name(), r.rejected());
        errors.put(Outcome.TIMEOUT.name(), r.timeouts());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sent", r.requests());
        m.put("ok", r.ok());
        m.put("errors", errors);
        m.put("timeouts", r.timeouts());
        m.put("p50_s", nullIfNaN(r.p50S()));
        m.put("p90_s", nullIfNaN(r.p90S()));
        m.put("p95_s", nullIfNaN(r.p95S()));
        m.put("p99_s", nullIfNaN(r.p99S()));
        m.put("max_s", nullIfNaN(r.maxS()));
        m.put("slo_s", sloS);
        m.put("over_slo", r.overSlo());
        m.put("over_slo_share", r.overSloShare());
        m.put("send_lag_p99_s", 0.0);
        m.put("replica_seconds", r.replicaSeconds());
        m.put("peak_replicas", r.peakReplicas());
        m.put("scale_changes", r.scaleEvents());
        m.put("simulated_s", r.simulatedS());
        m.put("events", r.events());
        m.put("wall_s", r.wallS());
        return m;
    }

    private static Object nullIfNaN(double v) {
        return Double.isNaN(v) ? null : v;
    }

    @Override
    public void close() throws IOException {
        if (requests != null) {
            requests.close();
        }
        timeline.close();
    }
}
