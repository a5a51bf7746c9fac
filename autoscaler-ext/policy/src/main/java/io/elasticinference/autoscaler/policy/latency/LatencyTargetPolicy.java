package io.elasticinference.autoscaler.policy.latency;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Sizes a revision for a latency percentile instead of a concurrency number (docs/latency-policy.md):
 * <ol>
 *   <li><b>Feed-forward.</b> Forecast the arrival rate a start-up time ahead (recent level, a burst believed at once,
 *   plus a trend when noise does not explain it), model each pod as an M/M/c queue, and take the fewest pods whose
 *   probability of a wait beyond what the objective leaves is within the budget (1 - percentile), never planning a
 *   pod busier than {@code maxUtilisation}.</li>
 *   <li><b>Backlog.</b> Under saturation few requests finish and a quantile means little: size to clear the queued
 *   requests within the drain time on top of the arrivals.</li>
 *   <li><b>Feedback.</b> When enough requests finished and too many missed the objective, raise a correction factor
 *   on the model; let it decay when latency is comfortably low.</li>
 *   <li><b>Hysteresis.</b> Scale up at once (starting pods count as capacity coming), with a tolerance against
 *   noise; scale down only to the highest recommendation of a hold window and by at most a fraction per decision.
 *   Missing data holds the scale; never down or to zero on no data.</li>
 * </ol>
 * Pure Java and deterministic: the simulator and the Kubernetes controller drive the same object.
 */
public final class LatencyTargetPolicy {

    private final LatencyPolicyConfig config;
    private final int history;
    private final double[] arrivals;
    private final double[] overObjective;
    private final double[] answered;
    /** Whether the window ran on at least the pods the model asked for, none starting, for a feedback window. */
    private final boolean[] planInPlace;
    private int lastPlannedPods;
    private double planSinceS;
    private long windows;
    /** First window of the current level: a shift in load starts a new fit, see {@link #forecastRate()}. */
    private long levelStart;
    private double serviceDemand = Double.NaN;
    private double correction = 1;
    private int queued;
    private double lastArrivalS = Double.NEGATIVE_INFINITY;
    private boolean lastMissing = true;
    private final Deque<double[]> recommendations = new ArrayDeque<>();

    public LatencyTargetPolicy(LatencyPolicyConfig config, double nowS) {
        this.config = config;
        this.history = Math.max(config.trendWindowS(), config.feedbackWindowS());
        this.arrivals = new double[history];
        this.overObjective = new double[history];
        this.answered = new double[history];
        this.planInPlace = new boolean[history];
        this.lastArrivalS = nowS;
        this.planSinceS = nowS;
    }

    public LatencyPolicyConfig config() {
        return config;
    }

    public int initialScale() {
        return Math.max(config.initialScale(), config.minScale());
    }

    public void observe(LatencyObservation o) {
        if (o.isMissing()) {
            lastMissing = true;
            return;
        }
        lastMissing = false;
        int i = (int) (windows % history);
        double perSecond = 1 / Math.max(1e-9, o.windowS());
        arrivals[i] = o.arrivals() * perSecond;
        overObjective[i] = o.overObjective();
        answered[i] = o.answered();
        if (o.startingPods() > 0 || o.readyPods() < lastPlannedPods) {
            planSinceS = Double.NaN;
        } else if (Double.isNaN(planSinceS)) {
            planSinceS = o.endS() - o.windowS();
        }
        // Requests admitted while capacity was short finish late for a while after the new pods are up (a backlog
        // stays on the pods that took it): only once the plan has held for a whole feedback window are misses the
        // model's.
        planInPlace[i] = !Double.isNaN(planSinceS) && o.endS() - planSinceS >= config.feedbackWindowS();
        windows++;
        if (o.arrivals() > 0) {
            lastArrivalS = o.endS();
        }
        queued = Math.max(0, o.queued());
        if (o.serviceSamples() >= 20 && !Double.isNaN(o.serviceDemandS()) && o.queued() == 0) {
            // Clamped to a factor 4 of the prior either way: one odd window must not swing the model.
            double prior = config.priorServiceS();
            double perRequest = Math.max(prior / 4, Math.min(prior * 4, o.serviceDemandS() / o.serviceSamples()));
            serviceDemand = Double.isNaN(serviceDemand) ? perRequest : 0.9 * serviceDemand + 0.1 * perRequest;
        }
    }

    /** Unloaded service time of one request. */
    public double serviceS() {
        return Double.isNaN(serviceDemand) ? config.priorServiceS() : serviceDemand;
    }

