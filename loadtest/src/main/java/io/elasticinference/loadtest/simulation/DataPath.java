package io.elasticinference.loadtest.simulation;

/**
 * The serving side's shape: pods and the proxies in front of them.
 *
 * @param cpusPerPod            CPUs each pod has (its CPU request = limit)
 * @param threadsPerRequest     CPUs one request can use at once (ONNX Runtime intra-op threads); alone on the pod
 *                              a request gets min(threads, cpus) CPUs, which is what its service time was measured on
 * @param containerConcurrency  Knative containerConcurrency: requests a pod's queue-proxy lets in at once (0 = no limit)
 * @param queueProxyDepth       requests a queue-proxy holds beyond containerConcurrency before answering 503
 *                              (Knative: 10 x containerConcurrency); ignored when containerConcurrency is 0
 * @param activatorCapacity     requests the activator buffers before answering 503
 * @param timeoutS              the client's timeout: no answer by then counts as a timeout; queued requests are dropped
 */
public record DataPath(int cpusPerPod, int threadsPerRequest, int containerConcurrency, int queueProxyDepth,
                       int activatorCapacity, double timeoutS) {

    public DataPath {
        if (cpusPerPod < 1 || threadsPerRequest < 1 || containerConcurrency < 0 || queueProxyDepth < 0
                || activatorCapacity < 0 || !(timeoutS > 0)) {
            throw new IllegalArgumentException("invalid data path: cpus and threads >= 1, concurrency and depths >= 0,"
                    + " timeout > 0");
        }
    }

    /** Two-CPU pods, two intra-op threads, no concurrency limit, Knative's activator queue, 10 s client timeout. */
    public static DataPath defaults() {
        return new DataPath(2, 2, 0, 0, 10_000, 10.0);
    }

    public DataPath withContainerConcurrency(int cc) {
        return new DataPath(cpusPerPod, threadsPerRequest, cc, 10 * cc, activatorCapacity, timeoutS);
    }

    public DataPath withCpus(int cpus, int threads) {
        return new DataPath(cpus, threads, containerConcurrency, queueProxyDepth, activatorCapacity, timeoutS);
    }

    public DataPath withTimeoutS(double t) {
        return new DataPath(cpusPerPod, threadsPerRequest, containerConcurrency, queueProxyDepth, activatorCapacity, t);
    }
}
