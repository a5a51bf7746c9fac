package io.elasticinference.loadtest.simulation;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A latency-target autoscaler for the simulator, following the design of the policy module's
 * {@code LatencyTargetPolicy} (docs/latency-policy.md): size the revision for a latency percentile, not for a
 * concurrency number.
 *
 * <ol>
 *   <li><b>Feed-forward.</b> Forecast the arrival rate a start-up time ahead (recent rate + upward trend), estimate
 *   the unloaded service time from CPU use per request, model each pod as an M/M/c queue (c = CPUs / threads per
 *   request) behind a least-loaded router, and take the fewest pods n with P(wait > objective - p99 service) below
 *   1 - percentile (Erlang C).
 *   <li><b>Backlog.</b> Under saturation few requests finish, so quantiles mean little: size to clear the queued
 *   requests within a drain time on top of the arrivals.
 *   <li><b>Feedback.</b> When enough requests finished and too many were over the objective, raise a correction
 *   factor on the model; decay it slowly when latency is comfortably low.
 *   <li><b>Hysteresis.</b> Scale up at once (pods starting count as capacity coming); scale down to the highest
 *   recommendation of a hold window, at most a fraction of the pods per tick.
 * </ol>
 * The activator stays in the path (least-loaded routing, Knative target-burst-capacity -1) unless configured off.
 */
public final class LatencyTargetAutoscaler implements SimAutoscaler {

    /**
     * @param objectiveS          latency objective (0.33 s)
     * @param percentile          of requests that must meet it (0.99)
     * @param cpusPerPod          pod CPUs
     * @param threadsPerRequest   CPUs one request uses
     * @param priorServiceS       unloaded service time assumed before any measurement (0.015 s)
     * @param lookaheadS          how far ahead to forecast arrivals: the pods' time to ready
     * @param trendWindowS        seconds of arrivals the trend is fitted on
     * @param backlogDrainS       time to clear a backlog in
     * @param feedbackWindowS     seconds of completions the feedback judges
     * @param feedbackMinCount    completions needed before the feedback trusts the share over the objective
     * @param scaleDownHoldS      scale down only to the highest recommendation of this window
     * @param maxScaleDownFraction at most this fraction of the pods removed per tick
     * @param tickS               decision period
     * @param minScale            lower bound (>= 1 keeps a warm pod; 0 allows scale to zero after idleS)
     * @param maxScale            upper bound, 0 = none
     * @param idleS               no arrivals for this long allows scale to zero when minScale is 0
     * @param activatorAlways     keep the activator in the path for least-loaded routing
     * @param initialScale        pods at the start
     * @param maxUtilisation      headroom: never plan pods busier than this, whatever the model allows, so that a
     *                            step in load can be absorbed while new pods start
     * @param tolerance           scale up only when the current pods fall short even of a load this much lower
     *                            (0.1: like the HPA's tolerance), so that noise around a boundary does not flap
     */
    public record Config(double objectiveS, double percentile, int cpusPerPod, int threadsPerRequest,
                         double priorServiceS, double lookaheadS, int trendWindowS, double backlogDrainS,
                         int feedbackWindowS, int feedbackMinCount, double scaleDownHoldS,
                         double maxScaleDownFraction, double tickS, int minScale, int maxScale, double idleS,
                         boolean activatorAlways, int initialScale, double maxUtilisation,
                         double tolerance) {
        public Config {
            if (!(objectiveS > 0) || !(percentile > 0 && percentile < 1) || cpusPerPod < 1 || threadsPerRequest < 1
                    || !(priorServiceS > 0) || lookaheadS < 0 || trendWindowS < 2 || !(backlogDrainS > 0)
                    || feedbackWindowS < 1 || feedbackMinCount < 1 || scaleDownHoldS < 0
                    || !(maxScaleDownFraction > 0 && maxScaleDownFraction <= 1) || !(tickS > 0) || minScale < 0
                    || maxScale < 0 || (maxScale > 0 && maxScale < minScale) || idleS < 0 || initialScale < 0
                    || !(maxUtilisation > 0 && maxUtilisation < 1) || tolerance < 0) {
                throw new IllegalArgumentException("invalid latency policy config " + this);
            }
        }

        public static Config defaults(int cpusPerPod, int threadsPerRequest, double lookaheadS) {
            return new Config(0.33, 0.99, cpusPerPod, threadsPerRequest, 0.015, lookaheadS, 10, 2.0, 10, 200, 60,
                    0.25, 1, 1, 0, 300, true, 1, 0.5, 0.1);
        }
    }

