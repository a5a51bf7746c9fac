package io.elasticinference.loadtest.simulation;

import io.elasticinference.loadtest.record.ClusterSample;
import io.elasticinference.loadtest.record.Outcome;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * Discrete-event simulation of one Knative revision: client arrivals, the activator, one queue-proxy per pod,
 * processor-sharing pods, pod start-up and draining, and an autoscaler deciding on what its metrics would show.
 *
 * <p>Data path, as in Knative Serving: while the autoscaler keeps the activator in the path (excess burst capacity
 * below zero, or no ready pod) every request goes to the activator, which picks a ready pod with room under
 * containerConcurrency the way knative/serving pkg/activator/net/throttler.go does (power of two choices when
 * containerConcurrency is 0, first available up to 3, round-robin above) and buffers it (FIFO) while none has room.
 * Out of the path, requests go straight to a uniformly random ready pod's queue-proxy (kube-proxy's iptables mode),
 * which queues beyond containerConcurrency. A request queued
 * longer than the client timeout is dropped from its queue (the client cancelled); one in service runs to the end
 * but counts as a timeout if it took too long.
 *
 * <p>Everything runs on primitive arrays and a binary-heap event queue; requests are streamed to the listener when
 * they end, so a day of traffic needs memory only for the requests in flight.
 */
public final class Simulator {

    // Event kinds, in the order they run when they fall on the same instant (the kind is in the key's top bits).
    private static final long K_POD = 0;
    private static final long K_COMPLETION = 1;
    private static final long K_TIMEOUT = 2;
    private static final long K_SECOND = 3;
    private static final long K_TICK = 4;
    private static final long K_ARRIVAL = 5;

    private static final byte S_FREE = 0;
    private static final byte S_ACTIVATOR = 1;
    private static final byte S_QUEUE_PROXY = 2;
    private static final byte S_SERVICE = 3;

    /** Virtual-time slack when deciding which requests finish together (floating-point rounding only). */
    private static final double FINISH_EPSILON = 1e-9;

    private final SimulationConfig config;
    private final SimAutoscaler autoscaler;
    private final SimulationListener listener;
    private final DataPath path;
    private final PodStartup startup;
    private final int[] perSecond;
    private final int workloadSeconds;

    private final SplittableRandom arrivalRng;
    private final SplittableRandom serviceRng;
    private final SplittableRandom podRng;
    private final SplittableRandom routeRng;

    private final EventQueue events = new EventQueue();
    private double now;

    // Request slots, reused: only requests in flight occupy one.
    private long[] slotId = new long[1024];
    private double[] slotArrival = new double[1024];
    private double[] slotWork = new double[1024];
    private double[] slotServiceStart = new double[1024];
    private int[] slotGen = new int[1024];
    private byte[] slotState = new byte[1024];
    private int[] slotPod = new int[1024];
    private int[] freeSlots = new int[1024];
    private int freeCount;
    private int slotsUsed;
    private long nextId;

    // Arrivals of the current second.
    private double[] arrivalOffsets = new double[64];
    private int arrivalCount;
    private int arrivalNext;
    private int arrivalSecond;

    // Pods.
    private final List<Pod> allPods = new ArrayList<>();
    private final List<Pod> alivePods = new ArrayList<>();   // pending, starting or ready: what "replicas" counts
    private final List<Pod> readyPods = new ArrayList<>();   // routable
    private int nPending;
    private int nStarting;
    private int nDraining;   // draining or terminating: still holding resources
    private int roundRobin;
    private int desired;
    private boolean activatorInPath = true;
    private int peakReplicas;
    private int scaleEvents;

    // Activator.
    private final LongFifo activatorQueue = new LongFifo();
    private int activatorQueued;

    // Whole-system counters.
    private int inSystem;
    private int queuedInPods;
    private double lastTouch;
    private double concurrencyIntegral;
    private double podConcurrencyIntegral;
    private double replicaIntegral;

