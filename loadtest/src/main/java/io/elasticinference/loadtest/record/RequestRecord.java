package io.elasticinference.loadtest.record;

/**
 * One request of a run, real or simulated. Times are seconds from the run's start.
 *
 * @param id          sequence number in schedule order
 * @param scheduledS  when the workload said to send it
 * @param sentS       when it actually left the client (simulated runs: equal to scheduledS)
 * @param latencyS    sent to response complete; {@code NaN} when there was no response (timeout, connection error)
 * @param status      HTTP status, 0 when there was none
 * @param outcome     what happened, see {@link Outcome}
 * @param detail      short error text or empty; never a stack trace
 * @param pod         the pod or revision that served it when the response says so, else empty
 */
public record RequestRecord(long id, double scheduledS, double sentS, double latencyS, int status,
                            Outcome outcome, String detail, String pod) {

    public RequestRecord {
        detail = detail == null ? "" : detail;
        pod = pod == null ? "" : pod;
    }

    /** Send lag: how late the client was against the schedule. */
    public double sendLagS() {
        return sentS - scheduledS;
    }

    public boolean ok() {
        return outcome == Outcome.OK;
    }
}
