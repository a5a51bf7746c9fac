package io.elasticinference.loadtest.simulate;

import io.elasticinference.loadtest.report.RunPlots;

import io.elasticinference.loadtest.simulation.SimulationResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine;

/**
 * {@code simulate --sweep OPTION=V1,V2,...}: one simulated run per value, each in its own run directory under
 * {@code --out}, then a table (sweep.md, sweep.csv) and the cost / SLO-violation frontier (frontier.png).
 * Several sweeps make several series, e.g. KPA's target as a line and the other autoscalers as points.
 */
final class Sweep {

    record Point(String series, String value, SimulateCommand.Outcome outcome) {
    }

    private final SimulateCommand base;
    private final List<String> originalArgs;

    Sweep(SimulateCommand base, List<String> originalArgs) {
        this.base = base;
        // The parse result holds the whole command line: keep what follows the subcommand's name.
        int at = originalArgs.indexOf(base.spec.name());
        this.originalArgs = at < 0 ? originalArgs : originalArgs.subList(at + 1, originalArgs.size());
    }

    int run() throws IOException {
        PrintWriter out = base.spec.commandLine().getOut();
        List<String> common = withoutOptions(originalArgs, "--sweep", "--out", "--name");
        List<Point> points = new ArrayList<>();
        for (String sweep : base.sweeps) {
            int eq = sweep.indexOf('=');
            if (eq <= 0 || eq == sweep.length() - 1) {
                throw new IllegalArgumentException("--sweep wants OPTION=V1,V2,..., got '" + sweep + "'");
            }
            String option = sweep.substring(0, eq).replaceFirst("^--", "");
            if (option.equals("sweep") || option.equals("out") || option.equals("name")) {
                throw new IllegalArgumentException("cannot sweep --" + option);
            }
            for (String value : sweep.substring(eq + 1).split(",")) {
                String v = value.strip();
                String runName = option.equals("autoscaler") ? v : option + "=" + v;
                Path dir = base.out.resolve(safe(option.equals("autoscaler") ? v : option + "-" + v));
                List<String> args = new ArrayList<>(common);
                args.addAll(impliedAutoscaler(option, base.autoscalerOptions.autoscaler));
                args.addAll(List.of("--" + option, v, "--out", dir.toString(), "--name", runName));
                SimulateCommand cmd = new SimulateCommand();
                CommandLine cl = new CommandLine(cmd).setOverwrittenOptionsAllowed(true);
                try {
                    cl.parseArgs(args.toArray(String[]::new));
                } catch (CommandLine.ParameterException e) {
                    throw new IllegalArgumentException("sweep value --" + option + " " + v + ": " + e.getMessage());
                }
                cmd.spec = cl.getCommandSpec();
                SimulateCommand.Outcome o = cmd.runOnce();
                points.add(new Point(option, v, o));
                if (!base.quiet) {
                    out.println(o.describe());
                    out.flush();
                }
            }
        }
        Files.createDirectories(base.out);
        writeCsv(points, base.out.resolve("sweep.csv"));
        Files.writeString(base.out.resolve("sweep.md"), markdown(points), StandardCharsets.UTF_8);
        writeFrontier(points, base.out.resolve("frontier.png"), base.trafficOptions.sloS);
        if (!base.quiet) {
            out.println("sweep: " + points.size() + " runs -> " + base.out.resolve("sweep.md"));
            out.flush();
        }
        return 0;
    }

    /**
     * Sweeping an option of one autoscaler (kpa-*, hpa-*, latency-*) runs that autoscaler, whatever --autoscaler
     * says for the other sweeps: "--sweep kpa-target=..." draws KPA's frontier next to the other series.
     */
    static List<String> impliedAutoscaler(String option, String given) {
        String g = given.toLowerCase(java.util.Locale.ROOT);
        if (option.startsWith("kpa-") && !g.equals("kpa")) {
            return List.of("--autoscaler", "kpa");
        }
        if (option.startsWith("latency-") && !g.equals("latency")) {
            return List.of("--autoscaler", "latency");
        }
        if (option.startsWith("hpa-") && !g.startsWith("hpa")) {
            return List.of("--autoscaler", "hpa-70");
        }
        return List.of();
    }

