package io.elasticinference.function.classify;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class EarlyModelLoadTest {

    /** The warm-up image is packaged and goes through the whole request pipeline (a failure only logs a warning). */
    @Test
    void thePackagedWarmUpImageDecodes() {
        assertTrue(EarlyModelLoad.warmUpDecoding());
    }
}
