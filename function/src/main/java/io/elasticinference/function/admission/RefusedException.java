package io.elasticinference.function.admission;

/** The request was not admitted: the function is at capacity. Maps to 503 with Retry-After. */
public final class RefusedException extends Exception {

    public enum Reason {
        QUEUE_FULL("all processing slots are busy and the wait queue is full"),
        WAIT_TIMEOUT("no processing slot became free within the maximum wait"),
        INTERRUPTED("the server is shutting down"),
        NOT_READY("the model is still loading"),
        DRAINING("the server is shutting down");

        private final String message;

        Reason(String message) {
            this.message = message;
        }
    }

    private final Reason reason;

    public RefusedException(Reason reason) {
        super(reason.message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
