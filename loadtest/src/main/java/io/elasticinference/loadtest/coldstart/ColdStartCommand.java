package io.elasticinference.loadtest.coldstart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.elasticinference.loadtest.run.RequestBodies;
import io.elasticinference.loadtest.workload.SecondsConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code loadtest cold-start -- COMMAND}: time from starting a server process to its first successful answer,
 * polled from inside this JVM so the measurement costs the measured start no CPU worth speaking of, and so any
 * stack (this function, a FastAPI server) is measured the same way.
 */
@Command(name = "cold-start", mixinStandardHelpOptions = true, sortOptions = false,
        customSynopsis = "loadtest cold-start --url URL [--image FILE] [OPTIONS] -- COMMAND [ARG...]",
        description = {"Start COMMAND, POST an image to --url (GET without --image) every --interval until the first 2xx, stop COMMAND "
                + "(and what it started); repeat. Prints ms from process start to the first accepted connection "
                + "(port open), the first HTTP answer and the first 2xx per run, then median, min and max.",
                "COMMAND must serve in the foreground (exec, not a daemon) and be the only thing on the port. "
                        + "An argument starting with @ is read as an argument file; write @@ for a literal @."})
public final class ColdStartCommand implements Callable<Integer> {

    /** How long a stopped server may keep its port before the next run is refused. */
    static final Duration PORT_RELEASE = Duration.ofSeconds(10);
    private static final int LOG_TAIL_LINES = 10;

    @Option(names = {"--url", "--target"}, required = true, paramLabel = "URL",
            description = "Where to POST the image, e.g. http://127.0.0.1:18080/predict.")
    URI url;

    @Option(names = "--image", paramLabel = "FILE",
            description = "The image POSTed by every poll (default: polls GET --url, e.g. a hello world).")
    Path image;

    @Option(names = "--content-type", paramLabel = "TYPE",
            description = "Content type of the image (default: from its extension).")
    String contentType;

    @Option(names = "--multipart",
            description = "Send multipart/form-data with a part 'file' (what FastAPI's UploadFile wants).")
    boolean multipart;

    @Option(names = "--runs", defaultValue = "5", paramLabel = "N",
            description = "Measured runs (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup-runs", defaultValue = "1", paramLabel = "N",
            description = "Launches before the measured runs, reported but not counted, so the page cache is warm "
                    + "(default ${DEFAULT-VALUE}).")
    int warmupRuns;

    @Option(names = "--interval", defaultValue = "5ms", converter = SecondsConverter.class,
            paramLabel = "DURATION",
            description = "Time between polls (default ${DEFAULT-VALUE}).")
    double intervalS;

    @Option(names = "--timeout", defaultValue = "120s", converter = SecondsConverter.class,
            paramLabel = "DURATION",
            description = "Longest wait for the first 2xx of one run (default ${DEFAULT-VALUE}).")
    double timeoutS;

    @Option(names = "--grace", defaultValue = "10s", converter = SecondsConverter.class,
            paramLabel = "DURATION",
            description = "After SIGTERM, how long COMMAND may take to exit before SIGKILL (default ${DEFAULT-VALUE}).")
    double graceS;

    @Option(names = "--dir", paramLabel = "DIR", description = "Working directory of COMMAND (default: this one).")
    Path dir;

    @Option(names = "--log", paramLabel = "FILE",
            description = "Append COMMAND's stdout and stderr here (default: discarded).")
    Path log;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the runs and the summary as JSON.")
    Path json;

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The server to start, with its arguments.")
    List<String> command;

