package io.elasticinference.autoscaler.controller.metrics;

/**
 * What one scrape of one pod says, in the terms the latency policy needs. Counters are cumulative since the pod
 * started.
 *
 * @param requests        all requests (every outcome)
 * @param answered        requests answered ok, rejected or failed by the server (client mistakes excluded)
 * @param overObjective   of those, answered ok later than the objective, plus rejected and failed
 * @param modelSeconds    cumulative model time, as runs on the shared session take it: where the function reports
 *                        thread-seconds, those divided by the shared session's threads per run, because a lone run
 *                        on every CPU takes half the time but not half the capacity (its wall time would make the
 *                        policy believe a pod serves twice what it does under load)
 * @param modelImages     cumulative images run through the model: the batch-size summary's sum, not the number of
 *                        calls, because one batched call serves several requests and the policy needs time per request
 * @param inFlight        requests in a processing slot now
 * @param queued          requests waiting for a slot now
 * @param okBuckets       cumulative counts of ok requests per duration bucket (the bounds the sample was read with,
 *                        then +Inf); NaN where the scrape lacks a bucket
 */
public record PodSample(double requests, double answered, double overObjective, double modelSeconds,
                        double modelImages, double inFlight, double queued, double[] okBuckets) {

    /** The function's metric names (docs/metrics.md). */
    static final String REQUESTS = "inference_requests_total";
    static final String DURATION = "inference_request_duration_seconds";
    static final String MODEL_SECONDS = "inference_model_duration_seconds_sum";
    static final String MODEL_THREAD_SECONDS = "inference_model_thread_seconds_total";
    static final String MODEL_THREADS = "inference_model_threads";

    /**
     * Reads a scrape of the function. The objective is rounded down to a histogram bucket bound, so "over the
     * objective" never undercounts; null when the scrape is not the function's (a metric is missing).
     */
    public static PodSample of(PrometheusText t, double objectiveS, double[] bucketBounds) {
        double bound = Double.NaN;
        for (double b : bucketBounds) {
            if (b <= objectiveS + 1e-9) {
                bound = b;
            }
        }
        double ok = t.value(REQUESTS + "{outcome=\"ok\"}");
        double rejected = t.value(REQUESTS + "{outcome=\"rejected\"}");
        double serverError = t.value(REQUESTS + "{outcome=\"server_error\"}");
        double okCount = t.value(DURATION + "_count{outcome=\"ok\"}");
        double okWithin = Double.isNaN(bound) ? 0
                : t.value(DURATION + "_bucket{outcome=\"ok\",le=\"" + format(bound) + "\"}");
        double requests = t.sum(REQUESTS);
        double[] all = {ok, rejected, serverError, okCount, okWithin, requests,
            modelSeconds(t), t.value("inference_batch_size_sum"),
            t.value("inference_inflight_requests"), t.value("inference_queued_requests")};
        for (double v : all) {
            if (Double.isNaN(v)) {
                return null;
            }
        }
        double[] buckets = new double[bucketBounds.length + 1];
        for (int i = 0; i < bucketBounds.length; i++) {
            buckets[i] = t.value(DURATION + "_bucket{outcome=\"ok\",le=\"" + format(bucketBounds[i]) + "\"}");
        }
        buckets[bucketBounds.length] = okCount;
        return new PodSample(requests, ok + rejected + serverError, okCount - okWithin + rejected + serverError,
                all[6], all[7], all[8], all[9], buckets);
    }

    /** Functions from before lone runs report no thread-seconds; their wall time is the shared sessions' anyway. */
    private static double modelSeconds(PrometheusText t) {
        double threadSeconds = t.value(MODEL_THREAD_SECONDS);
        double threads = t.value(MODEL_THREADS);
        return threadSeconds >= 0 && threads >= 1 ? threadSeconds / threads : t.value(MODEL_SECONDS);
    }

    /** How Micrometer writes a bucket bound: "0.33", "1.0". */
    static String format(double bound) {
        return Double.toString(bound);
    }
}
