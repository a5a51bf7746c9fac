package io.elasticinference.loadtest.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.elasticinference.loadtest.record.ClusterSample;
import io.elasticinference.loadtest.record.Outcome;
import io.elasticinference.loadtest.record.RequestRecord;
import io.elasticinference.loadtest.record.RunInfo;
import org.HdrHistogram.Histogram;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a real run's directory in the format of docs/run-format.md (the same files a simulated run writes):
 * requests.csv, timeline.csv (per second of the schedule), run.json, summary.json and the plots.
 */
public final class RealRunReport {

    public static final String REQUESTS_HEADER = "id,scheduled_s,sent_s,latency_s,status,outcome,detail,pod";
    public static final String TIMELINE_HEADER = "second,scheduled,sent,completed,ok,failed,p50_s,p95_s,p99_s,max_s,"
            + "over_slo,desired,ready,starting,in_flight,queued";
    /** Latencies are recorded in microseconds, up to an hour, with 3 significant digits. */
    private static final long MAX_MICROS = 3_600_000_000L;

    private RealRunReport() {
    }

    /** Writes everything and returns the summary. */
    public static Map<String, Object> write(Path dir, RunInfo info, List<RequestRecord> records,
                                            List<ClusterSample> cluster, boolean plots) throws IOException {
        Files.createDirectories(dir);
        List<RequestRecord> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparingLong(RequestRecord::id));
        writeRequests(dir, sorted);
        TimelineSeries series = writeTimeline(dir, sorted, cluster, info.sloSeconds());
        Map<String, Object> summary = summary(sorted, cluster, info.sloSeconds());
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        json.writeValue(dir.resolve("run.json").toFile(), info);
        json.writeValue(dir.resolve("summary.json").toFile(), summary);
        if (plots) {
            RunPlots.write(dir, series, info.name(), info.sloSeconds());
        }
        return summary;
    }

    static void writeRequests(Path dir, List<RequestRecord> records) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("requests.csv"), StandardCharsets.UTF_8)) {
            w.write(REQUESTS_HEADER);
            w.write('\n');
            StringBuilder b = new StringBuilder(128);
            for (RequestRecord r : records) {
                b.setLength(0);
                b.append(r.id()).append(',');
                Csv.fixed(b, r.scheduledS(), 6).append(',');
                Csv.fixed(b, r.sentS(), 6).append(',');
                if (!Double.isNaN(r.latencyS())) {
                    Csv.fixed(b, r.latencyS(), 6);
                }
                b.append(',').append(r.status()).append(',').append(r.outcome().name()).append(',')
                        .append(Csv.field(r.detail())).append(',').append(Csv.field(r.pod())).append('\n');
                w.append(b);
            }
        }
    }

    static TimelineSeries writeTimeline(Path dir, List<RequestRecord> records, List<ClusterSample> cluster,
                                        double sloS) throws IOException {
        int seconds = 0;
        for (RequestRecord r : records) {
            seconds = Math.max(seconds, (int) Math.floor(r.scheduledS()) + 1);
        }
        List<List<Double>> latencies = new ArrayList<>();
        int[] scheduled = new int[seconds];
        int[] sent = new int[seconds];
        int[] completed = new int[seconds];
        int[] ok = new int[seconds];
        int[] failed = new int[seconds];
        int[] overSlo = new int[seconds];
        for (int i = 0; i < seconds; i++) {
            latencies.add(new ArrayList<>());
        }
        for (RequestRecord r : records) {
            int s = (int) Math.floor(r.scheduledS());
            scheduled[s]++;
            if (!Double.isNaN(r.sentS())) {
                sent[s]++;
            }
            if (r.status() != 0) {
                completed[s]++;
            }
            if (r.ok()) {
                ok[s]++;
                latencies.get(s).add(r.latencyS());
                if (r.latencyS() > sloS) {
                    overSlo[s]++;
                }
            } else {
                failed[s]++;
                overSlo[s]++;
            }
        }
        TimelineSeries series = new TimelineSeries();
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("timeline.csv"), StandardCharsets.UTF_8)) {
            w.write(TIMELINE_HEADER);
            w.write('\n');
            StringBuilder b = new StringBuilder(160);
            for (int s = 0; s < seconds; s++) {
                List<Double> l = latencies.get(s);
                l.sort(null);
                double p50 = quantile(l, 0.50);
                double p95 = quantile(l, 0.95);
                double p99 = quantile(l, 0.99);
                double max = l.isEmpty() ? Double.NaN : l.get(l.size() - 1);
                ClusterSample c = sampleAt(cluster, s + 1);
                series.add(s, scheduled[s], ok[s], failed[s], p50, p95, p99, c.desiredReplicas(),
                        c.readyReplicas(), c.startingReplicas());
                b.setLength(0);
                b.append(s).append(',').append(scheduled[s]).append(',').append(sent[s]).append(',')
                        .append(completed[s]).append(',').append(ok[s]).append(',').append(failed[s]).append(',');
                optional(b, p50).append(',');
                optional(b, p95).append(',');
                optional(b, p99).append(',');
                optional(b, max).append(',');
                b.append(overSlo[s]).append(',').append(c.desiredReplicas()).append(',').append(c.readyReplicas())
                        .append(',').append(c.startingReplicas()).append(',').append(c.inFlight()).append(',')
                        .append(c.queued()).append('\n');
                w.append(b);
            }
        }
        return series;
    }

    /** The last sample at or before t (unknown when there is none). */
    static ClusterSample sampleAt(List<ClusterSample> cluster, double t) {
        ClusterSample best = null;
        for (ClusterSample c : cluster) {
            if (c.t() <= t) {
                best = c;
            }
        }
        return best != null ? best : new ClusterSample(t, -1, -1, -1, -1, -1);
    }

    public static Map<String, Object> summary(List<RequestRecord> records, List<ClusterSample> cluster,
                                              double sloS) {
        Histogram latency = new Histogram(MAX_MICROS, 3);
        Histogram lag = new Histogram(MAX_MICROS, 3);
        Map<Outcome, Long> byOutcome = new EnumMap<>(Outcome.class);
        long ok = 0;
        long overSlo = 0;
        long sent = 0;
        for (RequestRecord r : records) {
            byOutcome.merge(r.outcome(), 1L, Long::sum);
            if (!Double.isNaN(r.sentS())) {
                sent++;
                lag.recordValue(Math.max(0, Math.min(MAX_MICROS, Math.round(r.sendLagS() * 1e6))));
            }
            if (r.ok()) {
                ok++;
                latency.recordValue(Math.max(1, Math.min(MAX_MICROS, Math.round(r.latencyS() * 1e6))));
                if (r.latencyS() > sloS) {
                    overSlo++;
                }
            } else {
                overSlo++;
            }
        }
        Map<String, Object> errors = new LinkedHashMap<>();
        for (Outcome o : Outcome.values()) {
            if (o != Outcome.OK && byOutcome.containsKey(o)) {
                errors.put(o.name(), byOutcome.get(o));
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scheduled", records.size());
        m.put("sent", sent);
        m.put("ok", ok);
        m.put("errors", errors);
        m.put("timeouts", byOutcome.getOrDefault(Outcome.TIMEOUT, 0L));
        boolean any = latency.getTotalCount() > 0;
        m.put("p50_s", any ? latency.getValueAtPercentile(50) / 1e6 : null);
        m.put("p90_s", any ? latency.getValueAtPercentile(90) / 1e6 : null);
        m.put("p95_s", any ? latency.getValueAtPercentile(95) / 1e6 : null);
        m.put("p99_s", any ? latency.getValueAtPercentile(99) / 1e6 : null);
        m.put("max_s", any ? latency.getMaxValue() / 1e6 : null);
        m.put("slo_s", sloS);
        m.put("over_slo", overSlo);
        m.put("over_slo_share", records.isEmpty() ? 0.0 : (double) overSlo / records.size());
        m.put("send_lag_p99_s", lag.getTotalCount() > 0 ? lag.getValueAtPercentile(99) / 1e6 : null);
        m.put("send_lag_max_s", lag.getTotalCount() > 0 ? lag.getMaxValue() / 1e6 : null);
        double replicaSeconds = 0;
        int peak = -1;
        for (int i = 0; i < cluster.size(); i++) {
            ClusterSample c = cluster.get(i);
            if (c.readyReplicas() < 0) {
                continue;
            }
            double dt = i + 1 < cluster.size() ? cluster.get(i + 1).t() - c.t() : 1;
            replicaSeconds += c.readyReplicas() * dt;
            peak = Math.max(peak, c.readyReplicas());
        }
        m.put("replica_seconds", peak < 0 ? null : replicaSeconds);
        m.put("peak_replicas", peak < 0 ? null : peak);
        return m;
    }

    private static double quantile(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.size());
        return sorted.get(Math.min(sorted.size() - 1, Math.max(0, rank - 1)));
    }

    private static StringBuilder optional(StringBuilder b, double v) {
        return Double.isNaN(v) ? b : Csv.fixed(b, v, 6);
    }
}
