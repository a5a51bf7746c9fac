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
 *
 * <p>A request goes through two doors. As it arrives ({@link #tryArrive}), before its body is read, it is refused if
 * slots and queue are taken, if the bodies inside would grow beyond their bound, or if too many bodies are arriving
 * already. Once its body is in ({@link Arrival#bodyArrived}), it takes one of the slots + queue places, or is refused
 * if they filled meanwhile. A body on its way holds memory but no place: a slow client uploading a photo over a
 * mobile link must not take the place of the requests that are ready to run, and clients enough to take all places
 * would otherwise make the function refuse everything while its CPUs sit idle.
 */
public final class AdmissionControl {

    private final Semaphore slots;
    private final int queueSize;
    private final long maxWaitNanos;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger inService = new AtomicInteger();
    /** Requests whose body is in, until they end: at most slots + queue. */
    private final AtomicInteger entered = new AtomicInteger();
    private final int maxEntered;
    /** Requests whose body is on its way. */
    private final AtomicInteger arriving = new AtomicInteger();
    private final int maxArriving;
    /** Body bytes of the requests inside and arriving, as declared (or at the limit when not declared). */
    private final AtomicLong bodyBytesInside = new AtomicLong();
    private final long maxBodyBytesInside;

    public AdmissionControl(int slots, int queueSize, long maxWaitNanos) {
        this(slots, queueSize, maxWaitNanos, Long.MAX_VALUE, Integer.MAX_VALUE);
    }

    /**
     * @param maxBodyBytesInside the sum of the bodies of the requests inside and arriving, at most (one request is
     *                           always let in when none is inside, whatever its size)
     * @param maxArriving        requests whose body is on its way, at most
     */
    public AdmissionControl(int slots, int queueSize, long maxWaitNanos, long maxBodyBytesInside, int maxArriving) {
        if (slots < 1 || queueSize < 0 || maxWaitNanos < 0 || maxBodyBytesInside < 1 || maxArriving < 1) {
            throw new IllegalArgumentException("slots >= 1, queueSize >= 0, maxWait >= 0, maxBodyBytes >= 1, "
                    + "maxArriving >= 1 required");
        }
        this.slots = new Semaphore(slots, true);
        this.queueSize = queueSize;
        this.maxWaitNanos = maxWaitNanos;
        this.maxEntered = slots + queueSize;
        this.maxBodyBytesInside = maxBodyBytesInside;
        this.maxArriving = maxArriving;
    }

    /**
     * The first door, as a request arrives and before its body is read. Refusing here, on the I/O thread, is what
     * keeps memory bounded under overload: a request refused later has had its body buffered.
     *
     * @param bodyBytes this request's body as declared, or the largest allowed when it is not declared
     * @return the request's passage, to be {@linkplain Arrival#leave() left} when the request ends; null when the
     *         function is full, its bodies would be too large together or too many are arriving: answer 503 at once
     */
    public Arrival tryArrive(long bodyBytes) {
        if (entered.get() >= maxEntered || !increment(arriving, maxArriving)) {
            return null;
        }
        long bytes;
        do {
            bytes = bodyBytesInside.get();
            if (bytes > 0 && bytes + bodyBytes > maxBodyBytesInside) {
                arriving.decrementAndGet();
                return null;
            }
        } while (!bodyBytesInside.compareAndSet(bytes, bytes + bodyBytes));
        return new Arrival(bodyBytes);
    }

    /** Increments {@code counter} unless it is at {@code max} (compare-and-set: never above it, even briefly). */
    private static boolean increment(AtomicInteger counter, int max) {
        int n;
        do {
            n = counter.get();
            if (n >= max) {
                return false;
            }
        } while (!counter.compareAndSet(n, n + 1));
        return true;
    }

    /** One request between its arrival and its end. Used by the I/O thread that reads it, one call at a time. */
    public final class Arrival {
        private final long bodyBytes;
        private boolean bodyIn;
        private boolean inside;
        private boolean left;

        private Arrival(long bodyBytes) {
            this.bodyBytes = bodyBytes;
        }

        /**
         * The second door: the body is in, and the request takes one of the slots + queue places.
         *
         * @return false when they are all taken, or the request has left already (its connection closed): answer 503
         *         (the request still {@linkplain #leave() leaves})
         */
        public boolean bodyArrived() {
            if (bodyIn) {
                throw new IllegalStateException("the body of this request has arrived already");
            }
            if (left) {
                return false;
            }
            bodyIn = true;
            arriving.decrementAndGet();
            inside = increment(entered, maxEntered);
            return inside;
        }

        /** The request has ended, answered or not; a second call does nothing. */
        public void leave() {
            if (left) {
                return;
            }
            left = true;
            if (!bodyIn) {
                arriving.decrementAndGet();
            }
            if (inside) {
                entered.decrementAndGet();
            }
            bodyBytesInside.addAndGet(-bodyBytes);
        }
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

    /** Requests whose body is on its way. */
    public int arriving() {
        return arriving.get();
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
