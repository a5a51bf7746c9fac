package io.elasticinference.autoscaler.policy.kpa;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour of knative/serving pkg/autoscaler/aggregation/bucketing_test.go, in the same scenarios. */
class MetricBucketsTest {

    @Test
    void averagesOverBucketsSinceFirstWrite() {
        MetricBuckets b = new MetricBuckets(5, false);
        long t = 1000;
        b.record(t, 2);
        b.record(t, 4); // same bucket: sums to 6
        assertEquals(6, b.windowAverage(t), 1e-9);
        b.record(t + 1, 2);
        assertEquals(4, b.windowAverage(t + 1), 1e-9); // (6 + 2) / 2
    }

    @Test
    void windowSlidesAndEmpties() {
        MetricBuckets b = new MetricBuckets(5, false);
        for (long t = 0; t < 5; t++) {
            b.record(100 + t, t + 1); // 1..5
        }
        assertEquals(3, b.windowAverage(104), 1e-9);
        // at 106 the buckets for 100 and 101 have left the window; 105 and 106 had no writes
        assertEquals((3 + 4 + 5) / 3.0, b.windowAverage(106), 1e-6);
        assertFalse(b.isEmpty(109));
        assertTrue(b.isEmpty(110));
        assertEquals(0, b.windowAverage(110), 1e-9);
        b.record(200, 7); // after a gap longer than the window everything restarts
        assertEquals(7, b.windowAverage(200), 1e-9);
    }

    @Test
    void tooOldWritesAreDropped() {
        MetricBuckets b = new MetricBuckets(5, false);
        b.record(100, 10);
        b.record(90, 1000);
        assertEquals(10, b.windowAverage(100), 1e-9);
    }

    @Test
    void weightedAverageFavoursRecentBuckets() {
        MetricBuckets b = new MetricBuckets(10, true);
        for (long t = 0; t < 10; t++) {
            b.record(t, t < 5 ? 0 : 10);
        }
        double weighted = b.windowAverage(9);
        assertTrue(weighted > 5, "recent buckets weigh more than old ones: " + weighted);
        MetricBuckets constant = new MetricBuckets(10, true);
        for (long t = 0; t < 10; t++) {
            constant.record(t, 10);
        }
        assertEquals(10, constant.windowAverage(9), 0.01); // weights sum to ~1 (precision 0.9999)
    }

    @Test
    void maxWindowKeepsTheLargestOfItsSpan() {
        MaxTimeWindow w = new MaxTimeWindow(5);
        w.record(0, 4);
        w.record(1, 2);
        assertEquals(4, w.current());
        w.record(5, 1);
        assertEquals(2, w.current());
        w.record(6, 1);
        assertEquals(1, w.current());
        w.record(6, 3);
        assertEquals(3, w.current());
    }
}
