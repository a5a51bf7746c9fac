package io.elasticinference.autoscaler.policy.kpa;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The largest value recorded within the last {@code durationS} seconds: the scale-down delay. Behaviour of
 * knative/serving pkg/autoscaler/aggregation/max (TimeWindow over a monotonic ascending-minima deque).
 */
final class MaxTimeWindow {

    private final int size;
    private final Deque<long[]> maxima = new ArrayDeque<>();

    MaxTimeWindow(double durationS) {
        this.size = (int) Math.ceil(durationS);
    }

    void record(long second, int value) {
        int v = value;
        while (!maxima.isEmpty() && v >= maxima.peekLast()[1]) {
            maxima.pollLast();
        }
        while (!maxima.isEmpty() && second - maxima.peekFirst()[0] >= size) {
            maxima.pollFirst();
        }
        if (!maxima.isEmpty() && maxima.peekLast()[0] == second) {
            v = (int) Math.max(v, maxima.pollLast()[1]);
        }
        maxima.addLast(new long[]{second, v});
    }

    int current() {
        return maxima.isEmpty() ? 0 : (int) maxima.peekFirst()[1];
    }
}
