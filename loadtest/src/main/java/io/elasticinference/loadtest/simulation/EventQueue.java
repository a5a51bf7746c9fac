package io.elasticinference.loadtest.simulation;

import java.util.Arrays;

/**
 * A binary min-heap of (time, key) events on primitive arrays: a day of traffic is tens of millions of events, and
 * boxing each one would dominate the run time. Equal times are ordered by key, so that event kinds encoded in the
 * key's high bits have a fixed, deterministic priority.
 */
final class EventQueue {
    private double[] times = new double[1024];
    private long[] keys = new long[1024];
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void push(double time, long key) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            keys = Arrays.copyOf(keys, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(time, key, times[parent], keys[parent])) {
                break;
            }
            times[i] = times[parent];
            keys[i] = keys[parent];
            i = parent;
        }
        times[i] = time;
        keys[i] = key;
    }

    double peekTime() {
        return times[0];
    }

    long peekKey() {
        return keys[0];
    }

    /** Removes the head; read it first with {@link #peekTime()} and {@link #peekKey()}. */
    void pop() {
        int last = --size;
        if (last == 0) {
            return;
        }
        double t = times[last];
        long k = keys[last];
        int i = 0;
        int half = last >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < last && before(times[right], keys[right], times[child], keys[child])) {
                child = right;
            }
            if (!before(times[child], keys[child], t, k)) {
                break;
            }
            times[i] = times[child];
            keys[i] = keys[child];
            i = child;
        }
        times[i] = t;
        keys[i] = k;
    }

    private static boolean before(double t1, long k1, double t2, long k2) {
        return t1 < t2 || (t1 == t2 && k1 < k2);
    }
}
