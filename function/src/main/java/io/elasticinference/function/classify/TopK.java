package io.elasticinference.function.classify;

/** Picks the k best classes of a probability vector without sorting all 1,000. */
public final class TopK {

    private TopK() {
    }

    /** Indices of the k largest values, best first (ties: lower index first). */
    public static int[] indices(float[] probabilities, int k) {
        int n = Math.min(k, probabilities.length);
        int[] best = new int[n];
        int filled = 0;
        for (int i = 0; i < probabilities.length; i++) {
            float p = probabilities[i];
            if (filled < n) {
                int j = filled++;
                while (j > 0 && probabilities[best[j - 1]] < p) {
                    best[j] = best[j - 1];
                    j--;
                }
                best[j] = i;
            } else if (n > 0 && p > probabilities[best[n - 1]]) {
                int j = n - 1;
                while (j > 0 && probabilities[best[j - 1]] < p) {
                    best[j] = best[j - 1];
                    j--;
                }
                best[j] = i;
            }
        }
        return best;
    }
}
