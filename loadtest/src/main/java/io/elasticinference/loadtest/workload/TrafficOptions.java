package io.elasticinference.loadtest.workload;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The traffic options shared by {@code run} and {@code simulate}, so a real and a simulated run of the same workload
 * are asked for with the same words.
 */
public final class TrafficOptions {

    @Option(names = "--workload", required = true, paramLabel = "FILE",
            description = "Whitespace-separated whole numbers, one per second: requests in that second "
                    + "(e.g. ../shared/workloads/course-630s.txt).")
    public Path workload;

    @Option(names = "--scale", defaultValue = "1", description = "Multiply every second's count (default ${DEFAULT-VALUE}).")
    public double scale;

    @Option(names = "--from", defaultValue = "0", description = "First second of the workload to replay (default ${DEFAULT-VALUE}).")
    public int from;

    @Option(names = "--to", defaultValue = "-1", description = "Second to stop before (default: the end).")
    public int to;

    @Option(names = "--arrival", defaultValue = "poisson", paramLabel = "MODEL",
            description = "Arrivals inside each second: poisson, uniform, or all-at-once (alias step) "
                    + "(default ${DEFAULT-VALUE}).")
    public String arrival;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}).")
    public long seed;

    @Option(names = "--slo", defaultValue = "0.33s", converter = SecondsConverter.class, paramLabel = "DURATION",
            description = "Latency objective the summary measures against, e.g. 0.33s or 330ms (default ${DEFAULT-VALUE}).")
    public double sloS;

    @Option(names = "--timeout", defaultValue = "10s", converter = SecondsConverter.class, paramLabel = "DURATION",
            description = "Client timeout per request (default ${DEFAULT-VALUE}).")
    public double timeoutS;

    /** The selected slice of the workload, scaled; IllegalArgumentException with a clear message otherwise. */
    public Traffic traffic() throws java.io.IOException {
        int[] counts = WorkloadFile.read(workload);
        return Traffic.slice(counts, workload.getFileName().toString(), from, to < 0 ? counts.length : to, scale);
    }

    public ArrivalModel arrivalModel() {
        return ArrivalModel.parse(arrival);
    }
}
