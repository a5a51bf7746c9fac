package io.elasticinference.loadtest.simulation;

import io.elasticinference.loadtest.workload.Traffic;
import io.elasticinference.loadtest.workload.ArrivalModel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.elasticinference.loadtest.record.Outcome;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The simulator against closed forms. Per-second counts are drawn Poisson and spread uniformly inside each second,
 * which together make a true Poisson arrival process; service times are exponential.
 */
class QueueingTheoryTest {

    private static final double LAMBDA = 60;       // requests per second
    private static final double MEAN_S = 0.010;    // mean service time: mu = 100/s per server
    private static final int SECONDS = 2_000;

    static Traffic poissonTraffic(double lambda, int seconds, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] counts = new int[seconds];
        for (int i = 0; i < seconds; i++) {
            // Knuth's method is fine for lambda of tens.
            double l = Math.exp(-lambda);
            double p = 1;
            int k = 0;
            do {
                k++;
                p *= rng.nextDouble();
            } while (p > l);
            counts[i] = k - 1;
        }
        return new Traffic(counts, "poisson(" + lambda + ")");
    }

    static SimulationConfig config(DataPath path, double lambda) {
        return new SimulationConfig(poissonTraffic(lambda, SECONDS, 7), ArrivalModel.POISSON,
                new ServiceTimes.Exponential(MEAN_S), path, PodStartup.jvm(), 0.33, 42);
    }

    /** Mean sojourn time over the run, from the request stream. */
    static double meanLatency(SimulationConfig config, int pods) {
        double[] sum = new double[2];
        SimulationResult r = Simulator.run(config, new FixedReplicas(pods), new SimulationListener() {
            @Override
            public void onRequest(long id, double scheduledS, double latencyS, Outcome outcome, int pod) {
                assertEquals(Outcome.OK, outcome);
                sum[0] += latencyS;
                sum[1]++;
            }
        });
        assertEquals(r.requests(), (long) sum[1]);
        return sum[0] / sum[1];
    }

    /** Erlang C: probability that an arrival waits in an M/M/c queue with offered load a = lambda / mu. */
    static double erlangC(int c, double a) {
        double term = 1;
        double sum = 1;
        for (int k = 1; k < c; k++) {
            term *= a / k;
            sum += term;
        }
        double last = term * a / c;
        double rho = a / c;
        double top = last / (1 - rho);
        return top / (sum + top);
    }

    @Test
    void singleServerFifoIsMM1() {
        // One CPU, one request at a time (containerConcurrency 1): the queue-proxy queue is FIFO => M/M/1.
        DataPath path = new DataPath(1, 1, 1, 1_000_000, 10_000, 1000);
        double expected = 1 / (1 / MEAN_S - LAMBDA);  // 25 ms
        assertEquals(expected, meanLatency(config(path, LAMBDA), 1), expected * 0.05);
    }

    @Test
    void podUsingAllItsCpusPerRequestIsProcessorSharingMM1() {
        // Two CPUs, each request uses both (two intra-op threads): one server of rate mu shared => M/M/1-PS,
        // whose mean sojourn equals M/M/1's.
        DataPath path = DataPath.defaults().withCpus(2, 2).withTimeoutS(1000);
        double expected = 1 / (1 / MEAN_S - LAMBDA);
        assertEquals(expected, meanLatency(config(path, LAMBDA), 1), expected * 0.05);
    }

    @Test
    void twoCpusOneThreadEachIsMM2() {
        // Two CPUs, one thread per request: with k in service the pod serves min(k, 2) x mu, the birth-death chain
        // of M/M/2, so the mean sojourn is M/M/2's: C(2, a) / (2 mu - lambda) + 1 / mu.
        double lambda = 150;
        DataPath path = DataPath.defaults().withCpus(2, 1).withTimeoutS(1000);
        double mu = 1 / MEAN_S;
        double expected = erlangC(2, lambda / mu) / (2 * mu - lambda) + 1 / mu;
        assertEquals(expected, meanLatency(config(path, lambda), 1), expected * 0.05);
    }

    @Test
    void randomRoutingOverTwoPodsIsTwoMM1QueuesAtHalfTheLoad() {
        // Out of the activator's path kube-proxy picks a pod at random: a random split of a Poisson stream is two
        // Poisson streams, so each pod is an M/M/1 queue at lambda / 2.
        DataPath path = new DataPath(1, 1, 1, 1_000_000, 10_000, 1000);
        double expected = 1 / (1 / MEAN_S - LAMBDA);  // M/M/1 at lambda = 60/s per pod
        assertEquals(expected, meanLatency(config(path, 2 * LAMBDA), 2), expected * 0.05);
    }

    @Test
    void processorSharingIsInsensitiveToTheServiceTimeDistribution() {
        // M/G/1-PS: the mean sojourn is S / (1 - rho) whatever the distribution: here lognormal with cv 2, whose
        // FIFO mean (Pollaczek-Khinchine) would be far higher, so a FIFO-like bug in the sharing would show.
        DataPath path = DataPath.defaults().withCpus(2, 2).withTimeoutS(1000);
        SimulationConfig c = new SimulationConfig(poissonTraffic(LAMBDA, SECONDS, 8), ArrivalModel.POISSON,
                new ServiceTimes.Lognormal(MEAN_S, 2.0), path, PodStartup.jvm(), 0.33, 43);
        double rho = LAMBDA * MEAN_S;
        double expected = MEAN_S / (1 - rho);
        double fifo = MEAN_S + LAMBDA * (MEAN_S * MEAN_S * (1 + 4)) / (2 * (1 - rho));
        double measured = meanLatency(c, 1);
        assertEquals(expected, measured, expected * 0.08);
        org.junit.jupiter.api.Assertions.assertTrue(fifo > expected * 1.5);
    }
}
