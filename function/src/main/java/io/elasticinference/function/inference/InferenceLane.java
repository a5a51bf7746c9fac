package io.elasticinference.function.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A fixed number of model runs in flight ("runners"), each taking from one queue whatever requests are waiting,
 * up to a maximum, and running them as one batch.
 *
 * <p>Why: the model's throughput is capped by CPU, and requests that arrive while every runner is busy would
 * otherwise run one by one; as a batch they share the fixed costs of a forward pass (measured on 2 cores: a batch
 * of 4 costs ~10% less per image than four single runs, docs/benchmarks.md). With {@code maxWait} 0 a request never
 * waits for a batch to fill: only for a runner, so at low load nothing changes.
 *
 * <p>A run that starts while no other is in flight and nothing waits may go to a second model, the "lone" one,
 * which uses more threads ({@link #useWhenAlone}): one thread per run serves the most images a second under load,
 * but leaves a lone request's other cores idle.
 */
public final class InferenceLane implements AutoCloseable {

    /**
     * What one request got back, and what it cost.
     *
     * @param positionInBatch 0 for exactly one request of each batch, so per-batch metrics are recorded once
     * @param alone           whether the batch ran on the lone-run model
     */
    public record Result(float[] probabilities, int batchSize, int positionInBatch, long waitNanos, long runNanos,
                         boolean alone) {
    }

    private record Job(float[] tensor, long enqueuedNanos, CompletableFuture<Result> result) {
    }

    private static final Job STOP = new Job(null, 0, null);

    /**
     * Share of recent runs that started alone during which another request arrived, above which runs stay on the
     * shared model (see {@link LoneRunPolicy}).
     */
    public static final double DEFAULT_LONE_OVERLAP = 0.3;

    private final Function<List<float[]>, float[][]> model;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    /** Runs in progress, so a runner can tell whether its run would be the only one. */
    private final AtomicInteger running = new AtomicInteger();
    /** Requests handed to the lane so far, so a run can tell whether one arrived while it ran. */
    private final AtomicLong arrivals = new AtomicLong();
    private volatile Function<List<float[]>, float[][]> aloneModel;
    private final LoneRunPolicy loneRuns;
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean closed;

    /**
     * @param model    softmax probabilities for a batch of tensors, one row per tensor, in order
     * @param maxBatch largest batch handed to the model (1 = no batching)
     * @param maxWait  how long the lane may hold a batch open for more requests once the model is free (0 = never)
     * @param runners  model runs in flight at once (each a thread taking batches from the one queue)
     */
    public InferenceLane(Function<List<float[]>, float[][]> model, int maxBatch, java.time.Duration maxWait,
                         int runners) {
        this(model, maxBatch, maxWait, runners, DEFAULT_LONE_OVERLAP);
    }

    /**
     * @param loneOverlap share of recent runs that started alone with an arrival during them above which no run goes
     *                    to the lone model
     */
    public InferenceLane(Function<List<float[]>, float[][]> model, int maxBatch, java.time.Duration maxWait,
                         int runners, double loneOverlap) {
        this.loneRuns = new LoneRunPolicy(loneOverlap);
        if (runners < 1) {
            throw new IllegalArgumentException("runners must be at least 1, got " + runners);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative, got " + maxWait);
        }
        this.model = model;
        this.maxBatch = maxBatch;
        this.maxWaitNanos = maxWait.toNanos();
        for (int i = 0; i < runners; i++) {
            Thread worker = new Thread(this::runLoop, "inference-lane-" + i);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
    }

    /**
     * From now on, a run that would be the only one in flight (no other running, none waiting) goes to
     * {@code model}: the same classifier, on more threads. Installed once it is loaded, after the lane started.
     */
    public void useWhenAlone(Function<List<float[]>, float[][]> model) {
        this.aloneModel = model;
    }

    /** Requests handed to the lane so far. */
    public long arrivals() {
        return arrivals.get();
    }

    /** Whether no run is in flight and no request waits for one. */
    public boolean idle() {
        return running.get() == 0 && queue.isEmpty();
    }

    /** Runs the model on one tensor, possibly batched with others; blocks until its result is ready. */
    public Result classify(float[] tensor) throws InterruptedException {
        if (closed) {
            throw new IllegalStateException("the inference lane is closed");
        }
        CompletableFuture<Result> result = new CompletableFuture<>();
        arrivals.incrementAndGet();
        queue.add(new Job(tensor, System.nanoTime(), result));
        try {
            return result.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    private void runLoop() {
        List<Job> batch = new ArrayList<>(maxBatch);
        while (true) {
            batch.clear();
            try {
                Job first = queue.take();
                if (first == STOP) {
                    return;
                }
                batch.add(first);
                gather(batch);
            } catch (InterruptedException e) {
                failAll(batch, e);
                return;
            }
            int stops = 0;
            while (batch.remove(STOP)) {
                stops++;
            }
            if (!batch.isEmpty()) {
                run(batch);
            }
            if (stops > 0) {
                // One stop per runner: those this runner took for others go back to the queue.
                for (int i = 1; i < stops; i++) {
                    queue.add(STOP);
                }
                return;
            }
        }
    }

    private void gather(List<Job> batch) throws InterruptedException {
        queue.drainTo(batch, maxBatch - batch.size());
        if (maxWaitNanos == 0) {
            return;
        }
        long deadline = System.nanoTime() + maxWaitNanos;
        while (batch.size() < maxBatch && !batch.contains(STOP)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            Job next = queue.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            batch.add(next);
        }
    }

    private void run(List<Job> batch) {
        // Counted before the choice, so of two runners starting at once at most one sees itself alone; a request
        // that arrives during a lone run goes to the other runner's single-threaded run, not behind it.
        boolean onlyRun = running.incrementAndGet() == 1;
        Function<List<float[]>, float[][]> lone = aloneModel;
        long arrivedBefore = arrivals.get(); // before the queue is looked at: a later arrival counts as an overlap
        long start = System.nanoTime();
        boolean watched = onlyRun && lone != null && queue.isEmpty();
        boolean alone = false;
        if (watched) {
            synchronized (loneRuns) {
                alone = loneRuns.allows();
            }
        }
        float[][] probabilities;
        long runNanos;
        try {
            List<float[]> tensors = new ArrayList<>(batch.size());
            for (Job job : batch) {
                tensors.add(job.tensor());
            }
            probabilities = (alone ? lone : model).apply(tensors);
            runNanos = System.nanoTime() - start;
        } catch (RuntimeException | Error e) {
            running.decrementAndGet();
            failAll(batch, e);
            return;
        }
        // The run is over before anyone hears of it: a caller that sends its next request at once must find this
        // runner counted out, or that request could never run alone.
        running.decrementAndGet();
        if (watched) {
            boolean overlapped = arrivals.get() != arrivedBefore;
            synchronized (loneRuns) {
                loneRuns.watched(overlapped);
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            Job job = batch.get(i);
            job.result().complete(new Result(probabilities[i], batch.size(), i, start - job.enqueuedNanos(),
                    runNanos, alone));
        }
    }

    private static void failAll(List<Job> batch, Throwable e) {
        for (Job job : batch) {
            if (job != STOP) {
                job.result().completeExceptionally(e);
            }
        }
    }

    /** Finishes what was queued, then stops the lane's thread. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 0; i < workers.size(); i++) {
            queue.add(STOP);
        }
        try {
            for (Thread worker : workers) {
                worker.join(TimeUnit.SECONDS.toMillis(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
