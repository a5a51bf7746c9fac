package io.elasticinference.function.api;

/**
 * A request the function answers with an error: an HTTP status, a stable machine-readable code and a message for
 * people. Serialised as {@code {"error": {"code": ..., "message": ...}}}; never carries a stack trace.
 */
public final class ApiError extends RuntimeException {

    private final int status;
    private final String code;
    private final Integer retryAfterSeconds;

    public ApiError(int status, String code, String message) {
        this(status, code, message, null);
    }

    public ApiError(int status, String code, String message, Integer retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The JSON body. */
    public record Body(Detail error) {
        public record Detail(String code, String message) {
        }
    }

    public Body body() {
        return new Body(new Body.Detail(code, getMessage()));
    }
}
