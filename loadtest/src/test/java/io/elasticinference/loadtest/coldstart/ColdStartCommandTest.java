package io.elasticinference.loadtest.coldstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.elasticinference.loadtest.LoadtestMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code loadtest cold-start} on real child processes: the load tester's own sink, and commands that fail. */
class ColdStartCommandTest {

    @TempDir
    Path tmp;

    record Outcome(int exit, String out, String err) {
    }

    private Outcome coldStart(List<String> options, List<String> command) {
        List<String> args = new ArrayList<>();
        args.add("cold-start");
        args.addAll(options);
        args.add("--");
        args.addAll(command);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new LoadtestMain()).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true)).execute(args.toArray(String[]::new));
        return new Outcome(exit, out.toString(), err.toString());
    }

    private static List<String> loadtest(String... args) {
        List<String> c = new ArrayList<>(List.of(ProcessHandle.current().info().command()
                        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                "-cp", System.getProperty("java.class.path"), LoadtestMain.class.getName()));
        c.addAll(List.of(args));
        return c;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean accepting(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Zombies count as stopped: killed orphans wait for PID 1 to reap them, which can take seconds here. */
    private static boolean runs(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            String s = Files.readString(stat);
            return s.charAt(s.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && Files.exists(stat);
        }
    }

    private Path image() throws IOException {
        Path image = tmp.resolve("a.jpg");
        Files.write(image, new byte[]{(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
        return image;
    }

    private static void assertOneLineError(Outcome o, String... parts) {
        assertTrue(o.err().startsWith("loadtest cold-start: "), o.err());
        for (String part : parts) {
            assertTrue(o.err().contains(part), "'" + part + "' not in: " + o.err());
        }
        assertFalse(o.err().contains("Exception") || o.err().contains("\tat "), o.err());
    }

    @Test
    void timesEachStartOfTheSinkAndStopsItBeforeTheNext() throws Exception {
        int port = freePort();
        Path json = tmp.resolve("out/cold.json");
        Path log = tmp.resolve("sink.log");
        Outcome o = coldStart(List.of("--url", "http://127.0.0.1:" + port + "/predict", "--image",
                        image().toString(), "--runs", "2", "--warmup-runs", "1", "--timeout", "60s", "--json",
                        json.toString(), "--log", log.toString()),
                loadtest("sink", "--port", Integer.toString(port)));
        assertEquals(0, o.exit(), o.out() + o.err());
        assertFalse(accepting(port), "the last sink still listens after cold-start returned");

        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        JsonNode runs = doc.path("runs");
        assertEquals(3, runs.size(), doc::toPrettyString);
        assertTrue(runs.get(0).path("warmup").asBoolean());
        List<Double> measured = new ArrayList<>();
        for (JsonNode r : runs) {
            double portOpen = r.path("port_open_ms").asDouble();
            double firstAnswer = r.path("first_answer_ms").asDouble();
            double first2xx = r.path("first_2xx_ms").asDouble();
            assertTrue(portOpen > 0 && portOpen <= firstAnswer && firstAnswer <= first2xx && first2xx < 60_000,
                    r::toString);
            assertEquals(200, r.path("first_answer_status").asInt(), r::toString);
            if (!r.path("warmup").asBoolean()) {
                measured.add(first2xx);
            }
        }
        assertEquals(2, measured.size());
        JsonNode summary = doc.path("summary");
        assertEquals(2, summary.path("runs").asInt());
        assertEquals(1, summary.path("warmup_runs").asInt());
        assertEquals((measured.get(0) + measured.get(1)) / 2, summary.path("first_2xx_ms").path("median").asDouble(),
                1e-9);
        assertEquals(Math.min(measured.get(0), measured.get(1)), summary.path("first_2xx_ms").path("min").asDouble());

        // three real starts of the sink, each one stopped before the next could bind the port
        String sinkLog = Files.readString(log);
        Matcher started = Pattern.compile("sink: answering on").matcher(sinkLog);
        assertEquals(3, started.results().count(), sinkLog);
        assertTrue(o.out().contains("warm-up 1/1:") && o.out().contains("run 2/2:"), o.out());
        assertTrue(o.out().contains("first 2xx") && o.out().contains("median"), o.out());
    }

    @Test
    void aCommandThatExitsBeforeAnsweringIsReportedWithItsExitCodeAndLastLog() throws Exception {
        int port = freePort();
        Path log = tmp.resolve("bad.log");
        Outcome o = coldStart(List.of("--url", "http://127.0.0.1:" + port + "/predict", "--image",
                        image().toString(), "--warmup-runs", "0", "--timeout", "30s", "--log", log.toString()),
                List.of("sh", "-c", "echo loading; echo 'model.onnx: no such file' >&2; exit 3"));
        assertEquals(1, o.exit(), o.out() + o.err());
        assertOneLineError(o, "run 1/5: COMMAND exited with code 3", "never accepted a connection",
                "last lines of " + log, "    loading\n    model.onnx: no such file");
        assertEquals(1, o.err().lines().filter(l -> l.startsWith("loadtest")).count(), o.err());
        assertTrue(Files.readString(log).contains("--- loadtest cold-start: run 1/5 ---"));
        assertFalse(o.err().contains("--- loadtest"), "the tail is what COMMAND wrote, not our run header");
    }

    @Test
    void refusesToStartWhenSomethingAlreadyListensAtTheUrl() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Path marker = tmp.resolve("started");
            Outcome o = coldStart(List.of("--url", "http://127.0.0.1:" + busy.getLocalPort() + "/predict",
                    "--image", image().toString(), "--dir", tmp.toString()), List.of("touch", marker.toString()));
            assertEquals(1, o.exit(), o.out() + o.err());
            assertOneLineError(o, "127.0.0.1:" + busy.getLocalPort() + " already accepts connections");
            assertFalse(Files.exists(marker), "COMMAND was started although the port was taken");
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOutAndIsKilledWithWhatItStarted() throws Exception {
        int port = freePort();
        // a wrapper whose real work runs in a child: SIGTERM to the wrapper alone would leave the child running
        Outcome o = coldStart(List.of("--url", "http://127.0.0.1:" + port + "/predict", "--image",
                        image().toString(), "--warmup-runs", "0", "--timeout", "1s", "--grace", "3s", "--dir",
                        tmp.toString()),
                List.of("sh", "-c", "echo $$ > wrapper.pid; sleep 300 & echo $! > child.pid; wait"));
        assertEquals(1, o.exit(), o.out() + o.err());
        assertOneLineError(o, "run 1/5: no 2xx from http://127.0.0.1:" + port + "/predict within 1000 ms",
                "never accepted a connection", "COMMAND was stopped");
        List<Long> pids = new ArrayList<>();
        for (String pidFile : List.of("wrapper.pid", "child.pid")) {
            pids.add(Long.parseLong(Files.readString(tmp.resolve(pidFile)).strip()));
        }
        try {
            for (long pid : pids) {
                assertFalse(runs(pid), "pid " + pid + " of " + pids + " still runs");
            }
        } finally {
            // a failure here must not leave a sleep behind for the rest of the build (the name check: a reused pid)
            pids.forEach(pid -> ProcessHandle.of(pid).filter(h -> h.info().command()
                    .map(c -> c.endsWith("/sh") || c.endsWith("/dash") || c.endsWith("/sleep")).orElse(false))
                    .ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    @Test
    void withoutAnImageItPollsWithGet() throws Exception {
        int port = freePort();
        // A server that only a GET can satisfy: a POST would never get its 2xx and the run would time out.
        Path server = tmp.resolve("GetOnly.java");
        Files.writeString(server, """
                import com.sun.net.httpserver.HttpServer;
                import java.net.InetSocketAddress;
                public class GetOnly {
                    public static void main(String[] args) throws Exception {
                        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 0);
                        s.createContext("/", x -> {
                            x.sendResponseHeaders("GET".equals(x.getRequestMethod()) ? 200 : 405, -1);
                            x.close();
                        });
                        s.start();
                    }
                }
                """);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Outcome o = coldStart(List.of("--url", "http://127.0.0.1:" + port + "/hello", "--runs", "1",
                "--warmup-runs", "0", "--timeout", "60s"), List.of(java, server.toString(), Integer.toString(port)));
        assertEquals(0, o.exit(), o.out() + o.err());
        assertTrue(o.out().contains("GET http://127.0.0.1:" + port + "/hello"), o.out());
        assertFalse(accepting(port), "the server still listens after cold-start returned");

        Outcome typeWithoutImage = coldStart(List.of("--url", "http://127.0.0.1:1/", "--multipart"), List.of("true"));
        assertEquals(2, typeWithoutImage.exit());
        assertOneLineError(typeWithoutImage, "--multipart describe --image, which is missing");
    }

    @Test
    void badArgumentsAreOneLineErrors() throws Exception {
        Outcome url = coldStart(List.of("--url", "ftp://127.0.0.1/predict", "--image", image().toString()),
                List.of("true"));
        assertEquals(2, url.exit());
        assertOneLineError(url, "--url must be an http(s) URL");

        Outcome missing = coldStart(List.of("--url", "http://127.0.0.1:1/predict", "--image",
                tmp.resolve("nope.jpg").toString()), List.of("true"));
        assertEquals(2, missing.exit());
        assertOneLineError(missing, "image file not found: ");
    }
}
