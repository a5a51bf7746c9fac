package io.elasticinference.loadtest.simulation;

import io.elasticinference.loadtest.workload.Traffic;
import io.elasticinference.loadtest.workload.ArrivalModel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.elasticinference.loadtest.record.ClusterSample;
import io.elasticinference.loadtest.record.Outcome;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConservationAndDeterminismTest {

    /** A ramp to heavy overload and back, so that every outcome happens. */
    static Traffic overloadRamp() {
        int[] counts = new int[120];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = i < 60 ? 5 + i * 5 : Math.max(0, 300 - (i - 60) * 5);
        }
        return new Traffic(counts, "ramp");
    }

    static SimulationConfig config(long seed, DataPath path) {
        return config(seed, path, 0.015);
    }

    static SimulationConfig config(long seed, DataPath path, double meanServiceS) {
        return new SimulationConfig(overloadRamp(), ArrivalModel.POISSON, new ServiceTimes.Lognormal(meanServiceS, 0.5),
                path, PodStartup.jvm(), 0.33, seed);
    }

    /** Records everything a run emits as a checksum plus per-outcome counts. */
    static final class Recorder implements SimulationListener {
        final BitSet ids = new BitSet();
        final Map<Outcome, Long> outcomes = new EnumMap<>(Outcome.class);
        long duplicates;
        long hash = 17;
        int seconds;
        long arrivalsBySecond;

        @Override
        public void onRequest(long id, double scheduledS, double latencyS, Outcome outcome, int pod) {
            if (ids.get((int) id)) {
                duplicates++;
            }
            ids.set((int) id);
            outcomes.merge(outcome, 1L, Long::sum);
            hash = 31 * hash + Long.hashCode(id);
            hash = 31 * hash + Double.hashCode(scheduledS);
            hash = 31 * hash + Double.hashCode(latencyS);
            hash = 31 * hash + outcome.ordinal();
            hash = 31 * hash + pod;
        }

        @Override
        public void onSecond(SecondStats stats, ClusterSample sample, int desired) {
            seconds++;
            arrivalsBySecond += stats.arrivals();
            hash = 31 * hash + sample.readyReplicas();
            hash = 31 * hash + sample.queued();
        }
    }

    @Test
    void everyRequestEndsExactlyOnceAsOkTimeoutOrRejected() {
        // Slow requests (0.2 s), containerConcurrency 2 with a queue-proxy depth of 4, a 0.5 s client timeout:
        // rejections happen at the full queue-proxies, timeouts in the queues and in service.
        DataPath path = new DataPath(2, 2, 2, 4, 50, 0.5);
        Recorder rec = new Recorder();
        SimulationResult r = Simulator.run(config(1, path, 0.2), new HpaAutoscaler(HpaAutoscaler.Config.defaults(0.7)), rec);
        long total = overloadRamp().total();
        assertEquals(total, r.requests());
        assertEquals(total, rec.arrivalsBySecond);
        assertEquals(total, r.ok() + r.timeouts() + r.rejected());
        assertEquals(0, rec.duplicates);
        assertEquals(total, rec.ids.cardinality());
        assertEquals(total - 1, rec.ids.length() - 1);
        assertEquals(r.ok(), rec.outcomes.getOrDefault(Outcome.OK, 0L));
        assertEquals(r.timeouts(), rec.outcomes.getOrDefault(Outcome.TIMEOUT, 0L));
        assertEquals(r.rejected(), rec.outcomes.getOrDefault(Outcome.REJECTED, 0L));
        assertTrue(r.timeouts() > 0, "the overload should cause timeouts");
        assertTrue(r.rejected() > 0, "the small queues should reject");
        assertTrue(r.ok() > 0, "some requests should still succeed");
    }

    @Test
    void sameSeedSameRunDifferentSeedDifferentRun() {
        DataPath path = DataPath.defaults().withContainerConcurrency(4);
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        Recorder c = new Recorder();
        SimulationResult ra = Simulator.run(config(5, path), new HpaAutoscaler(HpaAutoscaler.Config.defaults(0.7)), a);
        SimulationResult rb = Simulator.run(config(5, path), new HpaAutoscaler(HpaAutoscaler.Config.defaults(0.7)), b);
        Simulator.run(config(6, path), new HpaAutoscaler(HpaAutoscaler.Config.defaults(0.7)), c);
        assertEquals(a.hash, b.hash);
        assertEquals(ra.p99S(), rb.p99S());
        assertEquals(ra.replicaSeconds(), rb.replicaSeconds());
        assertEquals(ra.events(), rb.events());
        assertNotEquals(a.hash, c.hash);
    }

    @Test
    void everyAutoscalerSeesTheSameRequestsForASeed() {
        // Common random numbers: arrivals and service times come from their own streams, so comparisons between
        // autoscalers are paired, not noisy.
        DataPath path = DataPath.defaults();
        double[][] scheduled = new double[2][(int) overloadRamp().total()];
        SimAutoscaler[] autoscalers = {new HpaAutoscaler(HpaAutoscaler.Config.defaults(0.7)),
            new KpaAutoscaler(KpaAutoscaler.Config.defaults())};
        for (int k = 0; k < 2; k++) {
            int which = k;
            Simulator.run(config(4, path), autoscalers[k], new SimulationListener() {
                @Override
                public void onRequest(long id, double scheduledS, double latencyS, Outcome outcome, int pod) {
                    scheduled[which][(int) id] = scheduledS;
                }
            });
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(scheduled[0], scheduled[1]);
    }
}
