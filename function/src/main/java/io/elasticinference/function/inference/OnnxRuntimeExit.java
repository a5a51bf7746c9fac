package io.elasticinference.function.inference;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What an exit must wait for before the JVM shuts down. ONNX Runtime's Java binding releases its native environment
 * in a JVM shutdown hook, and the JVM runs its shutdown hooks concurrently, so no other hook can hold that release
 * back: a session still being created when the exit starts then crashes the process (SIGSEGV or a failed assertion in
 * libonnxruntime, an hs_err file, exit status 134). Measured: SIGTERM within half a second of readiness, while the
 * lone-run session loads, crashed 5 starts of 6; SIGTERM during start-up 6 of 12. So every exit path calls
 * {@link #closeAndAwait} before it lets the JVM exit, and every session is created inside {@link #creatingSession}.
 *
 * <p>Runs are not counted here: every run belongs to an admitted request, and the drain waits for those.
 */
public final class OnnxRuntimeExit {

    /**
     * How long an exit waits for a session being created: a load takes 0.3-1 s on the 2-core machines here, so this
     * is a bound for a stuck one, not a wait anyone should see.
     */
    public static final Duration LONGEST_WAIT = Duration.ofSeconds(10);

    private static final OnnxRuntimeExit PROCESS = new OnnxRuntimeExit();

    private final Object lock = new Object();
    private int creating;
    private boolean closed;

    /** The process's own; a test makes its own instance, so that closing it leaves the process's open. */
    OnnxRuntimeExit() {
    }

    public static OnnxRuntimeExit process() {
        return PROCESS;
    }

    /** Held while a session is created; closing it ends the creation. */
    public interface Creation extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Marks a session creation. Once an exit has begun no creation may start: it would run into the release.
     *
     * @throws IOException when the process is exiting
     */
    public Creation creatingSession() throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new IOException("the process is exiting: no new ONNX Runtime session");
            }
            creating++;
        }
        return this::created;
    }

    private void created() {
        synchronized (lock) {
            creating--;
            lock.notifyAll();
        }
    }

    /**
     * From now on no session creation starts; waits until those in progress have ended, at most {@code maxWaitNanos}.
     *
     * @return whether none is in progress any more (false: the wait timed out, or was interrupted)
     */
    public boolean closeAndAwait(long maxWaitNanos) {
        long deadline = System.nanoTime() + maxWaitNanos;
        synchronized (lock) {
            closed = true;
            while (creating > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /** Session creations in progress now (for tests and logs). */
    public int inProgress() {
        synchronized (lock) {
            return creating;
        }
    }
}
