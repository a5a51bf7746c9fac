package io.elasticinference.loadtest.run;

import io.elasticinference.loadtest.record.Outcome;
import io.elasticinference.loadtest.record.RequestRecord;
import io.elasticinference.loadtest.workload.ArrivalModel;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
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
    private final Vertx vertx;
    private final HttpClient client;
    private final Context context;
    private final RequestOptions requestOptions;
    private final Progress progress = new Progress();
    private final ConcurrentLinkedQueue<RequestRecord> done = new ConcurrentLinkedQueue<>();
    private volatile boolean stopped;
    private long startNanos;

    public OpenLoopRunner(Settings settings) {
        this.settings = settings;
        // One event loop does all the I/O: the pacing thread only hands requests over, so two threads carry the
        // whole run (measured at 2,000 requests/s on one core in docs/benchmarks.md). The JDK's HttpClient needed
        // several times the CPU per request.
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout(5_000)
                .setKeepAlive(true)
                .setTryUseCompression(false), new PoolOptions().setHttp1MaxSize(settings.maxInFlight())
                .setMaxWaitQueueSize(-1));
        this.context = vertx.getOrCreateContext();
        URI target = settings.target();
        this.requestOptions = new RequestOptions().setAbsoluteURI(target.toString()).setMethod(HttpMethod.POST);
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
        client.close();
        vertx.close();
        List<RequestRecord> out = new ArrayList<>(done);
        out.sort((a, b) -> Long.compare(a.id(), b.id()));
        return out;
    }

    /**
     * One GET before the clock starts: the client's first use loads classes and opens a connection, which would
     * otherwise show up as send lag on the first scheduled requests. Its answer (often 405) does not matter.
     */
    private void warmUp() {
        try {
            client.request(new RequestOptions(requestOptions).setMethod(HttpMethod.GET))
                    .compose(req -> req.send().compose(HttpClientResponse::body))
                    .toCompletionStage().toCompletableFuture().get(2, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // the target may be down; the run will record that per request
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitUntil(long due) {
        // Park, never spin: on one core a spinning pacer competes with the event loop that does the sending.
        // Parking oversleeps by ~50-100 us, which the per-request send lag records (p99 2.6-3.4 ms at 2,000/s).
        for (long left; (left = due - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
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
        progress.inFlight.incrementAndGet();
        progress.sent.incrementAndGet();
        Attempt attempt = new Attempt();
        // A whole-request deadline (Vert.x's own timeout is an idle timeout): a reply that trickles in late is late.
        attempt.timer = vertx.setTimer(Math.max(1, settings.timeout().toMillis()), t -> {
            if (attempt.complete(new RequestRecord(id, scheduledS, sentS, Double.NaN, 0, Outcome.TIMEOUT,
                    "client timeout", "")) && attempt.request != null) {
                attempt.request.reset();
            }
        });
        // Everything the client does runs on its one event-loop context: calls from the pacing thread would each
        // get a fresh context, and under load some answers were then never delivered (measured: ~40 in 66,000).
        context.runOnContext(v -> {
            client.request(requestOptions)
                    .compose(req -> {
                        attempt.request = req;
                        if (attempt.finished.get()) {
                            req.reset();
                        }
                        req.putHeader(HttpHeaders.CONTENT_TYPE, body.contentType());
                        return req.send(Buffer.buffer(body.bytes()));
                    })
                    .compose(response -> response.body().map(ignored -> response))
                    .onComplete(ar -> {
                        vertx.cancelTimer(attempt.timer);
                        if (ar.failed()) {
                            attempt.complete(new RequestRecord(id, scheduledS, sentS, Double.NaN, 0,
                                    Outcome.CONNECTION_ERROR, describe(ar.cause()), ""));
                            return;
                        }
                        double latencyS = (System.nanoTime() - sentNanos) / 1e9;
                        HttpClientResponse response = ar.result();
                        int status = response.statusCode();
                        Outcome outcome = status / 100 == 2 ? Outcome.OK
                                : status == 503 ? Outcome.REJECTED : Outcome.HTTP_ERROR;
                        String pod = response.getHeader(settings.podHeader());
                        attempt.complete(new RequestRecord(id, scheduledS, sentS, latencyS, status, outcome,
                                outcome == Outcome.OK ? "" : "HTTP " + status, pod == null ? "" : pod));
                    });
        });
    }

    /** One request's life: whichever of answer, failure or deadline comes first writes its record. */
    private final class Attempt {
        final AtomicBoolean finished = new AtomicBoolean();
        volatile long timer;
        volatile HttpClientRequest request;

        boolean complete(RequestRecord record) {
            if (!finished.compareAndSet(false, true)) {
                return false;
            }
            // The record is kept before the in-flight count drops: drain() returns at zero, and a record added
            // after that would be lost from the run.
            finish(record);
            progress.inFlight.decrementAndGet();
            return true;
        }
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
        if (t instanceof ConnectException || t.getCause() instanceof ConnectException) {
            return "connection refused";
        }
        if (t.getMessage() != null) {
            return t.getMessage();
        }
        return t.getClass().getSimpleName();
    }
}
