package io.elasticinference.loadtest.record;

import java.util.Map;

/**
 * What a run was: written to {@code run.json} so that {@code compare} can label it.
 *
 * @param name        short label used in reports ("kpa-default", "latency", ...)
 * @param kind        "real" or "simulated"
 * @param autoscaler  "kpa", "latency", "hpa-70", ... or "unknown" for a real run against an unknown target
 * @param workload    the workload file and slice it replayed
 * @param sloSeconds  the latency objective the summary measures against
 * @param params      everything else worth knowing (target URL, seed, scale, policy parameters)
 */
public record RunInfo(String name, String kind, String autoscaler, String workload, double sloSeconds,
                      Map<String, String> params) {
}
