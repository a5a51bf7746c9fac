package io.elasticinference.loadtest.run;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/** The live status line on a terminal: elapsed, sent, ok, errors, in flight, p99 of the last 5 seconds. */
final class ProgressLine implements AutoCloseable {

    private static final double WINDOW_S = 5;

    private final OpenLoopRunner runner;
    private final PrintStream out;
    private final Thread thread;
    private volatile boolean running = true;

    ProgressLine(OpenLoopRunner runner, PrintStream out) {
        this.runner = runner;
        this.out = out;
        this.thread = new Thread(this::loop, "progress");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            out.print("\r" + line() + "   ");
            out.flush();
        }
    }

    String line() {
        OpenLoopRunner.Progress p = runner.progress();
        double now = runner.elapsedS();
        p.recent.removeIf(e -> e[0] < now - WINDOW_S);
        double[] ms = p.recent.stream().mapToDouble(e -> e[1]).toArray();
        Arrays.sort(ms);
        String p99 = ms.length == 0 ? "-" : String.format(Locale.ROOT, "%.0f ms",
                ms[Math.min(ms.length - 1, (int) Math.ceil(0.99 * ms.length) - 1)]);
        return String.format(Locale.ROOT, "%6.0fs  sent %d  ok %d  errors %d  in flight %d  p99(5s) %s", now,
                p.sent.get(), p.ok.get(), p.failed.get(), p.inFlight.get(), p99);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        out.println();
    }
}
