package io.elasticinference.function.admission;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounded admission: at most {@code slots} requests are processed at once and at most {@code queueSize} wait for a
 * slot, each for at most {@code maxWaitNanos}. Everything beyond is refused at once, so overload never turns into an
 * unbounded queue (memory stays bounded and admitted requests keep their latency). Pure Java: the HTTP layer maps a
 * refusal to 503 + Retry-After.
 */
public final class AdmissionControl {

    private final Semaphore slots;
    private final int queueSize;
    private final long maxWaitNanos;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger inService = new AtomicInteger();
    private final AtomicInteger entered = new AtomicInteger();
    private final int maxEntered;
    /** Body bytes of the requests inside, as declared (or at the limit when not declared). */
    private final AtomicLong bodyBytesInside = new AtomicLong();
    private final long maxBodyBytesInside;

    public AdmissionControl(int slots, int queueSize, long maxWaitNanos) {
        this(slots, queueSize, maxWaitNanos, Long.MAX_VALUE);
    }

    /**
     * @param maxBodyBytesInside the sum of the bodies of the requests inside, at most (one request is always let in
     *                           when none is inside, whatever its size)
     */
    public AdmissionControl(int slots, int queueSize, long maxWaitNanos, long maxBodyBytesInside) {
        if (slots < 1 || queueSize < 0 || maxWaitNanos < 0 || maxBodyBytesInside < 1) {
            throw new IllegalArgumentException("slots >= 1, queueSize >= 0, maxWait >= 0, maxBodyBytes >= 1 required");
        }
        this.slots = new Semaphore(slots, true);
        this.queueSize = queueSize;
        this.maxWaitNanos = maxWaitNanos;
        this.maxEntered = slots + queueSize;
        this.maxBodyBytesInside = maxBodyBytesInside;
    }

    /**
     * Called as a request arrives, before its body is read: at most slots + queue requests are inside the function
     * at once. Refusing here, on the I/O thread, is what keeps memory bounded under overload: a request refused
     * later would already have had its body buffered and a worker thread queued for it.
     *
     * @return false when the function is full: answer 503 at once
     */
    public boolean tryEnter() {
        return tryEnter(0);
    }

    /**
     * As {@link #tryEnter()}, and the bodies inside may not exceed their bound: the heap holds each body (twice
     * while it is read), and slots + queue bodies at the largest size allowed are more than a small container's heap.
     *
     * @param bodyBytes this request's body as declared, or the largest allowed when it is not declared
     * @return false when the function is full or its bodies would be too large together: answer 503 at once
     */
    public boolean tryEnter(long bodyBytes) {
        long bytes;
        do {
            bytes = bodyBytesInside.get();
            if (bytes > 0 && bytes + bodyBytes > maxBodyBytesInside) {
                return false;
            }
        } while (!bodyBytesInside.compareAndSet(bytes, bytes + bodyBytes));
        int n;
        do {
            n = entered.get();
            if (n >= maxEntered) {
                bodyBytesInside.addAndGet(-bodyBytes);
                return false;
            }
        } while (!entered.compareAndSet(n, n + 1));
        return true;
    }

    /** The request that {@link #tryEnter()} let in has ended. */
    public void exit() {
        exit(0);
    }

    /** The request that {@link #tryEnter(long)} let in with {@code bodyBytes} has ended. */
    public void exit(long bodyBytes) {
        entered.decrementAndGet();
        bodyBytesInside.addAndGet(-bodyBytes);
    }

    /**
     * Takes a slot, waiting in the bounded queue if needed.
     *
     * @return a permit to close when the work is done
     * @throws RefusedException when the queue is full, the wait ran out, or the thread was interrupted
     */
    public Permit acquire() throws RefusedException {
        if (slots.tryAcquire()) {
            return admitted(0);
        }
        // Reserve a place in the queue first (compare-and-set, so the count never exceeds the bound even
        // momentarily when many threads arrive together).
        int w;
        do {
            w = waiting.get();
            if (w >= queueSize) {
                throw new RefusedException(RefusedException.Reason.QUEUE_FULL);
            }
        } while (!waiting.compareAndSet(w, w + 1));
        long start = System.nanoTime();
        try {
            if (!slots.tryAcquire(maxWaitNanos, TimeUnit.NANOSECONDS)) {
                throw new RefusedException(RefusedException.Reason.WAIT_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RefusedException(RefusedException.Reason.INTERRUPTED);
        } finally {
            waiting.decrementAndGet();
        }
        return admitted(System.nanoTime() - start);
    }

    private Permit admitted(long waitedNanos) {
        inService.incrementAndGet();
        return new Permit(waitedNanos);
    }

    public int inService() {
        return inService.get();
    }

    public int waiting() {
        return waiting.get();
    }

    /** A held slot; closing it twice releases once. */
    public final class Permit implements AutoCloseable {
        private final long waitedNanos;
        private boolean released;

        private Permit(long waitedNanos) {
            this.waitedNanos = waitedNanos;
        }

        public long waitedNanos() {
            return waitedNanos;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                inService.decrementAndGet();
                slots.release();
            }
        }
    }
}
