package io.elasticinference.loadtest.coldstart;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Statistics over the measured launches of one {@code cold-start} call. Warm-up launches are listed with the runs
 * but left out here: their first start reads the program from disk, which the measured starts do not.
 */
public record ColdStartSummary(
        @JsonProperty("runs") int runs,
        @JsonProperty("warmup_runs") int warmupRuns,
        @JsonProperty("first_2xx_ms") Stats first2xxMs,
        @JsonProperty("first_answer_ms") Stats firstAnswerMs,
        @JsonProperty("port_open_ms") Stats portOpenMs) {

    /**
     * One launch, in ms from just before the process was started: to the first accepted TCP connection (what the
     * Python baseline's bench.py calls port open), to the first HTTP answer of any status, and to the first 2xx.
     * Warm-ups and measured runs are numbered separately, from 1.
     */
    public record Run(
            @JsonProperty("run") int number,
            @JsonProperty("warmup") boolean warmup,
            @JsonProperty("port_open_ms") double portOpenMs,
            @JsonProperty("first_answer_ms") double firstAnswerMs,
            @JsonProperty("first_answer_status") int firstAnswerStatus,
            @JsonProperty("first_2xx_ms") double first2xxMs,
            @JsonProperty("polls") int polls) {
    }

    public record Stats(
            @JsonProperty("median") double median,
            @JsonProperty("min") double min,
            @JsonProperty("max") double max) {

        static Stats of(double[] values) {
            double[] v = values.clone();
            Arrays.sort(v);
            int n = v.length;
            double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
            return new Stats(median, v[0], v[n - 1]);
        }
    }

    public static ColdStartSummary of(List<Run> all) {
        List<Run> measured = all.stream().filter(r -> !r.warmup()).toList();
        if (measured.isEmpty()) {
            throw new IllegalArgumentException("no measured runs (only warm-ups)");
        }
        return new ColdStartSummary(measured.size(), all.size() - measured.size(),
                stats(measured, Run::first2xxMs), stats(measured, Run::firstAnswerMs),
                stats(measured, Run::portOpenMs));
    }

    private static Stats stats(List<Run> runs, ToDoubleFunction<Run> value) {
        return Stats.of(runs.stream().mapToDouble(value).toArray());
    }
}
