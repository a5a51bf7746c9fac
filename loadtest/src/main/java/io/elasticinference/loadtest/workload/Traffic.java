package io.elasticinference.loadtest.workload;

import java.util.Arrays;

/**
 * Requests per second to replay: a workload slice, scaled.
 *
 * @param perSecond requests in each second
 * @param label     what it is, for run.json ("course-630s.txt[0,630) x4")
 */
public record Traffic(int[] perSecond, String label) {

    public Traffic {
        for (int c : perSecond) {
            if (c < 0) {
                throw new IllegalArgumentException("negative request count in workload " + label);
            }
        }
    }

    /**
     * Takes seconds [from, to) of a workload and multiplies it by {@code scale}. Fractional results are rounded on the
     * running total, so the scaled workload has round(scale x total) requests and no second drifts by one or more.
     */
    public static Traffic slice(int[] counts, String name, int from, int to, double scale) {
        if (from < 0 || to > counts.length || from >= to) {
            throw new IllegalArgumentException("slice [" + from + ", " + to + ") is not inside the workload's "
                    + counts.length + " seconds");
        }
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be > 0, got " + scale);
        }
        int[] out = new int[to - from];
        long cumulative = 0;
        long emitted = 0;
        for (int i = from; i < to; i++) {
            cumulative += counts[i];
            long target = Math.round(cumulative * scale);
            long n = target - emitted;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("scaled workload has more than 2^31 requests in one second");
            }
            out[i - from] = (int) n;
            emitted = target;
        }
        String label = name + "[" + from + "," + to + ")" + (scale == 1.0 ? "" : " x" + scale);
        return new Traffic(out, label);
    }

    public int seconds() {
        return perSecond.length;
    }

    public long total() {
        return Arrays.stream(perSecond).asLongStream().sum();
    }

    public int peak() {
        return Arrays.stream(perSecond).max().orElse(0);
    }
}
