package io.elasticinference.function.inference;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxRuntimeExitTest {

    @Test
    void anExitWaitsForTheSessionBeingCreated() throws Exception {
        OnnxRuntimeExit exit = new OnnxRuntimeExit();
        OnnxRuntimeExit.Creation creation = exit.creatingSession();
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Boolean> exited = CompletableFuture.supplyAsync(() -> {
            waiting.countDown();
            return exit.closeAndAwait(TimeUnit.SECONDS.toNanos(30));
        });
        waiting.await();
        Thread.sleep(100);
        assertFalse(exited.isDone(), "the exit must not go on while a session is being created");
        creation.close();
        assertTrue(exited.get(10, TimeUnit.SECONDS));
        assertEquals(0, exit.inProgress());
    }

    @Test
    void noSessionIsCreatedOnceTheExitHasBegun() throws Exception {
        OnnxRuntimeExit exit = new OnnxRuntimeExit();
        try (OnnxRuntimeExit.Creation before = exit.creatingSession()) {
            assertEquals(1, exit.inProgress());
        }
        assertTrue(exit.closeAndAwait(0));
        IOException refused = assertThrows(IOException.class, exit::creatingSession);
        assertTrue(refused.getMessage().contains("exiting"), refused.getMessage());
        assertEquals(0, exit.inProgress());
    }

    @Test
    void theWaitIsBounded() throws Exception {
        OnnxRuntimeExit exit = new OnnxRuntimeExit();
        try (OnnxRuntimeExit.Creation stuck = exit.creatingSession()) {
            long start = System.nanoTime();
            assertFalse(exit.closeAndAwait(TimeUnit.MILLISECONDS.toNanos(50)));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));
        }
    }
}