    private final Config config;
    private final int serversPerPod;
    private final int history;
    private final double[] arrivals;
    private final double[] overObjective;
    private final double[] answered;
    private long seconds;
    private double cpuPerRequest = Double.NaN;
    private double correction = 1;
    private int queued;
    private double lastArrivalS;
    private final Deque<double[]> recommendations = new ArrayDeque<>();

    /** What the last decision was made of: for tests and diagnostics. */
    public record Diagnostics(double forecastRate, double serviceS, int modelPods, int backlogPods, double correction,
                              int recommended) {
    }

    private Diagnostics last;

    public LatencyTargetAutoscaler(Config config) {
        this.config = config;
        this.serversPerPod = Math.max(1, config.cpusPerPod() / config.threadsPerRequest());
        this.history = Math.max(config.trendWindowS(), config.feedbackWindowS());
        this.arrivals = new double[history];
        this.overObjective = new double[history];
        this.answered = new double[history];
    }

    @Override
    public String name() {
        return "latency";
    }

    @Override
    public double tickIntervalS() {
        return config.tickS();
    }

    @Override
    public int initialReplicas() {
        return Math.max(Math.max(1, config.initialScale()), config.minScale());
    }

    public Diagnostics diagnostics() {
        return last;
    }

    @Override
    public void observe(SecondStats s) {
        int i = (int) (seconds % history);
        arrivals[i] = s.arrivals();
        int over = 0;
        for (int k = s.latencyCount() - 1; k >= 0 && s.latenciesS()[k] > config.objectiveS(); k--) {
            over++;
        }
        overObjective[i] = over + s.failed();
        answered[i] = s.latencyCount() + s.failed();
        seconds++;
        if (s.arrivals() > 0) {
            lastArrivalS = s.endS();
        }
        queued = s.queued();
        // CPU-seconds per answered request, from pods that were ready all second: the unloaded service demand,
        // which processor sharing does not inflate the way it inflates in-pod times.
        // Only unsaturated seconds: on a saturated pod processor sharing delays every completion, and CPU per
        // completion would overstate the demand many times over. Clamped to a factor 4 of the prior either way.
        if (!Double.isNaN(s.cpuUtilisation()) && s.cpuUtilisation() < 0.8 && s.completed() >= 20 && s.queued() == 0
                && s.readyPods() > 0) {
            double cpuS = s.cpuUtilisation() * config.cpusPerPod() * s.readyPods();
            double prior = config.priorServiceS() * Math.min(config.cpusPerPod(), config.threadsPerRequest());
            double perRequest = Math.max(prior / 4, Math.min(prior * 4, cpuS / s.completed()));
            cpuPerRequest = Double.isNaN(cpuPerRequest) ? perRequest : 0.9 * cpuPerRequest + 0.1 * perRequest;
        }
    }

    /** Unloaded service time of one request on a pod. */
    double serviceS() {
        if (Double.isNaN(cpuPerRequest)) {
            return config.priorServiceS();
        }
        return cpuPerRequest / Math.min(config.cpusPerPod(), config.threadsPerRequest());
    }

    /** Recent rate plus the upward trend over the look-ahead (least squares over the trend window). */
    double forecastRate() {
        int n = (int) Math.min(seconds, config.trendWindowS());
        if (n == 0) {
            return 0;
        }
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (int k = 0; k < n; k++) {
            double x = k - (n - 1);          // 0 = the last second
            double y = arrivals[(int) ((seconds - 1 - (n - 1 - k)) % history)];
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }
        double mean = sy / n;
        double sxxc = sxx - sx * sx / n;
        double slope = n >= 3 ? (sxy - sx * sy / n) / sxxc : 0;
        double level = mean - slope * sx / n;    // fitted value at x = 0
        // Only trust a trend or a burst that noise does not explain: Poisson counts have variance ~ their mean,
        // so a rise within a few standard deviations is noise and must not move the pod count (no flapping).
        double noise = Math.sqrt(Math.max(1, level));
        double slopeError = n >= 3 ? noise / Math.sqrt(sxxc) : Double.POSITIVE_INFINITY;
        double trend = slope > 3 * slopeError ? slope : 0;
        double lastSecond = arrivals[(int) ((seconds - 1) % history)];
        // React within a tick to a burst: a last second far above the level is believed at once.
        double now = lastSecond > level + 3 * noise ? lastSecond : Math.max(level, mean);
        return Math.max(0, now + trend * config.lookaheadS());
    }

