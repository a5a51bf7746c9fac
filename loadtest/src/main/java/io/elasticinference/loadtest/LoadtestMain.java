package io.elasticinference.loadtest;

import picocli.CommandLine;
import io.elasticinference.loadtest.coldstart.ColdStartCommand;
import io.elasticinference.loadtest.kpareplay.KpaReplayCommand;
import io.elasticinference.loadtest.report.CompareCommand;
import io.elasticinference.loadtest.run.RunCommand;
import io.elasticinference.loadtest.simulate.SimulateCommand;
import io.elasticinference.loadtest.sink.SinkCommand;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code loadtest.jar}: one subcommand per job (run, simulate, compare, kpa-replay, sink, cold-start).
 */
@Command(name = "loadtest", mixinStandardHelpOptions = true, version = "loadtest 0.1.0",
        subcommands = {RunCommand.class, SimulateCommand.class, CompareCommand.class, KpaReplayCommand.class,
                SinkCommand.class, ColdStartCommand.class},
        description = "Open-loop load tester, scaling lab and cold-start timer for Elastic Inference.")
public final class LoadtestMain {
    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadtestMain()).execute(args));
    }
}