    // This second's observations.
    private int secArrivals;
    private int secCompleted;
    private int secFailed;
    private double secServiceSum;
    private double[] secLatencies = new double[256];
    private int secLatencyCount;
    private double concurrencyAtSecondStart;
    private double podConcurrencyAtSecondStart;

    // Totals.
    private final Histogram latencyMicros = new Histogram(3_600_000_000L, 3);
    private long total;
    private long ok;
    private long timeouts;
    private long rejected;
    private long overSlo;
    private long eventCount;

    public Simulator(SimulationConfig config, SimAutoscaler autoscaler, SimulationListener listener) {
        this.config = config;
        this.autoscaler = autoscaler;
        this.listener = listener == null ? SimulationListener.NONE : listener;
        this.path = config.dataPath();
        this.startup = config.startup();
        this.perSecond = config.traffic().perSecond();
        this.workloadSeconds = perSecond.length;
        // Independent streams: changing the autoscaler changes pod jitter draws but never the requests.
        this.arrivalRng = new SplittableRandom(config.seed() * 0x9E3779B97F4A7C15L + 1);
        this.serviceRng = new SplittableRandom(config.seed() * 0xC2B2AE3D27D4EB4FL + 2);
        this.podRng = new SplittableRandom(config.seed() * 0x165667B19E3779F9L + 3);
        this.routeRng = new SplittableRandom(config.seed() * 0x27D4EB2F165667C5L + 4);
    }

    public static SimulationResult run(SimulationConfig config, SimAutoscaler autoscaler,
                                       SimulationListener listener) {
        return new Simulator(config, autoscaler, listener).run();
    }

