package io.elasticinference.loadtest.simulation;

/**
 * A simulated run in numbers. Latency percentiles are over answered requests; requests without an answer (timeouts,
 * rejections) count as over the objective.
 *
 * @param replicaSeconds  integral of pods holding resources (starting, ready, draining) over the workload's seconds
 * @param peakReplicas    most pods holding resources at once
 * @param simulatedS      simulated seconds including the drain after the workload ended
 * @param events          events processed (for speed figures)
 * @param wallS           wall-clock seconds the simulation took
 */
public record SimulationResult(String autoscaler, long requests, long ok, long timeouts, long rejected, long overSlo,
                               double p50S, double p90S, double p95S, double p99S, double maxS,
                               double replicaSeconds, int peakReplicas, int scaleEvents, double simulatedS,
                               long events, double wallS) {

    public double overSloShare() {
        return requests == 0 ? 0 : (double) overSlo / requests;
    }

    public long failed() {
        return timeouts + rejected;
    }
}