    /** Drops the named options (and their values) from an argument list, in both "--o v" and "--o=v" forms. */
    static List<String> withoutOptions(List<String> args, String... names) {
        List<String> result = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            boolean drop = false;
            for (String n : names) {
                if (a.equals(n)) {
                    drop = true;
                    i++;
                    break;
                }
                if (a.startsWith(n + "=")) {
                    drop = true;
                    break;
                }
            }
            if (!drop) {
                result.add(a);
            }
        }
        return result;
    }

    private static String safe(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** True when no other point is at least as good on both cost and violations and better on one. */
    static boolean paretoOptimal(SimulationResult r, List<Point> all) {
        for (Point p : all) {
            SimulationResult o = p.outcome().result();
            boolean noWorse = o.replicaSeconds() <= r.replicaSeconds() && o.overSloShare() <= r.overSloShare();
            boolean better = o.replicaSeconds() < r.replicaSeconds() || o.overSloShare() < r.overSloShare();
            if (noWorse && better) {
                return false;
            }
        }
        return true;
    }

    static String markdown(List<Point> points) {
        StringBuilder b = new StringBuilder();
        b.append("| run | requests | over SLO | p50 (s) | p95 (s) | p99 (s) | timeouts | rejected | replica-s | peak pods |"
                + " frontier |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|\n");
        for (Point p : points) {
            SimulationResult r = p.outcome().result();
            b.append(String.format(Locale.ROOT, "| %s | %,d | %.2f%% | %.3f | %.3f | %.3f | %,d | %,d | %,.0f | %d | %s |%n",
                    p.outcome().name(), r.requests(), 100 * r.overSloShare(), r.p50S(), r.p95S(), r.p99S(),
                    r.timeouts(), r.rejected(), r.replicaSeconds(), r.peakReplicas(),
                    paretoOptimal(r, points) ? "yes" : ""));
        }
        return b.toString();
    }

    private static void writeCsv(List<Point> points, Path file) throws IOException {
        StringBuilder b = new StringBuilder("series,value,name,requests,ok,timeouts,rejected,over_slo_share,p50_s,p95_s,"
                + "p99_s,max_s,replica_seconds,peak_replicas,scale_changes,dir\n");
        for (Point p : points) {
            SimulationResult r = p.outcome().result();
            b.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%d,%d,%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.1f,%d,%d,%s%n",
                    p.series(), p.value(), p.outcome().name(), r.requests(), r.ok(), r.timeouts(), r.rejected(),
                    r.overSloShare(), r.p50S(), r.p95S(), r.p99S(), r.maxS(), r.replicaSeconds(), r.peakReplicas(),
                    r.scaleEvents(), p.outcome().dir().getFileName()));
        }
        Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
    }

    /**
     * Cost against violations: x replica-seconds, y share of requests over the objective (log scale, floored at
     * 0.001% so that a perfect run still shows). A swept option is a line; a sweep over autoscalers is one point each.
     */
    static void writeFrontier(List<Point> points, Path file, double sloS) throws IOException {
        XYChart c = RunPlots.chart("cost vs. requests over the " + sloS + " s objective", "requests over SLO (%)");
        c.setXAxisTitle("replica-seconds");
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setMarkerSize(9);
        List<String> seriesNames = new ArrayList<>();
        for (Point p : points) {
            if (!seriesNames.contains(p.series())) {
                seriesNames.add(p.series());
            }
        }
        for (String s : seriesNames) {
            List<Point> ps = points.stream().filter(p -> p.series().equals(s)).toList();
            if (s.equals("autoscaler") || ps.size() == 1) {
                for (Point p : ps) {
                    XYSeries xy = c.addSeries(p.outcome().name(), new double[] {cost(p)}, new double[] {violation(p)});
                    xy.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                }
            } else {
                List<Point> sorted = new ArrayList<>(ps);
                sorted.sort((a, b) -> Double.compare(cost(a), cost(b)));
                double[] x = sorted.stream().mapToDouble(Sweep::cost).toArray();
                double[] y = sorted.stream().mapToDouble(Sweep::violation).toArray();
                String label = s + " " + ps.stream().map(Point::value).reduce((a, b) -> a + "," + b).orElse("");
                c.addSeries(label, x, y).setMarker(SeriesMarkers.CIRCLE);
            }
        }
        BitmapEncoder.saveBitmap(c, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static double cost(Point p) {
        return p.outcome().result().replicaSeconds();
    }

    private static double violation(Point p) {
        return Math.max(0.001, 100 * p.outcome().result().overSloShare());
    }
}
