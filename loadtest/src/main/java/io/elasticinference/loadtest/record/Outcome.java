package io.elasticinference.loadtest.record;

/** How a request ended. The names are written as-is into {@code requests.csv} and the summary. */
public enum Outcome {
    /** A 2xx response. */
    OK,
    /** 503 from the server's admission control or the activator (the server said "busy"). */
    REJECTED,
    /** Any other non-2xx HTTP status. */
    HTTP_ERROR,
    /** No complete response within the client timeout. */
    TIMEOUT,
    /** Could not connect or the connection broke. */
    CONNECTION_ERROR
}
