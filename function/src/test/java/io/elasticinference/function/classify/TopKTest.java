package io.elasticinference.function.classify;

import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class TopKTest {

    @Test
    void matchesAFullSortOnRandomVectors() {
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            float[] p = new float[1000];
            for (int i = 0; i < p.length; i++) {
                p[i] = random.nextFloat();
            }
            int k = 1 + random.nextInt(20);
            int[] expected = IntStream.range(0, p.length).boxed()
                    .sorted(Comparator.<Integer>comparingDouble(i -> -p[i]).thenComparingInt(i -> i))
                    .limit(k).mapToInt(Integer::intValue).toArray();
            assertArrayEquals(expected, TopK.indices(p, k));
        }
    }

    @Test
    void kLargerThanTheVectorReturnsAll() {
        assertArrayEquals(new int[]{1, 2, 0}, TopK.indices(new float[]{0.1f, 0.5f, 0.4f}, 10));
    }
}
