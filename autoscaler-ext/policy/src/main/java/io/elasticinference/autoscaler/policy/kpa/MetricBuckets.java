package io.elasticinference.autoscaler.policy.kpa;

/**
 * Observations aggregated in 1-second buckets over a window, averaged linearly or with exponential weights.
 * Behaviour of knative/serving pkg/autoscaler/aggregation/bucketing.go (TimedFloat64Buckets and
 * WeightedFloat64Buckets): several observations in one bucket add up; the linear average divides by the number of
 * buckets since the first write (at most the window); a window with no write for longer than itself is empty.
 * Times are whole seconds (the bucket granularity).
 */
final class MetricBuckets {

    private static final long NEVER = Long.MIN_VALUE / 4;
    /** bucketing.go: weightPrecision and minExponent of the weighted-exponential average. */
    private static final double WEIGHT_PRECISION = 0.9999;
    private static final double MIN_EXPONENT = 0.2;

    private final double[] buckets;
    private final long windowS;
    private final boolean weighted;
    private final double smoothing;
    private long firstWrite = NEVER;
    private long lastWrite = NEVER;
    private double windowTotal;

    MetricBuckets(long windowS, boolean weighted) {
        if (windowS < 1) {
            throw new IllegalArgumentException("window must be at least one bucket (1 s)");
        }
        this.buckets = new double[(int) windowS];
        this.windowS = windowS;
        this.weighted = weighted;
        this.smoothing = Math.max(1 - Math.pow(1 - WEIGHT_PRECISION, 1.0 / buckets.length), MIN_EXPONENT);
    }

    boolean isEmpty(long now) {
        return now - lastWrite > windowS;
    }

    void record(long now, double value) {
        int writeIdx = index(now);
        if (lastWrite != now) {
            if (now + windowS > lastWrite) {
                if (firstWrite == NEVER || firstWrite > now) {
                    firstWrite = now;
                }
                if (now > lastWrite) {
                    if (now - lastWrite >= windowS) {
                        firstWrite = now;
                        java.util.Arrays.fill(buckets, 0);
                        windowTotal = 0;
                    } else {
                        for (long i = lastWrite + 1; i <= now; i++) {
                            int idx = index(i);
                            windowTotal -= buckets[idx];
                            buckets[idx] = 0;
                        }
                    }
                    lastWrite = now;
                }
            } else {
                return; // older than the window: dropped, as upstream does
            }
        }
        buckets[writeIdx] += value;
        windowTotal += value;
    }

    double windowAverage(long now) {
        return weighted ? weightedAverage(now) : linearAverage(now);
    }

    private double linearAverage(long now) {
        long d = now - lastWrite;
        if (d <= 0) {
            double n = Math.min(lastWrite - firstWrite + 1, buckets.length);
            return round6(windowTotal / n);
        }
        if (d < windowS) {
            double ret = windowTotal;
            for (long i = lastWrite + 1; i <= now; i++) {
                ret -= buckets[index(i)];
            }
            double n = Math.min(lastWrite - firstWrite + 1, buckets.length - d);
            return round6(ret / n);
        }
        return 0;
    }

    private double weightedAverage(long now) {
        if (isEmpty(now)) {
            return 0;
        }
        int numB = buckets.length;
        double multiplier = smoothing;
        if (now > lastWrite) {
            long zeros = now - lastWrite;
            multiplier *= Math.pow(1 - smoothing, zeros);
            numB -= (int) zeros;
        }
        double ret = 0;
        for (int i = 0; i < numB; i++) {
            ret += buckets[index(lastWrite - i)] * multiplier;
            multiplier *= 1 - smoothing;
        }
        return ret;
    }

    private int index(long t) {
        return (int) Math.floorMod(t, (long) buckets.length);
    }

    private static double round6(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
