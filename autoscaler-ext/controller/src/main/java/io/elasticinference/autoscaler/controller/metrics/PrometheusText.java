package io.elasticinference.autoscaler.controller.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The samples of a Prometheus text exposition (what a pod's {@code /q/metrics} returns), keyed by the series as
 * written ({@code name{label="v",...}}). Comments and malformed lines are skipped: a scrape is evidence, and one odd
 * line must not throw the whole observation away.
 */
public final class PrometheusText {

    private final Map<String, Double> samples;

    private PrometheusText(Map<String, Double> samples) {
        this.samples = samples;
    }

    /** Samples already keyed the way the exposition writes them, e.g. by {@link PrometheusApiSource}. */
    static PrometheusText of(Map<String, Double> samples) {
        return new PrometheusText(new LinkedHashMap<>(samples));
    }

    public static PrometheusText parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            int end = line.indexOf('}');
            int space = line.indexOf(' ', end < 0 ? 0 : end);
            if (space <= 0) {
                continue;
            }
            String value = line.substring(space + 1).trim();
            int timestamp = value.indexOf(' ');
            if (timestamp > 0) {
                value = value.substring(0, timestamp);
            }
            try {
                samples.put(line.substring(0, space), Double.parseDouble(value));
            } catch (NumberFormatException e) {
                // skip the line, keep the rest of the scrape
            }
        }
        return new PrometheusText(samples);
    }

    /** The value of one series, or NaN when absent. */
    public double value(String series) {
        return samples.getOrDefault(series, Double.NaN);
    }

    /** The sum of every series of the metric {@code name} (all label combinations). */
    public double sum(String name) {
        double total = 0;
        boolean any = false;
        for (Map.Entry<String, Double> e : samples.entrySet()) {
            String key = e.getKey();
            if (key.equals(name) || (key.startsWith(name) && key.charAt(name.length()) == '{')) {
                total += e.getValue();
                any = true;
            }
        }
        return any ? total : Double.NaN;
    }
}
