package io.elasticinference.loadtest.simulation;

import java.util.Arrays;

/** Min-heap of (virtual finish time, request slot) for one pod's processor-sharing server. */
final class FinishHeap {
    private double[] keys = new double[16];
    private int[] slots = new int[16];
    private int size;

    int size() {
        return size;
    }

    double minKey() {
        return keys[0];
    }

    void push(double key, int slot) {
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            slots = Arrays.copyOf(slots, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (keys[p] <= key) {
                break;
            }
            keys[i] = keys[p];
            slots[i] = slots[p];
            i = p;
        }
        keys[i] = key;
        slots[i] = slot;
    }

    int popSlot() {
        int result = slots[0];
        int last = --size;
        if (last > 0) {
            double k = keys[last];
            int s = slots[last];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= last) {
                    break;
                }
                if (c + 1 < last && keys[c + 1] < keys[c]) {
                    c++;
                }
                if (keys[c] >= k) {
                    break;
                }
                keys[i] = keys[c];
                slots[i] = slots[c];
                i = c;
            }
            keys[i] = k;
            slots[i] = s;
        }
        return result;
    }
}
