package io.elasticinference.loadtest.simulate;

import io.elasticinference.loadtest.workload.Traffic;

import io.elasticinference.loadtest.workload.TrafficOptions;

import io.elasticinference.loadtest.record.RunInfo;
import io.elasticinference.loadtest.simulation.DataPath;
import io.elasticinference.loadtest.simulation.PodStartup;
import io.elasticinference.loadtest.simulation.ServiceTimes;
import io.elasticinference.loadtest.simulation.SimAutoscaler;
import io.elasticinference.loadtest.simulation.SimulationConfig;
import io.elasticinference.loadtest.simulation.SimulationResult;
import io.elasticinference.loadtest.simulation.Simulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code loadtest simulate}: replays a workload against a simulated Knative revision under one autoscaler and writes
 * a run directory like a real run's; with {@code --sweep} it repeats that over a parameter's values and draws the
 * cost / SLO-violation frontier.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Simulate one Knative revision under an autoscaler (discrete-event, deterministic per seed) and "
                + "write a run directory like 'loadtest run' does.",
                "With --sweep, simulate once per value and write sweep.md, sweep.csv and frontier.png."})
public final class SimulateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    // ------------------------------------------------------------------ traffic
    @Mixin
    TrafficOptions trafficOptions;

    // ------------------------------------------------------------------ serving
    @Option(names = "--service-times", defaultValue = "default", paramLabel = "SPEC",
            description = {"Unloaded service time per request on one pod: 'default' (bundled, measured-like, mean "
                    + "~15 ms on 2 CPUs), lognormal:MEAN[:CV], exponential:MEAN, constant:MEAN (seconds), or a file of "
                    + "measured times (one number of seconds per line)."})
    String serviceTimes;

    @Option(names = "--cpus", defaultValue = "2", description = "CPUs per pod (default ${DEFAULT-VALUE}).")
    int cpus;

    @Option(names = "--threads", defaultValue = "2",
            description = "CPUs one request can use (intra-op threads) (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--container-concurrency", defaultValue = "0",
            description = "Knative containerConcurrency, 0 = unlimited (default ${DEFAULT-VALUE}).")
    int containerConcurrency;

    @Option(names = "--activator-capacity", defaultValue = "10000",
            description = "Requests the activator buffers before 503 (default ${DEFAULT-VALUE}).")
    int activatorCapacity;

    @Option(names = "--startup", defaultValue = "jvm", paramLabel = "PRESET",
            description = "Pod start-up preset: jvm (1 s scheduling + 4 s start) or native (1 s + 1.5 s) (default ${DEFAULT-VALUE}).")
    String startupPreset;

    @Option(names = "--scheduling-delay", paramLabel = "SECONDS", description = "Override the preset's scheduling delay.")
    Double schedulingDelay;

    @Option(names = "--startup-delay", paramLabel = "SECONDS", description = "Override the preset's start-up delay.")
    Double startupDelay;

    @Option(names = "--termination-delay", defaultValue = "0", paramLabel = "SECONDS",
            description = "Seconds a drained pod still holds its resources (default ${DEFAULT-VALUE}).")
    double terminationDelay;

    // ------------------------------------------------------------------ autoscaler
    @CommandLine.Mixin
    AutoscalerOptions autoscalerOptions = new AutoscalerOptions();

    // ------------------------------------------------------------------ output
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory to write (a sweep: its parent).")
    Path out;

    @Option(names = "--name", description = "Run name in reports (default: the autoscaler's).")
    String name;

    @Option(names = "--no-requests", description = "Skip requests.csv (millions of rows for long runs).")
    boolean noRequests;

    @Option(names = "--no-plots", description = "Skip the PNG plots.")
    boolean noPlots;

    @Option(names = "--sweep", paramLabel = "OPTION=V1,V2,...",
            description = {"Run once per value of an option of this command, e.g. kpa-target=10,25,50,100 or "
                    + "autoscaler=kpa,hpa-70,latency. Repeatable: each sweep is one series of the frontier plot. "
                    + "Sweeping a kpa-*, hpa-* or latency-* option runs that autoscaler."})
    List<String> sweeps = new ArrayList<>();

    @Option(names = "--quiet", description = "Print nothing but errors.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (!sweeps.isEmpty()) {
                return new Sweep(this, spec.commandLine().getParseResult().originalArgs()).run();
            }
            Outcome o = runOnce();
            if (!quiet) {
                PrintWriter w = spec.commandLine().getOut();
                w.println(o.describe());
                w.flush();
            }
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("simulate: " + e.getMessage());
            err.flush();
            return 2;
        }
    }

    /** A finished simulated run: where it was written and its numbers. */
    record Outcome(String name, Path dir, SimulationResult result, Map<String, String> params) {
        String describe() {
            SimulationResult r = result;
            return String.format(Locale.ROOT, "%s: %,d requests, %.3f%% over SLO, p50 %.3f s, p99 %.3f s, "
                            + "%d timeouts, %d rejected, %.0f replica-seconds, peak %d pods; simulated %.0f s in %.2f s "
                            + "(%,d events) -> %s",
                    name, r.requests(), 100 * r.overSloShare(), r.p50S(), r.p99S(), r.timeouts(), r.rejected(),
                    r.replicaSeconds(), r.peakReplicas(), r.simulatedS(), r.wallS(), r.events(), dir);
        }
    }

    Outcome runOnce() throws IOException {
        SimulationConfig config = config();
        SimAutoscaler autoscaler = autoscalerOptions.create(config);
        String runName = name != null ? name : autoscaler.name();
        Map<String, String> params = new LinkedHashMap<>();
        params.put("seed", Long.toString(trafficOptions.seed));
        params.put("scale", Double.toString(trafficOptions.scale));
        params.put("arrival", trafficOptions.arrival);
        params.put("service_times", config.serviceTimes().describe());
        params.put("cpus_per_pod", Integer.toString(cpus));
        params.put("threads_per_request", Integer.toString(threads));
        params.put("container_concurrency", Integer.toString(containerConcurrency));
        params.put("startup", config.startup().toString());
        params.put("timeout_s", Double.toString(trafficOptions.timeoutS));
        params.putAll(autoscalerOptions.describe());
        RunInfo info = new RunInfo(runName, "simulated", autoscaler.name(), config.traffic().label(),
                trafficOptions.sloS, params);
        SimulationResult result;
        try (SimulatedRunWriter writer = new SimulatedRunWriter(out, trafficOptions.sloS, !noRequests)) {
            result = Simulator.run(config, autoscaler, writer);
            writer.finish(info, result, !noPlots);
        }
        return new Outcome(runName, out, result, params);
    }

    SimulationConfig config() throws IOException {
        Traffic traffic = trafficOptions.traffic();
        PodStartup startup = PodStartup.preset(startupPreset).withTerminationS(terminationDelay);
        if (schedulingDelay != null) {
            startup = startup.withSchedulingS(schedulingDelay);
        }
        if (startupDelay != null) {
            startup = startup.withStartupS(startupDelay);
        }
        DataPath path = new DataPath(cpus, threads, containerConcurrency, 10 * containerConcurrency,
                activatorCapacity, trafficOptions.timeoutS);
        return new SimulationConfig(traffic, trafficOptions.arrivalModel(), ServiceTimes.parse(serviceTimes),
                path, startup, trafficOptions.sloS, trafficOptions.seed);
    }
}