    public SimulationResult run() {
        long start = System.nanoTime();
        int initial = autoscaler.initialReplicas();
        desired = initial;
        for (int i = 0; i < initial; i++) {
            Pod pod = newPod();
            // The revision is deployed and warm when the workload starts.
            pod.state = Pod.State.READY;
            pod.readyS = 0;
            readyPods.add(pod);
        }
        updatePeak();
        activatorInPath = readyPods.isEmpty();
        events.push(0, key(K_SECOND, 0, 0));
        events.push(autoscaler.tickIntervalS(), key(K_TICK, 0, 0));

        boolean running = true;
        while (running && !events.isEmpty()) {
            double t = events.peekTime();
            long k = events.peekKey();
            events.pop();
            eventCount++;
            now = t;
            int kind = (int) (k >>> 60);
            int index = (int) ((k >>> 32) & 0x0FFF_FFFF);
            int version = (int) k;
            switch (kind) {
                case (int) K_POD -> onPodEvent(allPods.get(index), version);
                case (int) K_COMPLETION -> onCompletion(allPods.get(index), version);
                case (int) K_TIMEOUT -> onTimeout(index, version);
                case (int) K_SECOND -> running = onSecond(index);
                case (int) K_TICK -> onTick();
                case (int) K_ARRIVAL -> onArrival();
                default -> throw new IllegalStateException("unknown event kind " + kind);
            }
        }
        // Requests still in the system at the hard end waited longer than the timeout: they timed out.
        for (int s = 0; s < slotsUsed; s++) {
            if (slotState[s] != S_FREE) {
                endRequest(s, Outcome.TIMEOUT, Double.NaN, slotPod[s]);
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        return new SimulationResult(autoscaler.name(), total, ok, timeouts, rejected, overSlo,
                percentile(50), percentile(90), percentile(95), percentile(99),
                latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getMaxValue() / 1e6,
                replicaIntegral, peakReplicas, scaleEvents, now, eventCount, wall);
    }

    private double percentile(double p) {
        return latencyMicros.getTotalCount() == 0 ? Double.NaN : latencyMicros.getValueAtPercentile(p) / 1e6;
    }

    private static long key(long kind, int index, int version) {
        return (kind << 60) | ((long) (index & 0x0FFF_FFFF) << 32) | (version & 0xFFFF_FFFFL);
    }

    // ---------------------------------------------------------------- time integrals

    /** Brings the time integrals up to now; call before any count they integrate changes. */
    private void touch() {
        double dt = now - lastTouch;
        if (dt > 0) {
            concurrencyIntegral += inSystem * dt;
            podConcurrencyIntegral += (inSystem - activatorQueued) * dt;
            // Cost is counted over the workload's seconds only, so runs that drain at different speeds compare fairly.
            double costEnd = Math.min(now, workloadSeconds);
            if (costEnd > lastTouch) {
                replicaIntegral += (nStarting + readyPods.size() + nDraining) * (costEnd - lastTouch);
            }
            lastTouch = now;
        }
    }

    private void updatePeak() {
        peakReplicas = Math.max(peakReplicas, nStarting + readyPods.size() + nDraining);
    }

    // ---------------------------------------------------------------- seconds, ticks, arrivals

    private boolean onSecond(int second) {
        touch();
        if (second > 0) {
            closeSecond(second);
        }
        if (second < workloadSeconds) {
            int n = perSecond[second];
            if (arrivalOffsets.length < n) {
                arrivalOffsets = new double[Math.max(n, arrivalOffsets.length * 2)];
            }
            config.arrivals().offsets(n, arrivalRng, arrivalOffsets);
            arrivalCount = n;
            arrivalNext = 0;
            arrivalSecond = second;
            if (n > 0) {
                events.push(second + arrivalOffsets[0], key(K_ARRIVAL, 0, 0));
            }
        } else if (inSystem == 0 || second >= workloadSeconds + Math.ceil(path.timeoutS())) {
            return false;
        }
        events.push(second + 1, key(K_SECOND, second + 1, 0));
        return true;
    }

    private void closeSecond(int second) {
        double avgConcurrency = concurrencyIntegral - concurrencyAtSecondStart;
        double avgPodConcurrency = podConcurrencyIntegral - podConcurrencyAtSecondStart;
        concurrencyAtSecondStart = concurrencyIntegral;
        podConcurrencyAtSecondStart = podConcurrencyIntegral;
        double cpuSum = 0;
        int cpuPods = 0;
        for (Pod pod : readyPods) {
            pod.advance(now);
            if (pod.readyS <= now - 1) {
                cpuSum += (pod.cpuSeconds - pod.cpuSecondsAtLastSample) / pod.cpus();
                cpuPods++;
            }
            pod.cpuSecondsAtLastSample = pod.cpuSeconds;
        }
        Arrays.sort(secLatencies, 0, secLatencyCount);
        int queued = activatorQueued + queuedInPods;
        SecondStats stats = new SecondStats(second, secArrivals, avgConcurrency, avgPodConcurrency, secCompleted,
                secFailed, secServiceSum, secLatencies, secLatencyCount,
                cpuPods == 0 ? Double.NaN : cpuSum / cpuPods, readyPods.size(), nPending + nStarting, inSystem,
                queued);
        autoscaler.observe(stats);
        listener.onSecond(stats, new ClusterSample(second, desired, readyPods.size(), nPending + nStarting,
                inSystem, queued), desired);
        secArrivals = 0;
        secCompleted = 0;
        secFailed = 0;
        secServiceSum = 0;
        secLatencyCount = 0;
    }

    private void onTick() {
        touch();
        SimAutoscaler.Decision d = autoscaler.decide(now, new SimAutoscaler.PodCounts(readyPods.size(),
                nPending + nStarting, nDraining, desired));
        activatorInPath = d.activatorInPath();
        if (d.desired() < 0) {
            throw new IllegalStateException(autoscaler.name() + " asked for " + d.desired() + " replicas");
        }
        if (d.desired() != desired) {
            scaleEvents++;
        }
        desired = d.desired();
        reconcile();
        dispatchActivator();
        events.push(now + autoscaler.tickIntervalS(), key(K_TICK, 0, 0));
    }

    private void onArrival() {
        double scheduled = arrivalSecond + arrivalOffsets[arrivalNext];
        arrivalNext++;
        if (arrivalNext < arrivalCount) {
            events.push(arrivalSecond + arrivalOffsets[arrivalNext], key(K_ARRIVAL, 0, 0));
        }
        touch();
        int slot = allocateSlot();
        slotId[slot] = nextId++;
        slotArrival[slot] = scheduled;
        slotWork[slot] = config.serviceTimes().sample(serviceRng);
        slotPod[slot] = -1;
        inSystem++;
        secArrivals++;
        total++;
        if (activatorInPath || readyPods.isEmpty()) {
            if (activatorQueued == 0) {
                Pod pod = pickForActivator();
                if (pod != null) {
                    admit(pod, slot);
                    return;
                }
            }
            if (activatorQueued >= path.activatorCapacity()) {
                endRequest(slot, Outcome.REJECTED, 0, -1);
                return;
            }
            slotState[slot] = S_ACTIVATOR;
            activatorQueue.add(packSlot(slot));
            activatorQueued++;
            events.push(scheduled + path.timeoutS(), key(K_TIMEOUT, slot, slotGen[slot]));
        } else {
            Pod pod = readyPods.get(routeRng.nextInt(readyPods.size()));
            admit(pod, slot);
        }
    }

    // ---------------------------------------------------------------- routing and service

    /** The activator's choice of a ready pod with room, or null when none has (throttler.go, lb_policy.go). */
    private Pod pickForActivator() {
        int cc = path.containerConcurrency();
        int n = readyPods.size();
        if (n == 0) {
            return null;
        }
        if (cc == 0) {
            // Power of two choices: two distinct random pods, the one with fewer requests.
            int ia = routeRng.nextInt(n);
            Pod a = readyPods.get(ia);
            if (n == 1) {
                return a;
            }
            int ib = routeRng.nextInt(n - 1);
            Pod b = readyPods.get(ib >= ia ? ib + 1 : ib);
            return b.load() < a.load() ? b : a;
        }
        if (cc <= 3) {
            for (int i = 0; i < n; i++) {
                Pod p = readyPods.get(i);
                if (p.load() < cc) {
                    return p;
                }
            }
            return null;
        }
        for (int k = 0; k < n; k++) {
            Pod p = readyPods.get(Math.floorMod(roundRobin + k, n));
            if (p.load() < cc) {
                roundRobin = Math.floorMod(roundRobin + k + 1, n);
                return p;
            }
        }
        return null;
    }

    private void dispatchActivator() {
        while (activatorQueued > 0) {
            Pod pod = pickForActivator();
            if (pod == null) {
                return;
            }
            int slot = pollValid(activatorQueue, S_ACTIVATOR);
            activatorQueued--;
            admit(pod, slot);
        }
    }

    /** Hands a request to a pod's queue-proxy. Caller has called touch(). */
    private void admit(Pod pod, int slot) {
        int cc = path.containerConcurrency();
        slotPod[slot] = pod.index;
        pod.advance(now);
        if (cc > 0 && pod.inService >= cc) {
            if (pod.queued >= path.queueProxyDepth()) {
                endRequest(slot, Outcome.REJECTED, now - slotArrival[slot], pod.index);
                return;
            }
            slotState[slot] = S_QUEUE_PROXY;
            pod.queue.add(packSlot(slot));
            pod.queued++;
            queuedInPods++;
            events.push(slotArrival[slot] + path.timeoutS(), key(K_TIMEOUT, slot, slotGen[slot]));
            return;
        }
        startService(pod, slot);
        reschedule(pod);
    }

    /** Caller has advanced the pod to now and reschedules it afterwards. */
    private void startService(Pod pod, int slot) {
        slotState[slot] = S_SERVICE;
        slotServiceStart[slot] = now;
        pod.inService++;
        pod.finishes.push(pod.virtualS + slotWork[slot], slot);
    }

    private void reschedule(Pod pod) {
        pod.completionVersion++;
        if (pod.inService > 0) {
            events.push(pod.nextCompletionS(now), key(K_COMPLETION, pod.index, pod.completionVersion));
        }
    }

    private void onCompletion(Pod pod, int version) {
        if (version != pod.completionVersion) {
            return;
        }
        touch();
        pod.advance(now);
        // The event was scheduled for the earliest finisher; others within rounding finish with it.
        do {
            int slot = pod.finishes.popSlot();
            pod.inService--;
            double latency = now - slotArrival[slot];
            if (latency > path.timeoutS()) {
                endRequest(slot, Outcome.TIMEOUT, Double.NaN, pod.index);
            } else {
                secServiceSum += now - slotServiceStart[slot];
                endRequest(slot, Outcome.OK, latency, pod.index);
            }
        } while (pod.finishes.size() > 0 && pod.finishes.minKey() <= pod.virtualS + FINISH_EPSILON);
        int cc = path.containerConcurrency();
        while (pod.queued > 0 && (cc == 0 || pod.inService < cc)) {
            int slot = pollValid(pod.queue, S_QUEUE_PROXY);
            pod.queued--;
            queuedInPods--;
            startService(pod, slot);
        }
        reschedule(pod);
        if (pod.state == Pod.State.DRAINING) {
            maybeTerminate(pod);
        } else if (activatorQueued > 0) {
            dispatchActivator();
        }
    }

    private void onTimeout(int slot, int gen) {
        if (slotGen[slot] != gen) {
            return;
        }
        byte state = slotState[slot];
        if (state == S_ACTIVATOR) {
            touch();
            activatorQueued--;
            endRequest(slot, Outcome.TIMEOUT, Double.NaN, -1);
        } else if (state == S_QUEUE_PROXY) {
            touch();
            Pod pod = allPods.get(slotPod[slot]);
            pod.queued--;
            queuedInPods--;
            endRequest(slot, Outcome.TIMEOUT, Double.NaN, pod.index);
            if (pod.state == Pod.State.DRAINING) {
                maybeTerminate(pod);
            }
        }
        // In service: it runs to the end and is judged then.
    }

    /** Polls the FIFO until an entry that is still waiting there (timed-out entries are left behind lazily). */
    private int pollValid(LongFifo fifo, byte state) {
        while (true) {
            long packed = fifo.poll();
            int slot = (int) (packed >>> 32);
            int gen = (int) packed;
            if (slotGen[slot] == gen && slotState[slot] == state) {
                return slot;
            }
        }
    }

    private long packSlot(int slot) {
        return ((long) slot << 32) | (slotGen[slot] & 0xFFFF_FFFFL);
    }

    private void endRequest(int slot, Outcome outcome, double latency, int pod) {
        inSystem--;
        switch (outcome) {
            case OK -> {
                ok++;
                if (secLatencyCount == secLatencies.length) {
                    secLatencies = Arrays.copyOf(secLatencies, secLatencyCount * 2);
                }
                secLatencies[secLatencyCount++] = latency;
                secCompleted++;
                latencyMicros.recordValue(Math.min(3_600_000_000L, Math.max(1, Math.round(latency * 1e6))));
                if (latency > config.sloS()) {
                    overSlo++;
                }
            }
            case TIMEOUT -> {
                timeouts++;
                overSlo++;
                secFailed++;
            }
            default -> {
                rejected++;
                overSlo++;
                secFailed++;
            }
        }
        listener.onRequest(slotId[slot], slotArrival[slot], latency, outcome, pod);
        slotState[slot] = S_FREE;
        slotGen[slot]++;
        if (freeCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
        }
        freeSlots[freeCount++] = slot;
    }

    private int allocateSlot() {
        if (freeCount > 0) {
            return freeSlots[--freeCount];
        }
        if (slotsUsed == slotId.length) {
            int n = slotsUsed * 2;
            slotId = Arrays.copyOf(slotId, n);
            slotArrival = Arrays.copyOf(slotArrival, n);
            slotWork = Arrays.copyOf(slotWork, n);
            slotServiceStart = Arrays.copyOf(slotServiceStart, n);
            slotGen = Arrays.copyOf(slotGen, n);
            slotState = Arrays.copyOf(slotState, n);
            slotPod = Arrays.copyOf(slotPod, n);
        }
        return slotsUsed++;
    }

    // ---------------------------------------------------------------- pod lifecycle

    private Pod newPod() {
        Pod pod = new Pod(allPods.size(), now, path.cpusPerPod(), path.threadsPerRequest());
        allPods.add(pod);
        alivePods.add(pod);
        return pod;
    }

    private double jittered(double seconds) {
        double j = startup.jitter();
        return j == 0 ? seconds : seconds * (1 - j + 2 * j * podRng.nextDouble());
    }

    /** Creates or removes pods until the pods not being removed match {@link #desired}. */
    private void reconcile() {
        touch();
        while (alivePods.size() < desired) {
            Pod pod = newPod();
            pod.state = Pod.State.PENDING;
            nPending++;
            events.push(now + jittered(startup.schedulingS()), key(K_POD, pod.index, pod.lifecycleVersion));
        }
        while (alivePods.size() > desired) {
            removeOnePod();
        }
        updatePeak();
    }

    /**
     * Scale-down takes pods the way a ReplicaSet does: unscheduled before starting before ready, newest first.
     * Ready pods drain: they take no new requests and finish what they hold.
     */
    private void removeOnePod() {
        for (Pod.State wanted : new Pod.State[] {Pod.State.PENDING, Pod.State.STARTING, Pod.State.READY}) {
            for (int i = alivePods.size() - 1; i >= 0; i--) {
                Pod pod = alivePods.get(i);
                if (pod.state != wanted) {
                    continue;
                }
                alivePods.remove(i);
                pod.lifecycleVersion++;
                switch (wanted) {
                    case PENDING -> {
                        nPending--;
                        pod.state = Pod.State.GONE;
                    }
                    case STARTING -> {
                        nStarting--;
                        pod.state = Pod.State.GONE;
                    }
                    default -> {
                        readyPods.remove(pod);
                        pod.state = Pod.State.DRAINING;
                        nDraining++;
                        maybeTerminate(pod);
                    }
                }
                return;
            }
        }
    }

    private void maybeTerminate(Pod pod) {
        if (pod.state != Pod.State.DRAINING || pod.load() > 0) {
            return;
        }
        touch();
        if (startup.terminationS() > 0) {
            pod.state = Pod.State.TERMINATING;
            events.push(now + startup.terminationS(), key(K_POD, pod.index, pod.lifecycleVersion));
        } else {
            pod.state = Pod.State.GONE;
            nDraining--;
        }
    }

    private void onPodEvent(Pod pod, int version) {
        if (version != pod.lifecycleVersion) {
            return;
        }
        touch();
        switch (pod.state) {
            case PENDING -> {
                pod.state = Pod.State.STARTING;
                nPending--;
                nStarting++;
                updatePeak();
                // Readiness is noticed on the first probe after the app is up.
                double up = jittered(startup.startupS());
                double probe = startup.probePeriodS() * podRng.nextDouble();
                events.push(now + up + probe, key(K_POD, pod.index, pod.lifecycleVersion));
            }
            case STARTING -> {
                pod.state = Pod.State.READY;
                pod.readyS = now;
                nStarting--;
                readyPods.add(pod);
                dispatchActivator();
            }
            case TERMINATING -> {
                pod.state = Pod.State.GONE;
                nDraining--;
            }
            default -> {
                // READY / DRAINING / GONE have no pending lifecycle event.
            }
        }
    }
}
