package io.elasticinference.loadtest.run;

import io.elasticinference.loadtest.record.Outcome;
import io.elasticinference.loadtest.record.RequestRecord;
import io.elasticinference.loadtest.workload.ArrivalModel;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load: every request leaves at its scheduled time whether or not earlier ones were answered, so a slow
 * server shows up as latency instead of quietly lowering the offered load (the coordinated-omission trap of closed
 * loops). How late each send was is recorded; a run whose client could not keep up says so in its summary.
 */
public final class OpenLoopRunner {

    /**
     * @param target       URL requests are POSTed to
     * @param perSecond    requests to send in each second (already sliced and scaled)
     * @param arrival      spread of a second's requests within it
     * @param seed         for the Poisson spread
     * @param bodies       what to send
     * @param timeout      client timeout per request
     * @param maxInFlight  safety cap: a request due while this many are outstanding is not sent (recorded as a
     *                     client-side failure)
     * @param podHeader    response header naming the pod or revision that served the request
     * @param maxDuration  hard stop for the whole run
     */
    public record Settings(URI target, int[] perSecond, ArrivalModel arrival, long seed, RequestBodies bodies,
                           Duration timeout, int maxInFlight, String podHeader, Duration maxDuration) {
    }

    /** Live counters for the progress line. */
    public static final class Progress {
        public final AtomicLong sent = new AtomicLong();
        public final AtomicLong ok = new AtomicLong();
        public final AtomicLong failed = new AtomicLong();
        public final AtomicInteger inFlight = new AtomicInteger();
        /** Latencies (ms) of the last second or so, for the rolling p99. */
        public final ConcurrentLinkedQueue<double[]> recent = new ConcurrentLinkedQueue<>();
    }

    private final Settings settings;
    private final HttpClient client;
    private final ExecutorService executor;
    private final Progress progress = new Progress();
    private final ConcurrentLinkedQueue<RequestRecord> done = new ConcurrentLinkedQueue<>();
    private volatile boolean stopped;
    private long startNanos;

    public OpenLoopRunner(Settings settings) {
        this.settings = settings;
        // A small pool runs the client's callbacks; the sending thread only schedules.
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "loadtest-http");
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).executor(executor).build();
    }

    public Progress progress() {
        return progress;
    }

    /** Seconds since the run started. */
    public double elapsedS() {
        return startNanos == 0 ? 0 : (System.nanoTime() - startNanos) / 1e9;
    }

    /** Asks the run to stop sending (ctrl-c): records so far are kept. */
    public void stop() {
        stopped = true;
    }

    /** Runs the schedule and waits for the answers; returns one record per scheduled request that was due. */
    public List<RequestRecord> run() {
        SplittableRandom rng = new SplittableRandom(settings.seed());
        int peak = 1;
        for (int c : settings.perSecond()) {
            peak = Math.max(peak, c);
        }
        double[] offsets = new double[peak];
        warmUp();
        long maxNanos = settings.maxDuration().toNanos();
        startNanos = System.nanoTime();
        long id = 0;
        schedule:
        for (int second = 0; second < settings.perSecond().length; second++) {
            int n = settings.perSecond()[second];
            settings.arrival().offsets(n, rng, offsets);
            for (int i = 0; i < n; i++) {
                double scheduledS = second + offsets[i];
                long due = startNanos + (long) (scheduledS * 1e9);
                if (stopped || due - startNanos > maxNanos) {
                    break schedule;
                }
                waitUntil(due);
                send(id++, scheduledS);
            }
        }
        drain();
        executor.shutdownNow();
        List<RequestRecord> out = new ArrayList<>(done);
        out.sort((a, b) -> Long.compare(a.id(), b.id()));
        return out;
    }

    /**
     * One GET before the clock starts: the HTTP client's first use loads classes and threads, which would otherwise
     * show up as send lag on the first scheduled requests. Its answer (often 405) does not matter.
     */
    private void warmUp() {
        try {
            client.send(HttpRequest.newBuilder(settings.target()).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            // the target may be down; the run will record that per request
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitUntil(long due) {
        for (long left; (left = due - System.nanoTime()) > 0; ) {
            // Park most of the wait, spin the last stretch: parking alone oversleeps by tens of microseconds.
            if (left > 200_000) {
                LockSupport.parkNanos(left - 100_000);
            } else {
                Thread.onSpinWait();
            }
        }
    }

    private void send(long id, double scheduledS) {
        long sentNanos = System.nanoTime();
        double sentS = (sentNanos - startNanos) / 1e9;
        if (progress.inFlight.get() >= settings.maxInFlight()) {
            finish(new RequestRecord(id, scheduledS, Double.NaN, Double.NaN, 0, Outcome.CONNECTION_ERROR,
                    "not sent: client in-flight cap " + settings.maxInFlight() + " reached", ""));
            return;
        }
        RequestBodies.Body body = settings.bodies().get(id);
        HttpRequest request = HttpRequest.newBuilder(settings.target()).timeout(settings.timeout())
                .header("Content-Type", body.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes())).build();
        progress.inFlight.incrementAndGet();
        progress.sent.incrementAndGet();
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            double latencyS = (System.nanoTime() - sentNanos) / 1e9;
            // The record is kept before the in-flight count drops: drain() returns at zero, and a record added after
            // that would be lost from the run (seen as a missing last request).
            try {
                if (error != null) {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    Outcome outcome = cause instanceof HttpTimeoutException
                            ? Outcome.TIMEOUT : Outcome.CONNECTION_ERROR;
                    finish(new RequestRecord(id, scheduledS, sentS, Double.NaN, 0, outcome, describe(cause), ""));
                    return;
                }
                int status = response.statusCode();
                Outcome outcome = status / 100 == 2 ? Outcome.OK
                        : status == 503 ? Outcome.REJECTED : Outcome.HTTP_ERROR;
                String pod = response.headers().firstValue(settings.podHeader()).orElse("");
                finish(new RequestRecord(id, scheduledS, sentS, latencyS, status, outcome,
                        outcome == Outcome.OK ? "" : "HTTP " + status, pod));
            } finally {
                progress.inFlight.decrementAndGet();
            }
        });
    }

    private void finish(RequestRecord r) {
        done.add(r);
        if (r.ok()) {
            progress.ok.incrementAndGet();
            progress.recent.add(new double[]{r.sentS() + r.latencyS(), r.latencyS() * 1000});
        } else {
            progress.failed.incrementAndGet();
        }
    }

    private void drain() {
        long deadline = System.nanoTime() + settings.timeout().toNanos() + TimeUnit.SECONDS.toNanos(2);
        while (progress.inFlight.get() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /** Requests still unanswered when the run stopped (ctrl-c): reported as timeouts by the caller. */
    public int unanswered() {
        return progress.inFlight.get();
    }

    private static String describe(Throwable t) {
        if (t instanceof HttpTimeoutException) {
            return "client timeout";
        }
        if (t instanceof ConnectException) {
            return "connection refused";
        }
        if (t instanceof IOException && t.getMessage() != null) {
            return t.getMessage();
        }
        return t.getClass().getSimpleName();
    }
}