    /** A run that cannot be measured; its message is the whole report. */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message, null, false, false);
        }
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RequestBodies.Body body;
        Poller poller;
        try {
            body = validate();
            poller = new Poller(url, body == null ? null : body.bytes(), body == null ? null : body.contentType(),
                    Duration.ofNanos((long) (intervalS * 1e9)));
        } catch (IllegalArgumentException | IOException e) {
            err.println("loadtest cold-start: " + (e instanceof UnknownHostException
                    ? "unknown host in --url: " + e.getMessage() : e.getMessage()));
            return 2;
        }
        AtomicReference<ChildProcess> current = new AtomicReference<>();
        AtomicBoolean stopping = new AtomicBoolean();
        // ctrl-c must not leave the server running with the port taken
        Thread hook = new Thread(() -> {
            stopping.set(true);
            ChildProcess c = current.get();
            if (c != null) {
                try {
                    c.stop(Duration.ofSeconds(2));
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            if (poller.accepting()) {
                throw new Failure(poller.hostPort() + " already accepts connections before COMMAND was started: stop "
                        + "what listens there first, or the runs would time it instead of COMMAND");
            }
            out.printf(Locale.ROOT, "cold-start: %d warm-up + %d runs of %s, %s every %s ms%n",
                    warmupRuns, runs, String.join(" ", command), body == null ? "GET " + url
                            : String.format(Locale.ROOT, "POST %s (%s, %d bytes)", url, body.contentType(),
                            body.bytes().length), ms(intervalS * 1000));
            poller.warmUp();
            List<ColdStartSummary.Run> done = new ArrayList<>();
            for (int i = 1; i <= warmupRuns + runs; i++) {
                boolean warmup = i <= warmupRuns;
                int number = warmup ? i : i - warmupRuns;
                String name = (warmup ? "warm-up " : "run ") + number + "/" + (warmup ? warmupRuns : runs);
                ColdStartSummary.Run r = launch(name, number, warmup, poller, current);
                done.add(r);
                out.println(line(name, r));
            }
            ColdStartSummary summary = ColdStartSummary.of(done);
            out.print(table(summary));
            if (json != null) {
                writeJson(done, summary, body);
                out.println("wrote " + json.toAbsolutePath());
            }
            return 0;
        } catch (Failure e) {
            // the hook stopping COMMAND makes it look as if it had exited by itself
            err.println("loadtest cold-start: " + (stopping.get() ? "stopped by a signal" : e.getMessage()));
            return 1;
        } catch (IOException e) {
            err.println("loadtest cold-start: " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("loadtest cold-start: interrupted");
            return 130;
        } finally {
            out.flush();
            err.flush();
            ChildProcess c = current.getAndSet(null);
            if (c != null) {
                try {
                    c.stop(Duration.ofMillis((long) (graceS * 1000)));
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down: the hook is running
            }
        }
    }

    private RequestBodies.Body validate() throws IOException {
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
            throw new IllegalArgumentException("--url must be an http(s) URL with a host, got " + url);
        }
        if (runs < 1) {
            throw new IllegalArgumentException("--runs must be at least 1, got " + runs);
        }
        if (warmupRuns < 0) {
            throw new IllegalArgumentException("--warmup-runs must be 0 or more, got " + warmupRuns);
        }
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--dir is not a directory: " + dir);
        }
        if (log != null && log.toAbsolutePath().getParent() != null) {
            Files.createDirectories(log.toAbsolutePath().getParent());
        }
        if (image == null) {
            if (contentType != null || multipart) {
                throw new IllegalArgumentException("--content-type and --multipart describe --image, which is missing");
            }
            return null;
        }
        return RequestBodies.fromFile(image, contentType, multipart);
    }

    private ColdStartSummary.Run launch(String name, int number, boolean warmup, Poller poller,
                                        AtomicReference<ChildProcess> current)
            throws Failure, IOException, InterruptedException {
        if (log != null) {
            Files.writeString(log, "--- loadtest cold-start: " + name + " ---\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        long t0 = System.nanoTime();
        ChildProcess child;
        try {
            child = ChildProcess.start(command, dir != null ? dir : Path.of("."), log);
        } catch (IOException e) {
            throw new Failure("cannot start COMMAND: " + e.getMessage());
        }
        current.set(child);
        Poller.Result r = poller.awaitFirst2xx(t0 + (long) (timeoutS * 1e9), child::isAlive);
        switch (r.end()) {
            case EXITED -> {
                int code = child.exitCode();
                throw new Failure(name + ": COMMAND exited with code " + code + " after "
                        + ms((System.nanoTime() - t0) / 1e6) + " ms, before any 2xx from " + url + lastSeen(r)
                        + logTail(child));
            }
            case TIMED_OUT -> {
                child.stop(grace());
                current.set(null);
                throw new Failure(name + ": no 2xx from " + url + " within " + ms(timeoutS * 1000) + " ms"
                        + lastSeen(r) + "; COMMAND was stopped" + logTail(child));
            }
            default -> {
            }
        }
        child.stop(grace());
        current.set(null);
        if (!poller.awaitRefused(PORT_RELEASE)) {
            throw new Failure(poller.hostPort() + " still accepts connections " + PORT_RELEASE.toSeconds()
                    + " s after COMMAND was stopped: something else holds the port (a daemon COMMAND started?)");
        }
        return new ColdStartSummary.Run(number, warmup, sinceMs(t0, r.portOpenNanos()),
                sinceMs(t0, r.firstAnswerNanos()), r.firstAnswerStatus(), sinceMs(t0, r.first2xxNanos()), r.polls());
    }

    private Duration grace() {
        return Duration.ofMillis((long) (graceS * 1000));
    }

    private static String lastSeen(Poller.Result r) {
        if (r.lastStatus() >= 0) {
            return " (last answer: HTTP " + r.lastStatus() + ")";
        }
        return r.portOpenNanos() < 0 ? " (the port never accepted a connection)" : " (last error: " + r.lastError()
                + ")";
    }

    private String logTail(ChildProcess child) {
        if (log == null) {
            return "; --log FILE keeps its output";
        }
        List<String> tail = child.logTail(LOG_TAIL_LINES);
        if (tail.isEmpty()) {
            return "; it wrote nothing to " + log;
        }
        return "; last lines of " + log + ":\n    " + String.join("\n    ", tail);
    }

    private static double sinceMs(long t0, long t) {
        return Math.round((t - t0) / 1e3) / 1e3;
    }

    private static String line(String name, ColdStartSummary.Run r) {
        return String.format(Locale.ROOT, "%-12s port open %6s ms, first answer %6s ms (HTTP %d), first 2xx %6s ms, "
                        + "%d polls", name + ":", ms(r.portOpenMs()), ms(r.firstAnswerMs()), r.firstAnswerStatus(),
                ms(r.first2xxMs()), r.polls());
    }

    static String table(ColdStartSummary s) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "cold start over %d runs (%d warm-up not counted), ms:%n", s.runs(),
                s.warmupRuns()));
        b.append(String.format(Locale.ROOT, "  %-13s %8s %8s %8s%n", "", "median", "min", "max"));
        row(b, "first 2xx", s.first2xxMs());
        row(b, "first answer", s.firstAnswerMs());
        row(b, "port open", s.portOpenMs());
        return b.toString();
    }

    private static void row(StringBuilder b, String label, ColdStartSummary.Stats st) {
        b.append(String.format(Locale.ROOT, "  %-13s %8s %8s %8s%n", label, ms(st.median()), ms(st.min()),
                ms(st.max())));
    }

    private static String ms(double ms) {
        return String.format(Locale.ROOT, ms < 10 ? "%.1f" : "%.0f", ms);
    }

    private void writeJson(List<ColdStartSummary.Run> done, ColdStartSummary summary, RequestBodies.Body body)
            throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("command", command);
        doc.put("dir", (dir != null ? dir : Path.of(".")).toAbsolutePath().normalize().toString());
        doc.put("url", url.toString());
        doc.put("method", body == null ? "GET" : "POST");
        doc.put("image", image == null ? null : image.toString());
        doc.put("content_type", body == null ? null : body.contentType());
        doc.put("interval_ms", intervalS * 1000);
        doc.put("timeout_s", timeoutS);
        doc.put("runs", done);
        doc.put("summary", summary);
        Path parent = json.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), doc);
    }
}
