package io.elasticinference.loadtest.report;

import io.elasticinference.loadtest.LoadtestMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompareCommandTest {

    @Test
    void comparesSimulatedRunsWithAStep(@TempDir Path tmp) throws Exception {
        StringBuilder wl = new StringBuilder();
        for (int s = 0; s < 200; s++) {
            wl.append(s < 100 ? 50 : 150).append(' ');
        }
        Path workload = tmp.resolve("step.txt");
        Files.writeString(workload, wl);
        for (String a : new String[]{"kpa", "latency"}) {
            int exit = new CommandLine(new LoadtestMain()).execute("simulate", "--workload", workload.toString(),
                    "--autoscaler", a, "--out", tmp.resolve(a).toString(), "--quiet");
            assertEquals(0, exit);
        }
        int exit = new CommandLine(new LoadtestMain()).execute("compare", tmp.resolve("kpa").toString(),
                tmp.resolve("latency").toString(), "--out", tmp.resolve("cmp").toString());
        assertEquals(0, exit);
        String md = Files.readString(tmp.resolve("cmp/compare.md"));
        assertTrue(md.contains("| kpa |") && md.contains("| latency |"), md);
        assertTrue(Files.size(tmp.resolve("cmp/p99.png")) > 1000);
        assertTrue(Files.size(tmp.resolve("cmp/replicas.png")) > 1000);
        // the step at 100 s is found: a number of seconds or "never", not "-"
        for (String line : md.lines().filter(l -> l.startsWith("| kpa") || l.startsWith("| latency")).toList()) {
            assertTrue(!line.trim().endsWith("| - |"), "step not found: " + line);
        }
    }

    @Test
    void recoveryIsMeasuredFromTheStep() {
        int n = 60;
        double[] sec = new double[n];
        double[] sched = new double[n];
        double[] p99 = new double[n];
        double[] ready = new double[n];
        for (int i = 0; i < n; i++) {
            sec[i] = i;
            sched[i] = i < 20 ? 10 : 40;
            p99[i] = i >= 20 && i < 27 ? 1.0 : 0.1; // 7 s over the objective after the step at 20
        }
        assertEquals("7 s", CompareCommand.recovery(new CompareCommand.Timeline(sec, sched, p99, ready), 0.33));
        double[] flat = new double[n];
        java.util.Arrays.fill(flat, 10);
        assertEquals("-", CompareCommand.recovery(new CompareCommand.Timeline(sec, flat, p99, ready), 0.33));
    }

    @Test
    void notARunDirectoryIsAClearError(@TempDir Path tmp) {
        int exit = new CommandLine(new LoadtestMain()).execute("compare", tmp.toString(), "--out",
                tmp.resolve("cmp").toString());
        assertEquals(2, exit);
    }
}
