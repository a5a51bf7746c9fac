package io.elasticinference.loadtest.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * latency.png, throughput.png and replicas.png of a simulated run. Long runs are drawn in at most
 * {@link #MAX_POINTS} buckets: worst latency and most replicas of each bucket, mean rates, so peaks stay visible.
 */
public final class RunPlots {
    static final int MAX_POINTS = 1500;

    private RunPlots() {
    }

    public static void write(Path dir, TimelineSeries s, String title, double sloS) throws IOException {
        int bucket = Math.max(1, (s.n + MAX_POINTS - 1) / MAX_POINTS);
        String unit = bucket == 1 ? "per second" : "per second, " + bucket + " s buckets";

        XYChart latency = chart(title + ": latency (" + (bucket == 1 ? "per second" : "worst of " + bucket + " s") + ")",
                "latency (s)");
        addSeries(latency, "p50", s, s.p50, bucket, true);
        addSeries(latency, "p95", s, s.p95, bucket, true);
        addSeries(latency, "p99", s, s.p99, bucket, true);
        if (s.n > 0) {
            latency.addSeries("SLO " + sloS + " s", new double[] {s.second[0], s.second[s.n - 1]},
                    new double[] {sloS, sloS}).setMarker(SeriesMarkers.NONE);
        }
        BitmapEncoder.saveBitmap(latency, dir.resolve("latency.png").toString(), BitmapEncoder.BitmapFormat.PNG);

        XYChart throughput = chart(title + ": requests (" + unit + ")", "requests/s");
        addSeries(throughput, "sent", s, s.sent, bucket, false);
        addSeries(throughput, "served", s, s.ok, bucket, false);
        addSeries(throughput, "failed", s, s.failed, bucket, false);
        BitmapEncoder.saveBitmap(throughput, dir.resolve("throughput.png").toString(),
                BitmapEncoder.BitmapFormat.PNG);

        XYChart replicas = chart(title + ": replicas", "pods");
        addSeries(replicas, "desired", s, s.desired, bucket, true);
        addSeries(replicas, "ready", s, s.ready, bucket, true);
        addSeries(replicas, "starting", s, s.starting, bucket, true);
        BitmapEncoder.saveBitmap(replicas, dir.resolve("replicas.png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    public static XYChart chart(String title, String yTitle) {
        XYChart c = new XYChartBuilder().width(1000).height(420).title(title).xAxisTitle("time (s)")
                .yAxisTitle(yTitle).build();
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        c.getStyler().setMarkerSize(0);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        return c;
    }

    private static void addSeries(XYChart c, String name, TimelineSeries s, double[] y, int bucket, boolean max) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int start = 0; start < s.n; start += bucket) {
            int end = Math.min(s.n, start + bucket);
            double acc = max ? Double.NaN : 0;
            int count = 0;
            for (int i = start; i < end; i++) {
                double v = y[i];
                if (Double.isNaN(v)) {
                    continue;
                }
                acc = max ? (Double.isNaN(acc) ? v : Math.max(acc, v)) : acc + v;
                count++;
            }
            if (count == 0) {
                continue;
            }
            xs.add(s.second[start]);
            ys.add(max ? acc : acc / (end - start));
        }
        if (xs.isEmpty()) {
            xs.add(0.0);
            ys.add(0.0);
        }
        c.addSeries(name, xs, ys).setMarker(SeriesMarkers.NONE);
    }
}