    /** Erlang C: probability an arrival waits, M/M/c with offered load a (in servers). */
    static double erlangC(int c, double a) {
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

    /** Fewest pods for which the modelled share of requests over the objective is within budget. */
    int podsFor(double rate, double serviceS) {
        if (rate <= 0) {
            return 0;
        }
        double mu = 1 / serviceS;
        double budget = 1 - config.percentile();
        // The wait may use what the objective leaves after a slow (p99-ish) service time: ~2x the mean here.
        double waitAllowance = Math.max(config.objectiveS() - 2 * serviceS, serviceS);
        int c = serversPerPod;
        for (int n = 1; n < 100_000; n++) {
            double perPod = rate / n;
            double a = perPod / mu;
            if (a >= c * config.maxUtilisation()) {
                continue;
            }
            double pWait = erlangC(c, a);
            double pOver = pWait * Math.exp(-(c * mu - perPod) * waitAllowance);
            if (pOver <= budget) {
                return n;
            }
        }
        return 100_000;
    }

    private double windowShareOver() {
        int n = (int) Math.min(seconds, config.feedbackWindowS());
        double over = 0;
        double all = 0;
        for (int k = 1; k <= n; k++) {
            int i = (int) ((seconds - k) % history);
            over += overObjective[i];
            all += answered[i];
        }
        return all < config.feedbackMinCount() ? Double.NaN : over / all;
    }

    @Override
    public Decision decide(double nowS, PodCounts pods) {
        int current = pods.desired();
        if (seconds == 0) {
            return new Decision(current, config.activatorAlways() || pods.ready() == 0);
        }
        double rate = forecastRate();
        double service = serviceS();
        int model = podsFor(rate, service);
        // Backlog: clear what waits in queues within the drain time, on top of the arrivals. Only queued requests
        // count: those in service on an overloaded pod stay there whatever new pods come.
        int backlog = queued;
        int withBacklog = backlog > 0 ? podsFor(rate + backlog / config.backlogDrainS(), service) : model;

        double share = windowShareOver();
        if (!Double.isNaN(share)) {
            if (share > 1 - config.percentile()) {
                correction = Math.min(2.0, correction * 1.05);
            } else if (share < (1 - config.percentile()) / 4) {
                correction = Math.max(1.0, correction * 0.995);
            }
        }
        int recommended = (int) Math.ceil(Math.max(model, withBacklog) * correction);
        if (recommended > current && backlog == 0
                && (int) Math.ceil(podsFor(rate / (1 + config.tolerance()), service) * correction) <= current) {
            recommended = current;
        }
        recommended = Math.max(recommended, config.minScale());
        if (config.minScale() == 0 && nowS - lastArrivalS < config.idleS()) {
            recommended = Math.max(recommended, 1);
        }
        if (config.maxScale() > 0) {
            recommended = Math.min(recommended, config.maxScale());
        }
        last = new Diagnostics(rate, service, model, withBacklog, correction, recommended);

        recommendations.addLast(new double[] {nowS, recommended});
        while (recommendations.peekFirst()[0] <= nowS - config.scaleDownHoldS()) {
            recommendations.removeFirst();
        }
        int desired = recommended;
        if (recommended < current) {
            int held = recommended;
            for (double[] r : recommendations) {
                held = Math.max(held, (int) r[1]);
            }
            int floor = current - Math.max(1, (int) Math.floor(current * config.maxScaleDownFraction()));
            desired = Math.min(current, Math.max(held, floor));
        }
        return new Decision(desired, config.activatorAlways() || pods.ready() == 0);
    }
}
