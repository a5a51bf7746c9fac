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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdmissionControlTest {

    @Test
    void theBodiesInsideStayWithinTheirBound() {
        AdmissionControl admission = new AdmissionControl(2, 8, TimeUnit.SECONDS.toNanos(1), 10_000, 100);
        AdmissionControl.Arrival a = admission.tryArrive(6_000);
        assertNotNull(a);
        assertNull(admission.tryArrive(6_000), "6,000 + 6,000 bytes are over the bound");
        AdmissionControl.Arrival b = admission.tryArrive(4_000);
        assertNotNull(b, "6,000 + 4,000 are not");
        assertNull(admission.tryArrive(1));
        assertTrue(a.bodyArrived());
        assertNull(admission.tryArrive(1), "a body that has arrived still counts until its request ends");
        a.leave();
        a.leave(); // a second leave must not hand back its bytes twice
        AdmissionControl.Arrival c = admission.tryArrive(5_000);
        assertNotNull(c);
        assertNull(admission.tryArrive(1_001));
        c.leave();
        b.leave();
        // Alone, any body gets in: a body larger than the bound would otherwise never be served.
        AdmissionControl.Arrival huge = admission.tryArrive(50_000);
        assertNotNull(huge);
        assertNull(admission.tryArrive(1));
        huge.leave();
        // Refusals for bytes hand back nothing they did not take: ten small bodies fill the ten places.
        List<AdmissionControl.Arrival> inside = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            AdmissionControl.Arrival arrival = admission.tryArrive(100);
            assertTrue(arrival.bodyArrived(), "place " + i);
            inside.add(arrival);
        }
        assertNull(admission.tryArrive(100), "slots + queue are full");
        inside.remove(0).leave();
        assertNotNull(admission.tryArrive(9_100), "9 x 100 + 9,100 bytes: the refused 100 were handed back");
    }

    @Test
    void bodiesOnTheirWayTakeNoPlace() {
        // 2 slots + 2 queue places; 6 requests may be receiving their body.
        AdmissionControl admission = new AdmissionControl(2, 2, TimeUnit.SECONDS.toNanos(1), Long.MAX_VALUE, 6);
        List<AdmissionControl.Arrival> slowUploads = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            slowUploads.add(admission.tryArrive(100_000));
            assertNotNull(slowUploads.get(i), "upload " + i);
        }
        assertEquals(5, admission.arriving());
        // Five slow uploads are more than slots + queue, yet the function is not full: a request whose body is in
        // takes a place.
        List<AdmissionControl.Arrival> ready = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            AdmissionControl.Arrival arrival = admission.tryArrive(100_000);
            assertNotNull(arrival, "ready request " + i);
            assertTrue(arrival.bodyArrived(), "ready request " + i);
            ready.add(arrival);
        }
        assertEquals(5, admission.arriving());
        // Slots + queue are taken now: refused at the door, before any body is read ...
        assertNull(admission.tryArrive(100_000));
        // ... and an upload that finishes meanwhile is refused once its body is in.
        assertFalse(slowUploads.get(0).bodyArrived());
        slowUploads.get(0).leave();
        assertEquals(4, admission.arriving());
        ready.remove(0).leave();
        assertTrue(slowUploads.get(1).bodyArrived(), "a place came free");
        // Arrivals are bounded too: with a place free, 3 more bodies on their way make 6, and a seventh is refused.
        ready.remove(0).leave();
        for (int i = 0; i < 3; i++) {
            assertNotNull(admission.tryArrive(1));
        }
        assertEquals(6, admission.arriving());
        assertNull(admission.tryArrive(1), "six bodies on their way at most");
        // A request whose connection closed before its body was in leaves and cannot come back in.
        AdmissionControl.Arrival closed = slowUploads.get(2);
        closed.leave();
        assertFalse(closed.bodyArrived());
        assertEquals(5, admission.arriving());
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
