package io.elasticinference.loadtest.coldstart;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The measured command, started with its output appended to a log (or dropped), and stopped with all it started. */
final class ChildProcess {

    private final Process process;
    private final Path log;
    private final long logOffset;

    private ChildProcess(Process process, Path log, long logOffset) {
        this.process = process;
        this.log = log;
        this.logOffset = logOffset;
    }

    static ChildProcess start(List<String> command, Path dir, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        long offset = 0;
        if (log != null) {
            offset = Files.exists(log) ? Files.size(log) : 0;
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        } else {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        Process p = pb.start();
        // end of input at once: a server that reads stdin must not wait on a pipe nobody writes
        p.getOutputStream().close();
        return new ChildProcess(p, log, offset);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Exit code once it has exited. */
    int exitCode() throws InterruptedException {
        return process.waitFor();
    }

    /**
     * SIGTERM to the process and its descendants (a wrapper script's server would otherwise keep the port), up to
     * {@code grace} for them to exit, then SIGKILL. The descendants are listed first: once their parent is gone they
     * are re-parented and no longer found.
     */
    void stop(Duration grace) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(process.toHandle());
        tree.addAll(process.descendants().toList());
        tree.forEach(ProcessHandle::destroy);
        if (!awaitExit(tree, grace)) {
            List<ProcessHandle> left = new ArrayList<>();
            for (ProcessHandle h : tree) {
                if (running(h)) {
                    left.add(h);
                    left.addAll(h.descendants().toList());
                }
            }
            left.forEach(ProcessHandle::destroyForcibly);
            awaitExit(left, Duration.ofSeconds(5));
        }
        process.waitFor(1, TimeUnit.SECONDS);
    }

    private static boolean awaitExit(List<ProcessHandle> handles, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (handles.stream().anyMatch(ChildProcess::running)) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /**
     * Alive and not a zombie. The JDK counts a zombie as alive, and a killed grandchild stays one until PID 1 reaps
     * it: ~2 s on the machine this was written on, never under a container init that does not reap.
     */
    static boolean running(ProcessHandle h) {
        if (!h.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat"));
            int end = stat.lastIndexOf(')');
            return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
        } catch (IOException e) {
            // no /proc (not Linux), or it has just gone
            return h.isAlive();
        }
    }

    /** Up to {@code n} last non-blank lines this launch wrote to the log; empty without a log. */
    List<String> logTail(int n) {
        if (log == null) {
            return List.of();
        }
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long from = Math.max(logOffset, f.length() - 16_384);
            byte[] b = new byte[(int) (f.length() - from)];
            f.seek(from);
            f.readFully(b);
            List<String> lines = Arrays.stream(new String(b, StandardCharsets.UTF_8).split("\\R"))
                    .filter(l -> !l.isBlank()).toList();
            return lines.subList(Math.max(0, lines.size() - n), lines.size());
        } catch (IOException e) {
            return List.of();
        }
    }
}