    /** Recent rate plus the upward trend over the look-ahead (least squares over the trend window). */
    double forecastRate() {
        int n = (int) Math.min(windows - levelStart, config.trendWindowS());
        if (n == 0) {
            return 0;
        }
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (int k = 0; k < n; k++) {
            double x = k - (n - 1); // 0 = the last window
            double y = arrivals[(int) ((windows - 1 - (n - 1 - k)) % history)];
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }
        double mean = sy / n;
        double sxxc = sxx - sx * sx / n;
        double slope = n >= 3 ? (sxy - sx * sy / n) / sxxc : 0;
        double level = mean - slope * sx / n; // fitted value at x = 0
        // Poisson counts vary by about the square root of their mean: a rise within 3 standard deviations is noise
        // and must not move the pod count.
        double noise = Math.sqrt(Math.max(1, level));
        double slopeError = n >= 3 ? noise / Math.sqrt(sxxc) : Double.POSITIVE_INFINITY;
        double trend = slope > 3 * slopeError ? slope : 0;
        double last = arrivals[(int) ((windows - 1) % history)];
        if (last > level + 3 * noise) {
            // A burst is believed at once. The fit then starts again from it: a line through a step keeps a steep
            // slope for a whole trend window after the step, and extrapolating it asked for about twice the pods.
            levelStart = windows - 1;
            return Math.max(0, last + trend * config.lookaheadS());
        }
        return Math.max(0, Math.max(level, mean) + trend * config.lookaheadS());
    }

    /** Fewest pods for which the modelled share of requests over the objective is within budget. */
    public int podsFor(double rate, double serviceS) {
        if (rate <= 0) {
            return 0;
        }
        double mu = 1 / serviceS;
        double budget = 1 - config.percentile();
        // The wait may use what the objective leaves after a slow (about 2x the mean) service time.
        double waitAllowance = Math.max(config.objectiveS() - 2 * serviceS, serviceS);
        int c = config.serversPerPod();
        int lower = Math.max(1, (int) Math.ceil(rate * serviceS / (c * config.maxUtilisation())));
        for (int n = lower; n < 100_000; n++) {
            double perPod = rate / n;
            if (perPod / mu >= c * config.maxUtilisation()) {
                continue;
            }
            if (ErlangC.waitExceeds(c, perPod, mu, waitAllowance) <= budget) {
                return n;
            }
        }
        return 100_000;
    }

    /**
     * Share of answers over the objective in the feedback window, counting only windows that ran on the capacity the
     * model had planned: misses while new pods are still starting are the start-up lag's, not the model's, and
     * correcting the model for them kept the revision over-provisioned long after the pods were up.
     */
    private double shareOverObjective() {
        int n = (int) Math.min(windows, config.feedbackWindowS());
        double over = 0;
        double all = 0;
        for (int k = 1; k <= n; k++) {
            int i = (int) ((windows - k) % history);
            if (!planInPlace[i]) {
                continue;
            }
            over += overObjective[i];
            all += answered[i];
        }
        return all < config.feedbackMinCount() ? Double.NaN : over / all;
    }

    /**
     * @param current the replica count asked for now (ready + starting pods)
     */
    public LatencyDecision decide(double nowS, int current) {
        if (lastMissing) {
            return new LatencyDecision(current, Double.NaN, serviceS(), -1, -1, correction,
                    windows == 0 ? "hold-no-history" : "hold-no-data");
        }
        double rate = forecastRate();
        double service = serviceS();
        int model = podsFor(rate, service);
        // Only queued requests count as backlog: those in service on a saturated pod stay where they are.
        int withBacklog = queued > 0 ? podsFor(rate + queued / config.backlogDrainS(), service) : model;
        lastPlannedPods = Math.max(model, withBacklog);

        double share = shareOverObjective();
        if (!Double.isNaN(share)) {
            if (share > 1 - config.percentile()) {
                correction = Math.min(2.0, correction * 1.05);
            } else if (share < (1 - config.percentile()) / 4) {
                correction = Math.max(1.0, correction * 0.995);
            }
        }
        int recommended = (int) Math.ceil(Math.max(model, withBacklog) * correction);
        if (recommended > current && queued == 0
                && (int) Math.ceil(podsFor(rate / (1 + config.tolerance()), service) * correction) <= current) {
            recommended = current; // within tolerance of the boundary: noise, not load
        }
        recommended = Math.max(recommended, config.minScale());
        boolean idle = nowS - lastArrivalS >= config.idleS();
        if (config.minScale() == 0 && !idle) {
            recommended = Math.max(recommended, 1);
        }
        if (config.maxScale() > 0) {
            recommended = Math.min(recommended, config.maxScale());
        }

        recommendations.addLast(new double[]{nowS, recommended});
        while (recommendations.peekFirst()[0] < nowS - config.scaleDownHoldS()) {
            recommendations.removeFirst();
        }
        int desired = recommended;
        String reason = recommended > current ? "scale-up" : "steady";
        if (recommended < current) {
            int held = recommended;
            for (double[] r : recommendations) {
                held = Math.max(held, (int) r[1]);
            }
            int floor = current - Math.max(1, (int) Math.floor(current * config.maxScaleDownFraction()));
            desired = Math.min(current, Math.max(held, floor));
            reason = desired == 0 ? "idle" : desired < current ? "scale-down" : "steady";
        }
        return new LatencyDecision(desired, rate, service, model, withBacklog, correction, reason);
    }
}
