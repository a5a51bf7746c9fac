package io.elasticinference.loadtest.simulation;

/**
 * One simulated pod: a queue-proxy queue and a processor-sharing server over the pod's CPUs. Requests in service all
 * progress at the same rate, so one virtual clock {@link #virtualS} (seconds of unloaded service delivered to each
 * request) is enough: a request finishes when the clock passes its start value plus its service time.
 */
final class Pod {
    enum State { PENDING, STARTING, READY, DRAINING, TERMINATING, GONE }

    final int index;
    final String name;
    final double createdS;
    State state = State.PENDING;
    double readyS = Double.NaN;

    /** Bumped whenever a scheduled lifecycle event becomes obsolete. */
    int lifecycleVersion;
    /** Bumped whenever the scheduled completion event becomes obsolete. */
    int completionVersion;

    private final int cpus;
    private final int threads;
    private final double aloneCpus;

    int inService;
    int queued;
    final FinishHeap finishes = new FinishHeap();
    final LongFifo queue = new LongFifo();

    double virtualS;
    double cpuSeconds;
    double cpuSecondsAtLastSample;
    private double lastUpdateS;

    Pod(int index, double createdS, int cpus, int threads) {
        this.index = index;
        this.name = "sim-pod-" + index;
        this.createdS = createdS;
        this.cpus = cpus;
        this.threads = threads;
        this.aloneCpus = Math.min(cpus, threads);
        this.lastUpdateS = createdS;
    }

    /**
     * How fast each request in service progresses, in unloaded-service seconds per second: alone a request gets
     * min(threads, cpus) CPUs; with k in service each gets min(threads, cpus / k).
     */
    double rate(int k) {
        return Math.min(threads, (double) cpus / k) / aloneCpus;
    }

    void advance(double nowS) {
        double dt = nowS - lastUpdateS;
        if (dt > 0 && inService > 0) {
            virtualS += rate(inService) * dt;
            cpuSeconds += Math.min(cpus, (double) inService * threads) * dt;
        }
        lastUpdateS = nowS;
    }

    /** Requests the pod holds (in service + queued at its queue-proxy). */
    int load() {
        return inService + queued;
    }

    /** When the next request in service finishes if nothing changes; +inf when idle. */
    double nextCompletionS(double nowS) {
        if (inService == 0) {
            return Double.POSITIVE_INFINITY;
        }
        return nowS + Math.max(0, finishes.minKey() - virtualS) / rate(inService);
    }

    int cpus() {
        return cpus;
    }
}
