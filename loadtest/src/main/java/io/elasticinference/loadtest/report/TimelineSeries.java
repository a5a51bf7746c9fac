package io.elasticinference.loadtest.report;

import java.util.Arrays;

/** The per-second series a run's plots are drawn from, in growable primitive arrays. */
public final class TimelineSeries {
    public int n;
    public double[] second = new double[1024];
    public double[] sent = new double[1024];
    public double[] ok = new double[1024];
    public double[] failed = new double[1024];
    public double[] p50 = new double[1024];
    public double[] p95 = new double[1024];
    public double[] p99 = new double[1024];
    public double[] desired = new double[1024];
    public double[] ready = new double[1024];
    public double[] starting = new double[1024];

    public void add(int s, int sentCount, int okCount, int failedCount, double p50s, double p95s, double p99s, int desiredPods,
             int readyPods, int startingPods) {
        if (n == second.length) {
            int m = n * 2;
            second = Arrays.copyOf(second, m);
            sent = Arrays.copyOf(sent, m);
            ok = Arrays.copyOf(ok, m);
            failed = Arrays.copyOf(failed, m);
            p50 = Arrays.copyOf(p50, m);
            p95 = Arrays.copyOf(p95, m);
            p99 = Arrays.copyOf(p99, m);
            desired = Arrays.copyOf(desired, m);
            ready = Arrays.copyOf(ready, m);
            starting = Arrays.copyOf(starting, m);
        }
        second[n] = s;
        sent[n] = sentCount;
        ok[n] = okCount;
        failed[n] = failedCount;
        p50[n] = p50s;
        p95[n] = p95s;
        p99[n] = p99s;
        desired[n] = desiredPods;
        ready[n] = readyPods;
        starting[n] = startingPods;
        n++;
    }
}
