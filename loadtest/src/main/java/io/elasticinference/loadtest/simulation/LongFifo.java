package io.elasticinference.loadtest.simulation;

/** A growable ring buffer of longs: the activator's and queue-proxies' FIFO queues. */
final class LongFifo {
    private long[] items = new long[16];
    private int head;
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    void add(long v) {
        if (size == items.length) {
            long[] bigger = new long[size * 2];
            for (int i = 0; i < size; i++) {
                bigger[i] = items[(head + i) % items.length];
            }
            items = bigger;
            head = 0;
        }
        items[(head + size) % items.length] = v;
        size++;
    }

    long poll() {
        long v = items[head];
        head = (head + 1) % items.length;
        size--;
        return v;
    }
}
