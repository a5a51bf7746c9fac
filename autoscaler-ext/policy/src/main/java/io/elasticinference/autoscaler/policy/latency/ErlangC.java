package io.elasticinference.autoscaler.policy.latency;

/** The M/M/c queue's probability of waiting (Erlang C) and tail of the waiting time. */
public final class ErlangC {

    private ErlangC() {
    }

    /** P(an arrival waits) with c servers and offered load a = arrival rate x mean service time (in servers). */
    public static double waitProbability(int c, double a) {
        if (a >= c) {
            return 1;
        }
        double term = 1;
        double sum = 1;
        for (int k = 1; k < c; k++) {
            term *= a / k;
            sum += term;
        }
        double last = term * a / c / (1 - a / c);
        return last / (sum + last);
    }

    /** P(wait > t) = C(c, a) exp(-(c mu - lambda) t). */
    public static double waitExceeds(int c, double lambda, double mu, double t) {
        double a = lambda / mu;
        if (a >= c) {
            return 1;
        }
        return waitProbability(c, a) * Math.exp(-(c * mu - lambda) * t);
    }
}
