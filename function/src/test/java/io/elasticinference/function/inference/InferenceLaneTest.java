package io.elasticinference.function.inference;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lane with a fake model whose answers identify their input, so mix-ups between batched requests show. */
class InferenceLaneTest {

    /** "Probabilities" = the input's first value, doubled; records each batch's size. */
    private static Function<List<float[]>, float[][]> echo(List<Integer> batchSizes, CountDownLatch gate) {
        return scaling(2, batchSizes, gate);
    }

    /** Like {@link #echo}, but triples: answers show which model ran. */
    private static Function<List<float[]>, float[][]> triple(CountDownLatch gate) {
        return scaling(3, new CopyOnWriteArrayList<>(), gate);
    }

    /** A model whose "probabilities" are the input's first value times {@code factor}, once {@code gate} opens. */
    private static Function<List<float[]>, float[][]> scaling(float factor, List<Integer> batchSizes,
                                                             CountDownLatch gate) {
        return tensors -> {
            batchSizes.add(tensors.size());
            try {
                gate.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            float[][] out = new float[tensors.size()][];
            for (int i = 0; i < tensors.size(); i++) {
                out[i] = new float[]{tensors.get(i)[0] * factor};
            }
            return out;
        };
    }

    @Test
    void aLoneRequestRunsAloneAndGetsItsOwnAnswer() throws Exception {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        try (InferenceLane lane = new InferenceLane(echo(sizes, new CountDownLatch(0)), 4, Duration.ZERO, 1)) {
            InferenceLane.Result r = lane.classify(new float[]{21});
            assertArrayEquals(new float[]{42}, r.probabilities());
            assertEquals(1, r.batchSize());
            assertEquals(0, r.positionInBatch());
            assertEquals(List.of(1), sizes);
        }
    }

    @Test
    void requestsThatQueueBehindARunAreBatchedAndEachGetsItsOwnRow() throws Exception {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        CountDownLatch gate = new CountDownLatch(1);
        ExecutorService callers = Executors.newFixedThreadPool(5);
        try (InferenceLane lane = new InferenceLane(echo(sizes, gate), 4, Duration.ZERO, 1)) {
            Future<InferenceLane.Result> first = callers.submit(() -> lane.classify(new float[]{0}));
            while (sizes.isEmpty()) {
                Thread.onSpinWait(); // the first run is now blocked in the model
            }
            List<Future<InferenceLane.Result>> queued = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                float v = i;
                queued.add(callers.submit(() -> lane.classify(new float[]{v})));
            }
            Thread.sleep(200); // let all four reach the queue
            gate.countDown();
            assertEquals(1, first.get(5, TimeUnit.SECONDS).batchSize());
            int positionZero = 0;
            for (int i = 1; i <= 4; i++) {
                InferenceLane.Result r = queued.get(i - 1).get(5, TimeUnit.SECONDS);
                assertArrayEquals(new float[]{2f * i}, r.probabilities(), "request " + i + " got another's answer");
                assertEquals(4, r.batchSize());
                positionZero += r.positionInBatch() == 0 ? 1 : 0;
            }
            assertEquals(1, positionZero, "per-batch metrics are recorded by exactly one request of the batch");
            assertEquals(List.of(1, 4), sizes);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void batchesNeverExceedTheMaximum() throws Exception {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        CountDownLatch gate = new CountDownLatch(1);
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try (InferenceLane lane = new InferenceLane(echo(sizes, gate), 3, Duration.ZERO, 1)) {
            List<Future<InferenceLane.Result>> all = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                float v = i;
                all.add(callers.submit(() -> lane.classify(new float[]{v})));
            }
            Thread.sleep(200);
            gate.countDown();
            for (int i = 0; i < 8; i++) {
                assertArrayEquals(new float[]{2f * i}, all.get(i).get(5, TimeUnit.SECONDS).probabilities());
            }
            assertTrue(sizes.stream().allMatch(s -> s <= 3), "batch sizes " + sizes);
            assertEquals(8, sizes.stream().mapToInt(Integer::intValue).sum());
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void maxWaitHoldsAFreeModelForTheNextRequest() throws Exception {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try (InferenceLane lane = new InferenceLane(echo(sizes, new CountDownLatch(0)), 2, Duration.ofSeconds(2),
                1)) {
            Future<InferenceLane.Result> a = callers.submit(() -> lane.classify(new float[]{1}));
            Thread.sleep(100);
            Future<InferenceLane.Result> b = callers.submit(() -> lane.classify(new float[]{2}));
            assertEquals(2, a.get(5, TimeUnit.SECONDS).batchSize());
            assertEquals(2, b.get(5, TimeUnit.SECONDS).batchSize());
            assertTrue(a.get().waitNanos() >= TimeUnit.MILLISECONDS.toNanos(90), "the first waited for the second");
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void severalRunnersRunConcurrently() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        Function<List<float[]>, float[][]> slow = tensors -> {
            peak.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            running.decrementAndGet();
            return new float[tensors.size()][1];
        };
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try (InferenceLane lane = new InferenceLane(slow, 1, Duration.ZERO, 2)) {
            Future<?> a = callers.submit(() -> lane.classify(new float[1]));
            Future<?> b = callers.submit(() -> lane.classify(new float[1]));
            a.get(5, TimeUnit.SECONDS);
            b.get(5, TimeUnit.SECONDS);
            assertEquals(2, peak.get());
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aModelFailureReachesEveryRequestOfTheBatchAndTheLaneGoesOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Function<List<float[]>, float[][]> flaky = tensors -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("inference failed: boom");
            }
            return new float[tensors.size()][]; // rows filled below
        };
        try (InferenceLane lane = new InferenceLane(flaky, 4, Duration.ZERO, 1)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> lane.classify(new float[1]));
            assertEquals("inference failed: boom", e.getMessage());
            assertEquals(1, lane.classify(new float[1]).batchSize());
        }
    }

    @Test
    void closeFinishesQueuedWorkStopsEveryRunnerAndRefusesNewWork() throws Exception {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        CountDownLatch gate = new CountDownLatch(1);
        ExecutorService callers = Executors.newFixedThreadPool(3);
        InferenceLane lane = new InferenceLane(echo(sizes, gate), 4, Duration.ZERO, 3);
        Future<InferenceLane.Result> pending = callers.submit(() -> lane.classify(new float[]{5}));
        while (sizes.isEmpty()) {
            Thread.onSpinWait();
        }
        Thread closer = new Thread(lane::close);
        closer.start();
        Thread.sleep(100);
        gate.countDown();
        closer.join(5000);
        assertTrue(!closer.isAlive(), "close() returned: all three runners stopped");
        assertArrayEquals(new float[]{10}, pending.get(1, TimeUnit.SECONDS).probabilities());
        assertThrows(IllegalStateException.class, () -> lane.classify(new float[1]));
        callers.shutdownNow();
    }

    @Test
    void untilALoneModelIsInstalledEveryRunUsesTheSharedOne() throws Exception {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        try (InferenceLane lane = new InferenceLane(echo(sizes, new CountDownLatch(0)), 4, Duration.ZERO, 2)) {
            InferenceLane.Result before = lane.classify(new float[]{7});
            assertArrayEquals(new float[]{14}, before.probabilities());
            assertFalse(before.alone());

            lane.useWhenAlone(triple(new CountDownLatch(0)));
            InferenceLane.Result after = lane.classify(new float[]{7});
            assertArrayEquals(new float[]{21}, after.probabilities());
            assertTrue(after.alone());
        }
    }

    @Test
    void aRunThatStartsWhileALoneRunIsInFlightGoesToTheSharedModelAndDoesNotWaitForIt() throws Exception {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        CountDownLatch loneGate = new CountDownLatch(1);
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try (InferenceLane lane = new InferenceLane(echo(sizes, new CountDownLatch(0)), 4, Duration.ZERO, 2)) {
            lane.useWhenAlone(triple(loneGate));
            Future<InferenceLane.Result> lone = callers.submit(() -> lane.classify(new float[]{1}));
            Thread.sleep(100); // the first run is on the lone model, held at its gate
            InferenceLane.Result second = callers.submit(() -> lane.classify(new float[]{5})).get(5, TimeUnit.SECONDS);
            assertArrayEquals(new float[]{10}, second.probabilities(), "the second run used the shared model");
            assertFalse(second.alone());
            assertFalse(lone.isDone(), "and finished while the lone run was still in flight");

            loneGate.countDown();
            InferenceLane.Result first = lone.get(5, TimeUnit.SECONDS);
            assertArrayEquals(new float[]{3}, first.probabilities());
            assertTrue(first.alone());
            assertTrue(lane.classify(new float[]{2}).alone(), "with nothing else in flight, runs are lone again");
        } finally {
            loneGate.countDown();
            callers.shutdownNow();
        }
    }

    @Test
    void aLoneRunThatAnotherRequestArrivedDuringCountsAgainstTheNextOnes() throws Exception {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        CountDownLatch loneGate = new CountDownLatch(1);
        ExecutorService callers = Executors.newFixedThreadPool(2);
        // maxOverlap 0: a single overlapped run is enough to keep runs on the shared model
        try (InferenceLane lane = new InferenceLane(echo(sizes, new CountDownLatch(0)), 4, Duration.ZERO, 2, 0)) {
            lane.useWhenAlone(triple(new CountDownLatch(0)));
            assertTrue(lane.classify(new float[]{1}).alone(), "nothing overlapped yet");
            lane.useWhenAlone(triple(loneGate));
            Future<InferenceLane.Result> lone = callers.submit(() -> lane.classify(new float[]{1}));
            Thread.sleep(100);
            callers.submit(() -> lane.classify(new float[]{5})).get(5, TimeUnit.SECONDS);
            loneGate.countDown();
            assertTrue(lone.get(5, TimeUnit.SECONDS).alone());
            InferenceLane.Result next = lane.classify(new float[]{2});
            assertFalse(next.alone(), "a request arrived during the last lone run");
            assertArrayEquals(new float[]{4}, next.probabilities());
        } finally {
            loneGate.countDown();
            callers.shutdownNow();
        }
    }

    @Test
    void idleMeansNoRunInFlightAndNoneWaiting() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try (InferenceLane lane = new InferenceLane(echo(new CopyOnWriteArrayList<>(), gate), 1, Duration.ZERO, 1)) {
            assertTrue(lane.idle());
            assertEquals(0, lane.arrivals());
            Future<InferenceLane.Result> first = callers.submit(() -> lane.classify(new float[]{1}));
            Future<InferenceLane.Result> second = callers.submit(() -> lane.classify(new float[]{2}));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (lane.arrivals() < 2) {
                assertTrue(System.nanoTime() < deadline, "both requests reach the lane");
                Thread.sleep(1);
            }
            assertFalse(lane.idle(), "one run in flight, one waiting");
            gate.countDown();
            first.get(5, TimeUnit.SECONDS);
            second.get(5, TimeUnit.SECONDS);
            assertTrue(lane.idle());
            assertEquals(2, lane.arrivals());
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void nonsenseSettingsAreRefused() {
        Function<List<float[]>, float[][]> model = t -> new float[t.size()][1];
        assertThrows(IllegalArgumentException.class, () -> new InferenceLane(model, 0, Duration.ZERO, 1));
        assertThrows(IllegalArgumentException.class, () -> new InferenceLane(model, 1, Duration.ofMillis(-1), 1));
        assertThrows(IllegalArgumentException.class, () -> new InferenceLane(model, 1, Duration.ZERO, 0));
    }
}
