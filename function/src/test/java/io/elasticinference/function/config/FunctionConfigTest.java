package io.elasticinference.function.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The sizes derived from the CPU count when configuration leaves them at 0. */
class FunctionConfigTest {

    @Test
    void defaultSizingOnTwoCpusIsTwoSingleThreadedRunnersAndATwoThreadLoneSession() {
        int runners = FunctionConfig.effectiveRunners(0, 2);
        int threads = FunctionConfig.effectiveThreads(0, runners, 2);
        assertEquals(2, runners);
        assertEquals(1, threads);
        assertEquals(2, FunctionConfig.effectiveAloneThreads(0, runners, threads, 2));
    }

    @Test
    void thereIsNoLoneSessionWhenItWouldBeNoWiderOrEveryRunIsAlone() {
        assertEquals(0, FunctionConfig.effectiveAloneThreads(0, 1, 1, 1), "one CPU");
        assertEquals(0, FunctionConfig.effectiveAloneThreads(0, 1, 2, 2), "one runner: every run is alone");
        assertEquals(0, FunctionConfig.effectiveAloneThreads(0, 2, 2, 2), "runs already use every CPU");
        assertEquals(0, FunctionConfig.effectiveAloneThreads(1, 2, 1, 2), "switched off with threads=1");
        assertEquals(4, FunctionConfig.effectiveAloneThreads(4, 2, 1, 2), "a configured width is taken as it is");
    }

    @Test
    void aShareOfTheHeapMustBeAFraction() {
        assertEquals(50, FunctionConfig.shareOfHeap("k", 0.5, 100));
        assertEquals(100, FunctionConfig.shareOfHeap("k", 1, 100));
        for (double bad : new double[] {0, -0.1, 1.5, Double.NaN}) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> FunctionConfig.shareOfHeap("inference.image.decode-heap-share", bad, 100));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("inference.image.decode-heap-share"));
        }
    }
}
