package io.elasticinference.function.admission;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdmissionControlTest {

    @Test
    void theBodiesInsideStayWithinTheirBound() {
        AdmissionControl admission = new AdmissionControl(2, 8, TimeUnit.SECONDS.toNanos(1), 10_000);
        assertTrue(admission.tryEnter(6_000));
        assertFalse(admission.tryEnter(6_000), "6,000 + 6,000 bytes are over the bound");
        assertTrue(admission.tryEnter(4_000), "6,000 + 4,000 are not");
        assertFalse(admission.tryEnter(1));
        admission.exit(6_000);
        assertTrue(admission.tryEnter(5_000));
        admission.exit(5_000);
        admission.exit(4_000);
        // Alone, any body gets in: a body larger than the bound would otherwise never be served.
        assertTrue(admission.tryEnter(50_000));
        assertFalse(admission.tryEnter(1));
        admission.exit(50_000);
        // Refusals for bytes hand back nothing they did not take: ten small bodies fill the ten places.
        for (int i = 0; i < 10; i++) {
            assertTrue(admission.tryEnter(100), "place " + i);
        }
        assertFalse(admission.tryEnter(100), "slots + queue are full");
        admission.exit(100);
        assertTrue(admission.tryEnter(9_100), "9 x 100 + 9,100 bytes: the refused 100 were handed back");
    }

    @Test
    void admitsUpToSlotsThenQueuesThenRefuses() throws Exception {
        AdmissionControl admission = new AdmissionControl(2, 1, TimeUnit.SECONDS.toNanos(5));
        AdmissionControl.Permit a = admission.acquire();
        AdmissionControl.Permit b = admission.acquire();
        assertEquals(2, admission.inService());

        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<AdmissionControl.Permit> queued = pool.submit(admission::acquire);
            waitUntil(() -> admission.waiting() == 1);
            RefusedException refused = assertThrows(RefusedException.class, admission::acquire);
            assertEquals(RefusedException.Reason.QUEUE_FULL, refused.reason());

            a.close();
            AdmissionControl.Permit c = queued.get(5, TimeUnit.SECONDS);
            assertTrue(c.waitedNanos() > 0);
            assertEquals(0, admission.waiting());
            assertEquals(2, admission.inService());
            b.close();
            c.close();
            c.close(); // a second close must not hand out an extra slot
            assertEquals(0, admission.inService());
            admission.acquire().close();
            admission.acquire().close();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void waitIsBounded() throws Exception {
        AdmissionControl admission = new AdmissionControl(1, 10, TimeUnit.MILLISECONDS.toNanos(50));
        try (AdmissionControl.Permit held = admission.acquire()) {
            long start = System.nanoTime();
            RefusedException refused = assertThrows(RefusedException.class, admission::acquire);
            assertEquals(RefusedException.Reason.WAIT_TIMEOUT, refused.reason());
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));
            assertEquals(0, admission.waiting());
        }
    }

    @Test
    void neverMoreThanSlotsInServiceOrQueueInWaitingUnderContention() throws Exception {
        int slots = 3;
        int queue = 5;
        AdmissionControl admission = new AdmissionControl(slots, queue, TimeUnit.MILLISECONDS.toNanos(20));
        AtomicInteger maxInService = new AtomicInteger();
        AtomicInteger maxWaiting = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger served = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(32);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            futures.add(pool.submit(() -> {
                start.await();
                maxWaiting.accumulateAndGet(admission.waiting(), Math::max);
                try (AdmissionControl.Permit p = admission.acquire()) {
                    maxInService.accumulateAndGet(admission.inService(), Math::max);
                    Thread.sleep(1);
                    served.incrementAndGet();
                } catch (RefusedException e) {
                    refused.incrementAndGet();
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertTrue(maxInService.get() <= slots, "in service " + maxInService.get());
        assertTrue(maxWaiting.get() <= queue, "waiting " + maxWaiting.get());
        assertEquals(400, served.get() + refused.get());
        assertTrue(refused.get() > 0, "32 threads on 3 slots + 5 queue places must see refusals");
        assertEquals(0, admission.inService());
        assertEquals(0, admission.waiting());
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in 5 s");
            }
            Thread.sleep(2);
        }
    }
}
